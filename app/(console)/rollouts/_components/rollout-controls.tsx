"use client";

import { useActionState } from "react";
import type { RolloutCommand } from "@/lib/runtime/rollout";
import { changeRolloutAction } from "../actions";

const labels: Record<RolloutCommand, string> = {
  pause: "Pause",
  resume: "Resume",
  advance: "Advance stage",
  promote: "Promote to 100%",
  rollback: "Roll back",
};

const commandsFor = (status: string): RolloutCommand[] =>
  status === "running" ? ["pause", "advance", "promote", "rollback"] : status === "paused" ? ["resume", "promote", "rollback"] : [];

/** Admin controls of one active rollout; each button posts its own command. */
export function RolloutControls({ rolloutId, agent, status }: { rolloutId: string; agent: string; status: string }) {
  const [state, action, pending] = useActionState(changeRolloutAction, null);
  const commands = commandsFor(status);
  if (commands.length === 0) return null;
  return (
    <form action={action} aria-label={`Control the ${agent} rollout`} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="rolloutId" value={rolloutId} />
      {commands.map((command) => (
        <button
          key={command}
          type="submit"
          name="command"
          value={command}
          disabled={pending}
          className={
            command === "rollback"
              ? "rounded-md bg-rose-600 px-3 py-1 text-sm font-medium text-white hover:bg-rose-700 disabled:opacity-60"
              : "rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
          }
        >
          {labels[command]}
        </button>
      ))}
      {state && !state.ok ? <p role="alert" className="text-sm text-rose-700">{state.message}</p> : null}
    </form>
  );
}
