import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { newId, newTraceId } from "@/lib/ids";
import {
  llmCallRecord,
  llmCallRows,
  llmCallValues,
  settlementRow,
  spanColumns,
  spanRecord,
  spanRows,
  spanValues,
  stepRecord,
  stepRow,
} from "@/lib/runs/commit-rows";
import { createRunLoop } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { type RunEvent, RunLoop, type RunState, type RunStore } from "@/lib/runtime";
import { MemoryToolLedger } from "@/lib/runtime/testing";
import { commitTrace } from "@/lib/tracing/spans";
import { benchChain, benchParts } from "./switchyard-parts";
import { CUSTOMER_MESSAGE, instantModel } from "./workload";

/**
 * What a step's WAL could be at the least (issue #11 target 2: at most 1.5× the event payload):
 * the bench chain's own commits, one per step, in layouts that store less than production does:
 * the events alone, one row per event (the layout before `run_steps`, with its columns and
 * primary key); the spans and LLM calls alone, as production writes them into tables with the
 * `spans` and `llm_calls` tables' indexes; the events alone as production writes them, one `run_steps` row per step; and that
 * with the run row as before the twelfth pass (its whole checkpoint rewritten by every commit). Against the
 * production write path in the same minutes. WAL is cluster-wide, so this must run while nothing
 * else writes to the server.
 */
export interface WalFloorRow {
  layout: string;
  bytesPerStep: number;
}

export interface WalFloor {
  rows: WalFloorRow[];
  /** JSON of the events per step, as the runtime tables count it (`data::text`). */
  payloadPerStep: number;
  steps: number;
}

interface Commit {
  events: RunEvent[];
  checkpoint: RunState;
  expectedSeq: number;
}

/** Each commit of `count` bench conversations, through the runtime on a memory store. */
async function benchCommits(count: number): Promise<Commit[]> {
  const commits: Commit[] = [];
  const store: RunStore = {
    commitStep: (_runId, expectedSeq, events, checkpoint) => {
      commits.push({ events: [...events], checkpoint, expectedSeq });
      return Promise.resolve();
    },
    loadCheckpoint: () => Promise.resolve(undefined),
  };
  const parts = benchParts(instantModel);
  for (let i = 0; i < count; i++) {
    const loop = new RunLoop({ ...parts, store, ledger: new MemoryToolLedger(), ids: { newId } });
    await loop.start(benchChain.name, CUSTOMER_MESSAGE);
  }
  return commits;
}

export async function measureWalFloor(db: Database, conversations: string[]): Promise<WalFloor> {
  const commits = await benchCommits(conversations.length);
  const steps = commits.length;
  await queryRows(
    db,
    sql`create table wal_floor_events (run_id text not null, seq int not null, type text not null,
      agent text, agent_version int, at timestamptz not null, data jsonb not null,
      primary key (run_id, seq))`,
  );
  await copyTable(db, "wal_floor_steps", "run_steps");
  await copyTable(db, "wal_floor_runs", "runs");
  await copyTable(db, "wal_floor_spans", "spans");
  await copyTable(db, "wal_floor_llm_calls", "llm_calls");
  const walBytes = async (write: () => Promise<void>) => {
    const [before] = await queryRows<{ lsn: string }>(db, sql`select pg_current_wal_lsn()::text as lsn`);
    await write();
    const [after] = await queryRows<{ bytes: number }>(
      db,
      sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${before!.lsn}::pg_lsn)::float8 as bytes`,
    );
    return after!.bytes / steps;
  };
  try {
    const production = await walBytes(async () => {
      for (const conversationId of conversations) {
        const loop = createRunLoop(db, benchParts(instantModel), { newRun: { conversationId, traceId: newTraceId() } });
        await loop.start(benchChain.name, CUSTOMER_MESSAGE);
      }
    });
    // The events one row each, as the production statement wrote them before `run_steps`.
    const perEvent = await walBytes(async () => {
      for (const { events } of commits) await queryRows(db, eventsRow(events));
    });
    // The spans and LLM calls parts of the production statement (commit-runs.ts), into copies of
    // their tables: the rows and index entries a trace costs, without the settling commit's
    // update of the root span.
    const traces = new Map<string, string>();
    const spansOnly = await walBytes(async () => {
      for (const commit of commits) await queryRows(db, spansRow(commit, traces));
    });
    // The events part of the production statement (commit-runs.ts), into a copy of `run_steps`.
    const perStep = await walBytes(async () => {
      for (const { events } of commits) await queryRows(db, stepsRow(events));
    });
    // The same, plus the run row as today: inserted by the run's first commit, its whole
    // checkpoint rewritten by every other, in the same transaction as the step's row.
    await queryRows(db, sql`truncate wal_floor_steps`);
    const perStepWithCheckpoint = await walBytes(async () => {
      for (const commit of commits) {
        await db.transaction(async (tx) => {
          await queryRows(tx, runRow(commit));
          await queryRows(tx, stepsRow(commit.events));
        });
      }
    });
    const [payload] = await queryRows<{ bytes: number }>(
      db,
      sql`select coalesce(sum(octet_length(data::text)), 0)::float8 as bytes from wal_floor_events`,
    );
    return {
      steps,
      payloadPerStep: payload!.bytes / steps,
      rows: [
        { layout: "production (PgRunStore: events, spans, checkpoint, totals)", bytesPerStep: production },
        { layout: "events only, one row per event (the layout before run_steps)", bytesPerStep: perEvent },
        { layout: "spans and LLM calls only, as production writes them (their tables' indexes)", bytesPerStep: spansOnly },
        { layout: "events only, one row per step (run_steps, as production writes it)", bytesPerStep: perStep },
        { layout: "one row per step, and the run row with its checkpoint", bytesPerStep: perStepWithCheckpoint },
      ],
    };
  } finally {
    await queryRows(
      db,
      sql`drop table if exists wal_floor_events, wal_floor_steps, wal_floor_runs, wal_floor_spans, wal_floor_llm_calls`,
    );
  }
}

/** A commit's events one row each, with the columns `run_events` had before `run_steps`. */
function eventsRow(events: readonly RunEvent[]) {
  const rows = events.map(({ runId, seq, type, agent, agentVersion, at, ...data }) => ({
    run_id: runId,
    seq,
    type,
    agent,
    agent_version: agentVersion,
    at,
    data: { type, ...data },
  }));
  return sql`insert into wal_floor_events (run_id, seq, type, agent, agent_version, at, data)
    select x.run_id, x.seq, x.type, x.agent, x.agent_version, to_timestamp(x.at / 1000.0), x.data
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(run_id text, seq int, type text,
      agent text, agent_version int, at double precision, data jsonb)`;
}

/** A commit's events as the production statement writes them: its one `run_steps` row. */
function stepsRow(events: readonly RunEvent[]) {
  const row = stepRow(events[0]!.runId, events);
  return sql`insert into wal_floor_steps (run_id, seq, events)
    select x.run_id, x.seq, x.events from json_to_recordset(${JSON.stringify([row])}::json) as ${stepRecord}`;
}

/** A commit's spans and LLM calls as its production statement inserts them, one trace id per run. */
function spansRow({ events, checkpoint, expectedSeq }: Commit, traces: Map<string, string>) {
  const runId = checkpoint.runId;
  let traceId = traces.get(runId);
  if (!traceId) traces.set(runId, (traceId = newTraceId()));
  const { spans, llmCalls, delta } = commitTrace(runId, events, undefined, checkpoint);
  const settlement = settlementRow({ runId, expectedSeq, checkpoint, events, spans, llmCalls, delta, owner: null, leaseMs: 0 });
  const rows = JSON.stringify(spanRows(runId, spans, settlement));
  const calls = JSON.stringify(llmCallRows(runId, llmCalls));
  return sql`with r as (select ${runId}::text as id, ${traceId}::text as trace_id), s as (
      insert into wal_floor_spans (${sql.raw(spanColumns)})
      select r.trace_id, ${spanValues} from r, jsonb_to_recordset(${rows}::jsonb) as ${spanRecord}
      on conflict (trace_id, span_id) do nothing
    )
    insert into wal_floor_llm_calls (trace_id, span_id, run_id, started_at, duration_ms, agent,
      agent_version, model, tier, status, input_tokens, output_tokens, cached_input_tokens, cost_usd)
    select r.trace_id, ${llmCallValues} from r, jsonb_to_recordset(${calls}::jsonb) as ${llmCallRecord}
    on conflict (trace_id, span_id) do nothing`;
}

/** The run row's write as a commit makes it, without the trace totals and the lease. */
function runRow({ checkpoint: c, expectedSeq }: Commit) {
  const checkpoint = JSON.stringify(c);
  return expectedSeq === 0
    ? sql`insert into wal_floor_runs (id, conversation_id, chain, status, seq, checkpoint, trace_id)
        values (${c.runId}, ${c.runId}, ${c.chain}, ${c.status}, ${c.seq}, ${checkpoint}::json, ${c.runId})`
    : sql`update wal_floor_runs set seq = ${c.seq}, status = ${c.status}, checkpoint = ${checkpoint}::json,
        updated_at = now() where id = ${c.runId}`;
}

/** An empty copy of a table: columns, defaults, indexes and storage options (runs' fillfactor). */
async function copyTable(db: Database, name: string, source: string) {
  const [row] = await queryRows<{ options: string | null }>(
    db,
    sql`select array_to_string(reloptions, ', ') as options from pg_class where oid = ${source}::regclass`,
  );
  const options = row?.options ? ` with (${row.options})` : "";
  await queryRows(db, sql.raw(`create table ${name} (like ${source} including all)${options}`));
}
