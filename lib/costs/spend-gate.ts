import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import { queryRows } from "@/lib/runs/sql";
import type { SpendDecision, SpendGate, SpendRequest } from "@/lib/runtime";
import { agentDailyScope, apiKeyDailyScope, GLOBAL_DAILY_SCOPE, parseScope } from "./scopes";

export interface PgSpendGateOptions {
  /** A reservation whose call never settles (its process died) stops counting after this. */
  reservationTtlMs?: number;
  /** How stale this process's list of configured daily budgets may get. */
  configTtlMs?: number;
}

interface Booking {
  day: string;
  scopes: string[];
}

/**
 * Daily budgets (global, per agent, per API key) enforced across processes in PostgreSQL.
 *
 * `reserve` locks the day's counter rows of every scope the call falls under (in scope order, so
 * two workers cannot deadlock), refuses when any is used up, and otherwise adds the call's cost
 * bound to `reserved_usd`; `settle` swaps that bound for the real cost. Because admission and
 * reservation happen under the row lock, concurrent workers see each other's calls in flight and
 * a budget is overspent by at most the one call admitted last. Critical agents are never refused
 * but still counted. A call under no configured budget costs no database write at all.
 */
export class PgSpendGate implements SpendGate {
  private readonly reservationTtlMs: number;
  private configured = new Set<string>();
  private readonly bookings = new Map<string, Booking>();
  private readonly apiKeyOfRun = new Map<string, string | null>();
  private readonly timers: NodeJS.Timeout[] = [];
  readonly ready: Promise<void>;

  constructor(
    private readonly db: Database,
    options: PgSpendGateOptions = {},
  ) {
    this.reservationTtlMs = options.reservationTtlMs ?? 180_000;
    const refresh = setInterval(() => void this.refresh(), options.configTtlMs ?? 1_000);
    const sweep = setInterval(() => void this.sweepExpired().catch(logSweepFailure), Math.max(1_000, this.reservationTtlMs / 4));
    for (const timer of [refresh, sweep]) {
      timer.unref();
      this.timers.push(timer);
    }
    this.ready = this.refresh();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /** Re-reads which daily budgets exist (their limits are read under the lock at each call). */
  async refresh(): Promise<void> {
    try {
      const rows = await queryRows<{ scope: string }>(this.db, sql`select scope from budgets where scope like 'daily:%'`);
      this.configured = new Set(rows.map((r) => r.scope));
    } catch (error) {
      log("warn", "daily budgets could not be read; keeping the last list", { error: messageOf(error) });
    }
  }

  async reserve(request: SpendRequest): Promise<SpendDecision> {
    // Right after start the list of budgets is not loaded yet: without this wait, the first calls
    // of a fresh process would pass every daily limit unchecked.
    await this.ready;
    const scopes = (await this.scopesOf(request)).filter((s) => this.configured.has(s)).sort();
    if (scopes.length === 0) return { ok: true, ticket: null };
    const day = utcDay(Date.now());
    const ticket = newId("rsv");
    const decision = await this.db.transaction(async (tx) => {
      for (const scope of scopes) {
        // The day's sum over LLM calls runs only when today's counter is created, and only for a
        // budget that still exists (the configured list may be up to one refresh old).
        await tx.execute(sql`insert into budget_spend (scope, day, spent_usd)
          select ${scope}, ${day}::date, (${spentSoFar(scope, day)}) from budgets b
          where b.scope = ${scope}
            and not exists (select 1 from budget_spend where scope = ${scope} and day = ${day}::date)
          on conflict (scope, day) do nothing`);
      }
      const rows = await queryRows<{ scope: string; spent_usd: number; reserved_usd: number; limit_usd: number }>(
        tx,
        sql`select s.scope, s.spent_usd, s.reserved_usd, b.limit_usd
          from budget_spend s join budgets b on b.scope = s.scope
          where s.day = ${day}::date and s.scope in ${list(scopes)}
          order by s.scope for update of s`,
      );
      if (rows.length === 0) return { ok: true as const, ticket: null, booked: [] };
      const spent = rows.find((r) => r.spent_usd + r.reserved_usd >= r.limit_usd);
      if (spent && !request.critical) {
        return { ok: false as const, scope: spent.scope, spentUsd: spent.spent_usd, limitUsd: spent.limit_usd };
      }
      const booked = rows.map((r) => r.scope);
      await tx.execute(sql`update budget_spend set reserved_usd = reserved_usd + ${request.maxUsd}, updated_at = now()
        where day = ${day}::date and scope in ${list(booked)}`);
      await tx.execute(sql`insert into budget_reservations (id, day, scopes, amount_usd, expires_at)
        values (${ticket}, ${day}::date, array[${sql.join(booked.map((scope) => sql`${scope}`), sql`, `)}]::text[], ${request.maxUsd},
          now() + ${this.reservationTtlMs} * interval '1 millisecond')`);
      return { ok: true as const, ticket, booked };
    });
    if (!decision.ok) return decision;
    // Only after the commit: a rolled-back reservation leaves nothing to settle.
    if (decision.ticket) this.bookings.set(decision.ticket, { day, scopes: decision.booked });
    return { ok: true, ticket: decision.ticket };
  }

  async settle(ticket: string, actualUsd: number): Promise<void> {
    const booking = this.bookings.get(ticket);
    this.bookings.delete(ticket);
    if (!booking || booking.scopes.length === 0) return;
    try {
      // A reservation already swept as expired releases nothing twice; the cost still counts.
      await this.db.execute(sql`
        with r as (delete from budget_reservations where id = ${ticket} returning amount_usd)
        update budget_spend set spent_usd = spent_usd + ${actualUsd},
          reserved_usd = greatest(0, reserved_usd - coalesce((select amount_usd from r), 0)), updated_at = now()
        where day = ${booking.day}::date and scope in ${list(booking.scopes)}`);
    } catch (error) {
      // The call happened; only the counter lags. Its reservation expires and frees itself.
      log("warn", "spend could not be settled; the reservation will expire", { ticket, error: messageOf(error) });
    }
  }

  /** Releases reservations whose calls never settled. */
  async sweepExpired(): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.db,
      sql`with x as (delete from budget_reservations where expires_at < now() returning day, scopes, amount_usd),
        u as (select scope, x.day, sum(x.amount_usd) as amount from x, unnest(x.scopes) as scope group by scope, x.day),
        b as (update budget_spend set reserved_usd = greatest(0, budget_spend.reserved_usd - u.amount)
          from u where budget_spend.scope = u.scope and budget_spend.day = u.day returning 1)
        select count(*)::int as n from x`,
    );
    return row?.n ?? 0;
  }

  private async scopesOf(request: SpendRequest): Promise<string[]> {
    const scopes = [GLOBAL_DAILY_SCOPE, agentDailyScope(request.agent)];
    const apiKeyId = await this.apiKeyOf(request.runId);
    if (apiKeyId) scopes.push(apiKeyDailyScope(apiKeyId));
    return scopes;
  }

  private async apiKeyOf(runId: string): Promise<string | null> {
    if (this.apiKeyOfRun.has(runId)) return this.apiKeyOfRun.get(runId) ?? null;
    if (![...this.configured].some((s) => s.startsWith("daily:api_key:"))) return null;
    const [row] = await queryRows<{ api_key_id: string | null }>(
      this.db,
      sql`select c.api_key_id from runs r join conversations c on c.id = r.conversation_id where r.id = ${runId}`,
    );
    // A run's conversation never changes its key; the cache is bounded, not evicted per entry.
    if (this.apiKeyOfRun.size > 10_000) this.apiKeyOfRun.clear();
    this.apiKeyOfRun.set(runId, row?.api_key_id ?? null);
    return row?.api_key_id ?? null;
  }
}

/** Today's spend so far from the recorded LLM calls, for a counter created in the middle of a day. */
function spentSoFar(scope: string, day: string) {
  const parsed = parseScope(scope);
  const since = sql`${`${day}T00:00:00Z`}::timestamptz`;
  const llm = sql`s.started_at >= ${since} and s.started_at < ${since} + interval '1 day'`;
  if (parsed?.kind === "daily_agent") {
    return sql`select coalesce(sum(s.cost_usd), 0) from llm_calls s where ${llm} and s.agent = ${parsed.target}`;
  }
  if (parsed?.kind === "daily_api_key") {
    return sql`select coalesce(sum(s.cost_usd), 0) from llm_calls s join runs r on r.id = s.run_id
      join conversations c on c.id = r.conversation_id where ${llm} and c.api_key_id = ${parsed.target}`;
  }
  return sql`select coalesce(sum(s.cost_usd), 0) from llm_calls s where ${llm}`;
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

function list(values: readonly string[]) {
  return sql`(${sql.join(values.map((value) => sql`${value}`), sql`, `)})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function logSweepFailure(error: unknown): void {
  log("warn", "expired spend reservations could not be released", { error: messageOf(error) });
}
