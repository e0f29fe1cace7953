import { type Chain } from "../chain";
import { SystemFailure } from "../errors";
import { replayStep, type ReplayParts, unreplayable } from "../log-replay";
import { differentPath } from "../log-replay/compare";
import { type RunState } from "../state";
import { type CommitCheck } from "./memory-run-store";

/**
 * A {@link CommitCheck} for tests: every step that leaves its run running must be rebuilt exactly
 * from the checkpoint before it and the step's events (log-replay/). Those are the checkpoints a
 * step log may leave unwritten; a run that is created, parks or settles, and a step the replay
 * refuses up front (an answer cut to fit the log), always write their own.
 */
export function replayCheck(parts: Omit<ReplayParts, "chain"> & { chains: readonly Chain[] }): CommitCheck {
  return async (before, events, after) => {
    if (!before || after.status !== "running" || unreplayable(events)) return;
    const chain = parts.chains.find((c) => c.name === after.chain);
    if (!chain) return;
    const replayed = await replayStep({ ...parts, chain }, before, events);
    if (!replayed.ok) throw new SystemFailure(`replay check, run ${after.runId}: ${replayed.reason}`);
    const path = differentPath(plain(replayed.state), plain(after), "state");
    if (path) throw new SystemFailure(`replay check, run ${after.runId} at seq ${after.seq}: the replay differs at ${path}`);
  };
}

function plain(state: RunState): unknown {
  return JSON.parse(JSON.stringify(state)) as unknown;
}
