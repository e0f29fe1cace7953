import "server-only";
import { desc, eq, gte } from "drizzle-orm";
import { z } from "zod";
import { db, schema } from "@/db";
import { demoChains, demoTools } from "@/lib/agents";
import { authorize, type Actor } from "@/lib/auth/authorize";
import type { BreakerStatusName } from "@/lib/breakers/timeline";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { modelIdsFromEnv } from "@/lib/providers";
import type {
  BreakerDto,
  BreakerKind,
  BreakersDto,
  BreakerTransitionDto,
} from "@/lib/query/breakers";
import { knownBreakerKeys } from "@/lib/runs/breaker-catalog";
import { applyInTransaction, configOfRow, stateOfRow } from "@/lib/runs/breaker-rows";
import { defaultBreakerConfig, windowCounts } from "@/lib/runtime";
import { recordAudit } from "./audit";

/** How far back the page's timeline and transition list reach. */
export const BREAKER_HISTORY_MS = 30 * 60_000;
const MAX_TRANSITIONS = 200;

/** `agent:billing`, `model:simulator/fast`, `tool:refund`: what a breaker key may look like. */
export const breakerKeySchema = z
  .string()
  .trim()
  .regex(/^(agent|model|tool):[A-Za-z0-9._\-/:@]{1,150}$/, "Choose a breaker.");

const kindOf = (key: string): BreakerKind => {
  const kind = key.slice(0, key.indexOf(":"));
  return kind === "agent" || kind === "model" || kind === "tool" ? kind : "other";
};
const catalog = () => knownBreakerKeys(demoChains(), demoTools(), modelIdsFromEnv(getEnv()));
const asStatus = (s: string): BreakerStatusName =>
  s === "open" || s === "half_open" ? s : "closed";

/** Every breaker's live state and the transitions of the last half hour. */
export async function listBreakers(now = Date.now()): Promise<BreakersDto> {
  await authorize("breakers:read");
  const since = now - BREAKER_HISTORY_MS;
  const [rows, transitions] = await Promise.all([
    db().select().from(schema.breakers),
    db()
      .select()
      .from(schema.breakerTransitions)
      .where(gte(schema.breakerTransitions.at, new Date(since)))
      .orderBy(desc(schema.breakerTransitions.at), desc(schema.breakerTransitions.id))
      .limit(MAX_TRANSITIONS),
  ]);
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const keys = new Set([...catalog(), ...byKey.keys()]);
  const breakers = [...keys].map((key): BreakerDto => {
    const row = byKey.get(key);
    const base = { key, kind: kindOf(key), name: key.slice(key.indexOf(":") + 1) };
    if (!row) {
      return {
        ...base,
        status: "closed",
        forced: false,
        consecutiveFailures: 0,
        windowCalls: 0,
        windowFailures: 0,
        openedAt: null,
        probeAt: null,
        updatedAt: null,
      };
    }
    const state = stateOfRow(row);
    const config = configOfRow(row, defaultBreakerConfig);
    const counts = windowCounts(state, config, now);
    const probeAt =
      state.status === "open" && !state.forced && state.openedAt !== null
        ? state.openedAt + config.cooldownMs
        : null;
    return {
      ...base,
      status: state.status,
      forced: state.forced,
      consecutiveFailures: state.consecutiveFailures,
      windowCalls: counts.calls,
      windowFailures: counts.failures,
      openedAt: state.openedAt === null ? null : new Date(state.openedAt).toISOString(),
      probeAt: probeAt === null ? null : new Date(probeAt).toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  });
  breakers.sort(byAttention);
  return {
    now: new Date(now).toISOString(),
    since: new Date(since).toISOString(),
    breakers,
    transitions: transitions.map(
      (t): BreakerTransitionDto => ({
        id: t.id,
        key: t.breakerKey,
        from: asStatus(t.fromStatus),
        to: asStatus(t.toStatus),
        reason: t.reason,
        consecutiveFailures: t.consecutiveFailures,
        windowCalls: t.windowCalls,
        windowFailures: t.windowFailures,
        actorEmail: t.actorEmail,
        at: t.at.toISOString(),
      }),
    ),
  };
}

const statusRank: Record<BreakerStatusName, number> = { open: 0, half_open: 1, closed: 2 };
const kindRank: Record<BreakerKind, number> = { model: 0, agent: 1, tool: 2, other: 3 };

/** Open breakers first, then by kind and name, so what needs attention is at the top. */
function byAttention(a: BreakerDto, b: BreakerDto): number {
  return (
    statusRank[a.status] - statusRank[b.status] ||
    kindRank[a.kind] - kindRank[b.kind] ||
    a.name.localeCompare(b.name)
  );
}

export type BreakerCommand = "force_open" | "reset";

/**
 * A person trips or resets a breaker. The transition (with the actor) and the audit row commit
 * together under the breaker's row lock; every process sees the change within a poll (at once
 * through the NOTIFY the transition sends).
 */
export async function commandBreaker(
  actor: Actor,
  key: string,
  command: BreakerCommand,
  now = Date.now(),
): Promise<{ key: string; status: BreakerStatusName }> {
  const parsed = breakerKeySchema.safeParse(key);
  if (!parsed.success) throw new AppError("invalid", "Choose a breaker.");
  // Only breakers that exist or that this deployment's teams can trip: no rows for typos.
  const [existing] = await db()
    .select({ key: schema.breakers.key })
    .from(schema.breakers)
    .where(eq(schema.breakers.key, parsed.data));
  if (!existing && !catalog().includes(parsed.data))
    throw new AppError("not_found", "No such breaker.");
  return db().transaction(async (tx) => {
    const result = await applyInTransaction(
      tx,
      parsed.data,
      { type: command },
      now,
      defaultBreakerConfig,
      actor,
    );
    await recordAudit(tx, actor, {
      action: command === "force_open" ? "breaker.force_open" : "breaker.reset",
      targetType: "breaker",
      targetId: parsed.data,
      before: result.transition ? { status: result.transition.from } : null,
      after: { status: result.state.status, forced: result.state.forced },
    });
    return { key: parsed.data, status: result.state.status };
  });
}
