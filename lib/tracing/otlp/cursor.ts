import { z } from "zod";

/**
 * Where the exporter stands in the `spans` table, kept in `settings` so a restart (or another
 * process taking over) neither re-sends nor skips.
 *
 * Why more than a single number: `ingest_id` comes from a sequence, and sequence values are handed
 * out when a row is inserted but become visible when its transaction commits. A step commit that
 * drew id 41 may commit after one that drew 42; a cursor that moved to 42 would skip 41 forever.
 * Ids also go missing for good (an aborted commit, a re-derived span hitting ON CONFLICT DO
 * NOTHING). So every id the cursor passes without having seen it is kept as a *hole* and looked
 * up again on every tick for `holeRetentionMs`; a late span that lands in a hole is exported then.
 *
 * The root `run` span is the one span written before it is complete (its end arrives when the run
 * stops, possibly hours later for a run waiting on a person). The cursor passes it and keeps its id
 * in `deferred` until it has an end, so one open run never holds up everything behind it.
 */
export const cursorStateSchema = z.object({
  position: z.number().int().min(0).default(0),
  holes: z
    .array(z.object({ from: z.number().int(), to: z.number().int(), since: z.number() }))
    .default([]),
  deferred: z.array(z.object({ id: z.number().int(), since: z.number() })).default([]),
});
export type CursorState = z.infer<typeof cursorStateSchema>;

export const emptyCursor = (): CursorState => ({ position: 0, holes: [], deferred: [] });

export interface CursorLimits {
  /** How long a missing id is looked for after the cursor passed it. */
  holeRetentionMs: number;
  /** Bounds on the state's size (it is rewritten on every batch). */
  maxHoles: number;
  maxDeferred: number;
}

export const defaultCursorLimits: CursorLimits = {
  holeRetentionMs: 120_000,
  maxHoles: 1_000,
  maxDeferred: 10_000,
};

interface Row {
  ingestId: number;
  complete: boolean;
}

export interface Advance<T extends Row> {
  /** Rows to send now, in the order found. */
  send: T[];
  next: CursorState;
  /** Ids dropped from the state because it reached its bounds (logged by the caller). */
  dropped: number;
}

/**
 * The pure step of the cursor. `fresh` are the rows after `position` (ascending, as read);
 * `late` are rows found in holes or deferred ids (complete or not). Returns what to send and the
 * state to store once it was sent.
 */
export function advanceCursor<T extends Row>(
  state: CursorState,
  fresh: readonly T[],
  late: readonly T[],
  now: number,
  limits: CursorLimits = defaultCursorLimits,
): Advance<T> {
  let holes = state.holes.filter((h) => now - h.since <= limits.holeRetentionMs);
  let deferred = [...state.deferred];
  let position = state.position;
  const send: T[] = [];

  for (const row of late) {
    const wasDeferred = deferred.some((d) => d.id === row.ingestId);
    if (!row.complete) {
      // Found in a hole but still open: from now on it waits as a deferred root span.
      if (!wasDeferred) deferred.push({ id: row.ingestId, since: now });
    } else {
      send.push(row);
      deferred = deferred.filter((d) => d.id !== row.ingestId);
    }
    holes = punch(holes, row.ingestId);
  }

  for (const row of fresh) {
    if (row.ingestId <= position) continue;
    if (row.ingestId > position + 1) holes.push({ from: position + 1, to: row.ingestId - 1, since: now });
    position = row.ingestId;
    if (row.complete) send.push(row);
    else deferred.push({ id: row.ingestId, since: now });
  }

  let dropped = 0;
  if (holes.length > limits.maxHoles) {
    dropped += holes.length - limits.maxHoles;
    holes = holes.slice(-limits.maxHoles);
  }
  if (deferred.length > limits.maxDeferred) {
    dropped += deferred.length - limits.maxDeferred;
    deferred = deferred.slice(-limits.maxDeferred);
  }
  return { send, next: { position, holes, deferred }, dropped };
}

/** Removes one id from the hole ranges that contain it. */
function punch(holes: CursorState["holes"], id: number): CursorState["holes"] {
  return holes.flatMap((h) => {
    if (id < h.from || id > h.to) return [h];
    const parts: CursorState["holes"] = [];
    if (h.from <= id - 1) parts.push({ from: h.from, to: id - 1, since: h.since });
    if (id + 1 <= h.to) parts.push({ from: id + 1, to: h.to, since: h.since });
    return parts;
  });
}
