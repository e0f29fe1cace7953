"use client";

import { startTransition, useActionState, useState } from "react";
import {
  type FaultKind,
  faultKinds,
  faultLabels,
  MAX_FAULT_RULES,
  type SimulatorConfig,
  simulatorTiers,
} from "@/lib/providers/simulator/config";
import { updateSimulatorSettingsAction } from "../simulator-actions";

interface RuleDraft {
  key: number;
  agent: string;
  tier: string;
  rates: Record<FaultKind, string>;
  retryAfterMs: string;
}

const percentOf = (rate: number) => String(Math.round(rate * 10_000) / 100);
const noRates = () => Object.fromEntries(faultKinds.map((k) => [k, "0"])) as Record<FaultKind, string>;

function draftOf(rule: SimulatorConfig["faults"][number], key: number): RuleDraft {
  return {
    key,
    agent: rule.target.agent ?? "all",
    tier: rule.target.tier ?? "all",
    rates: Object.fromEntries(faultKinds.map((k) => [k, percentOf(rule.rates[k])])) as Record<FaultKind, string>,
    retryAfterMs: String(rule.retryAfterMs),
  };
}

const input = "rounded-md border border-slate-300 px-2 py-1 text-sm tabular-nums aria-[invalid=true]:border-rose-500";

/**
 * The simulator's settings as a form. Inputs are controlled so that a rejected submission keeps
 * what was typed (React resets uncontrolled fields after every form action).
 */
export function SimulatorForm({ initial, agents }: { initial: SimulatorConfig; agents: string[] }) {
  const [state, action, pending] = useActionState(updateSimulatorSettingsAction, null);
  const [seed, setSeed] = useState(String(initial.seed));
  const [latency, setLatency] = useState({
    medianMs: String(initial.latency.medianMs),
    p95Ms: String(initial.latency.p95Ms),
    maxMs: String(initial.latency.maxMs),
  });
  const [timeoutMs, setTimeoutMs] = useState(String(initial.timeoutMs));
  const [rules, setRules] = useState<RuleDraft[]>(() => initial.faults.map((r, i) => draftOf(r, i)));
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const agentOptions = [...new Set([...agents, ...rules.map((r) => r.agent).filter((a) => a !== "all")])];

  const updateRule = (key: number, change: Partial<Omit<RuleDraft, "key">>) =>
    setRules((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  return (
    <form
      action={action}
      // Submitting through a transition skips React's automatic form reset, which would snap the
      // controlled <select>s back to their first option while their state still says otherwise.
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        startTransition(() => action(data));
      }}
      aria-label="Simulator settings"
      noValidate
      className="space-y-4"
    >
      <fieldset className="flex flex-wrap items-start gap-4">
        <legend className="mb-2 text-sm font-medium text-slate-700">Latency (log-normal) and seed</legend>
        <NumberField name="latency.medianMs" label="Median (ms)" value={latency.medianMs} onChange={(v) => setLatency({ ...latency, medianMs: v })} errors={errors} />
        <NumberField name="latency.p95Ms" label="p95 (ms)" value={latency.p95Ms} onChange={(v) => setLatency({ ...latency, p95Ms: v })} errors={errors} />
        <NumberField name="latency.maxMs" label="Maximum (ms)" value={latency.maxMs} onChange={(v) => setLatency({ ...latency, maxMs: v })} errors={errors} />
        <NumberField name="timeoutMs" label="Timeout fault waits (ms)" value={timeoutMs} onChange={setTimeoutMs} errors={errors} />
        <NumberField name="seed" label="Seed" value={seed} onChange={setSeed} errors={errors} />
      </fieldset>

      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">Fault rules</legend>
        <p className="mb-2 text-xs text-slate-500">
          Percent of calls, per kind. Rules are checked top to bottom and the first whose agent and tier
          match a call decides its faults; one rule&apos;s rates add up to at most 100%. Malformed JSON and
          schema violations only hit agents that answer with structured output.
        </p>
        {rules.length > 0 ? (
          <div className="overflow-x-auto">
            <table className="text-left text-sm">
              <thead className="text-xs text-slate-500">
                <tr>
                  <th className="px-1 py-1 font-medium">Agent</th>
                  <th className="px-1 py-1 font-medium">Tier</th>
                  {faultKinds.map((k) => (
                    <th key={k} className="px-1 py-1 font-medium">{faultLabels[k]} %</th>
                  ))}
                  <th className="px-1 py-1 font-medium">Retry-After (ms)</th>
                  <th className="px-1 py-1"><span className="sr-only">Remove</span></th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule, i) => (
                  <RuleRow
                    key={rule.key}
                    index={i}
                    rule={rule}
                    agents={agentOptions}
                    errors={errors}
                    onChange={(change) => updateRule(rule.key, change)}
                    onRemove={() => setRules((rs) => rs.filter((r) => r.key !== rule.key))}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="text-sm text-slate-600">No fault rules: every call succeeds.</p>
        )}
        <FieldError errors={errors} name="faults" />
        <button
          type="button"
          disabled={rules.length >= MAX_FAULT_RULES}
          onClick={() => setRules((rs) => [...rs, { key: Math.max(-1, ...rs.map((r) => r.key)) + 1, agent: "all", tier: "all", rates: noRates(), retryAfterMs: "2000" }])}
          className="mt-2 rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50"
        >
          Add fault rule
        </button>
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {pending ? "Saving…" : "Save simulator settings"}
        </button>
        {state && !state.ok ? <p role="alert" className="text-sm text-rose-700">{state.message}</p> : null}
        {state?.ok ? (
          <p role="status" className="text-sm text-emerald-800">
            Saved. Every worker applies it within about a second.
          </p>
        ) : null}
      </div>
    </form>
  );
}

type Errors = Record<string, string[]>;

function FieldError({ errors, name }: { errors: Errors; name: string }) {
  const messages = errors[name];
  return messages ? (
    <span id={`${name}-error`} className="mt-1 block text-xs text-rose-700">{messages.join(" ")}</span>
  ) : null;
}

function NumberField(props: { name: string; label: string; value: string; onChange: (v: string) => void; errors: Errors }) {
  const invalid = props.errors[props.name] !== undefined;
  return (
    <label className="w-40 text-sm">
      <span className="block font-medium text-slate-700">{props.label}</span>
      <input
        name={props.name}
        inputMode="numeric"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={invalid ? `${props.name}-error` : undefined}
        className={`mt-1 w-full ${input}`}
      />
      <FieldError errors={props.errors} name={props.name} />
    </label>
  );
}

function RuleRow(props: {
  index: number;
  rule: RuleDraft;
  agents: string[];
  errors: Errors;
  onChange: (change: Partial<Omit<RuleDraft, "key">>) => void;
  onRemove: () => void;
}) {
  const { index: i, rule, errors } = props;
  const field = (path: string) => `faults.${i}.${path}`;
  const rowErrors = [field("rates"), field("target.agent"), field("target.tier"), field("retryAfterMs"), ...faultKinds.map((k) => field(`rates.${k}`))]
    .flatMap((name) => errors[name] ?? []);
  const what = `rule ${i + 1}`;
  return (
    <>
      <tr className="align-top">
        <td className="px-1 py-1">
          <select name={field("target.agent")} value={rule.agent} onChange={(e) => props.onChange({ agent: e.target.value })} aria-label={`Agent of ${what}`} className={input}>
            <option value="all">All agents</option>
            {props.agents.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </td>
        <td className="px-1 py-1">
          <select name={field("target.tier")} value={rule.tier} onChange={(e) => props.onChange({ tier: e.target.value })} aria-label={`Tier of ${what}`} className={input}>
            <option value="all">All tiers</option>
            {simulatorTiers.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </td>
        {faultKinds.map((k) => (
          <td key={k} className="px-1 py-1">
            <input
              name={field(`rates.${k}`)}
              inputMode="decimal"
              value={rule.rates[k]}
              onChange={(e) => props.onChange({ rates: { ...rule.rates, [k]: e.target.value } })}
              aria-label={`${faultLabels[k]} percent, ${what}`}
              aria-invalid={errors[field(`rates.${k}`)] || errors[field("rates")] ? true : undefined}
              className={`w-20 text-right ${input}`}
            />
          </td>
        ))}
        <td className="px-1 py-1">
          <input
            name={field("retryAfterMs")}
            inputMode="numeric"
            value={rule.retryAfterMs}
            onChange={(e) => props.onChange({ retryAfterMs: e.target.value })}
            aria-label={`Retry-After in ms, ${what}`}
            aria-invalid={errors[field("retryAfterMs")] ? true : undefined}
            className={`w-24 text-right ${input}`}
          />
        </td>
        <td className="px-1 py-1">
          <button type="button" onClick={props.onRemove} aria-label={`Remove ${what}`} className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100">
            Remove
          </button>
        </td>
      </tr>
      {rowErrors.length > 0 ? (
        <tr>
          <td colSpan={faultKinds.length + 5} className="px-1 pb-2 text-xs text-rose-700" role="alert">
            {`Rule ${i + 1}: ${rowErrors.join(" ")}`}
          </td>
        </tr>
      ) : null}
    </>
  );
}
