"use client";

import { useActionState, useState } from "react";
import { modelTiers } from "@/lib/runtime/agent";
import { createAgentVersionAction } from "../../agents/actions";

export interface BaseAgentOption {
  agent: string;
  chain: string;
  version: number;
  modelTier: string;
  tools: string[];
  instructions: string;
}

/** Engineers draft a new version of a code-defined agent (instructions, tier, tool subset, limits). */
export function VersionForm({ bases }: { bases: BaseAgentOption[] }) {
  const [state, action, pending] = useActionState(createAgentVersionAction, null);
  const [agent, setAgent] = useState(bases[0]?.agent ?? "");
  const base = bases.find((b) => b.agent === agent);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const field = "mt-1 rounded-md border border-slate-300 px-2 py-1.5";
  const error = (name: string) =>
    errors?.[name] ? <span className="mt-1 block text-xs text-rose-700">{errors[name].join(" ")}</span> : null;
  return (
    <form action={action} aria-label="New agent version" className="grid gap-3" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Agent</span>
          <select name="agent" value={agent} onChange={(e) => setAgent(e.target.value)} className={field}>
            {bases.map((b) => (
              <option key={b.agent} value={b.agent}>
                {b.agent} ({b.chain}, v{b.version})
              </option>
            ))}
          </select>
          {error("agent")}
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Model tier</span>
          {/* Keyed by agent: switching agents starts from that agent's defaults. */}
          <select key={`tier-${agent}`} name="modelTier" defaultValue={base?.modelTier} className={field}>
            {modelTiers.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Max turns</span>
          <input name="maxTurns" type="number" min={1} max={20} placeholder="default" className={`${field} w-24`} />
          {error("limits.maxTurns")}
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Max tool calls per turn</span>
          <input name="maxToolCallsPerTurn" type="number" min={0} max={20} placeholder="default" className={`${field} w-24`} />
          {error("limits.maxToolCallsPerTurn")}
        </label>
      </div>
      <fieldset key={`tools-${agent}`} className="text-sm">
        <legend className="font-medium text-slate-700">Tools (a subset of the base version&apos;s)</legend>
        {base?.tools.length ? (
          <div className="mt-1 flex flex-wrap gap-4">
            {base.tools.map((tool) => (
              <label key={tool} className="inline-flex items-center gap-1.5 font-mono text-xs">
                <input type="checkbox" name={`tool.${tool}`} defaultChecked />
                {tool}
              </label>
            ))}
          </div>
        ) : (
          <p className="mt-1 text-xs text-slate-500">This agent uses no tools.</p>
        )}
        {error("tools")}
      </fieldset>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Instructions</span>
        <textarea key={`instructions-${agent}`} name="instructions" rows={4} defaultValue={base?.instructions} className={`${field} w-full font-mono text-xs`} aria-invalid={errors?.instructions ? true : undefined} />
        {error("instructions")}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">What changed</span>
        <input name="note" maxLength={500} className={`${field} w-full`} />
      </label>
      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {pending ? "Saving…" : "Save draft"}
        </button>
        {state && !state.ok && !errors ? <p role="alert" className="text-sm text-rose-700">{state.message}</p> : null}
        {state?.ok ? (
          <p role="status" className="text-sm text-emerald-800">
            Saved {state.data.agent} v{state.data.version} as a draft.
          </p>
        ) : null}
      </div>
    </form>
  );
}
