import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { newId, newTraceId } from "@/lib/ids";
import { eventRecord, eventRows, eventValues } from "@/lib/runs/commit-rows";
import { createRunLoop } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { type RunEvent, RunLoop, type RunStore } from "@/lib/runtime";
import { MemoryToolLedger } from "@/lib/runtime/testing";
import { benchChain, benchParts } from "./switchyard-parts";
import { CUSTOMER_MESSAGE, STAGE_OUTPUT, type StepModel } from "./workload";

/**
 * What a step's WAL could be at the least (issue #11 target 2: at most 1.5× the event payload):
 * the bench chain's own events, written one commit per step, in two layouts that store nothing
 * else: one row per event with run_events's columns and primary key (as today), and one row per
 * step holding that step's events. Against the production write path in the same minutes. WAL
 * is cluster-wide, so this must run while nothing else writes to the server.
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

const instant: StepModel = (stage) => Promise.resolve(STAGE_OUTPUT[stage]);

/** Each commit's events of `count` bench conversations, through the runtime on a memory store. */
async function benchCommits(count: number): Promise<RunEvent[][]> {
  const commits: RunEvent[][] = [];
  const store: RunStore = {
    commitStep: (_runId, _expected, events) => {
      commits.push([...events]);
      return Promise.resolve();
    },
    loadCheckpoint: () => Promise.resolve(undefined),
  };
  const parts = benchParts(instant);
  for (let i = 0; i < count; i++) {
    const loop = new RunLoop({ ...parts, store, ledger: new MemoryToolLedger(), ids: { newId } });
    await loop.start(benchChain.name, CUSTOMER_MESSAGE);
  }
  return commits;
}

export async function measureWalFloor(db: Database, conversations: string[]): Promise<WalFloor> {
  const commits = await benchCommits(conversations.length);
  const steps = commits.length;
  await queryRows(db, sql`create table wal_floor_events (like run_events including all)`);
  await queryRows(
    db,
    sql`create table wal_floor_steps (run_id text not null, seq int not null,
      at timestamptz not null, events jsonb not null, primary key (run_id, seq))`,
  );
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
        const loop = createRunLoop(db, benchParts(instant), { newRun: { conversationId, traceId: newTraceId() } });
        await loop.start(benchChain.name, CUSTOMER_MESSAGE);
      }
    });
    // The events part of the production statement (commit-runs.ts), into a table of its own.
    const perEvent = await walBytes(async () => {
      for (const events of commits) {
        await queryRows(
          db,
          sql`insert into wal_floor_events (run_id, seq, type, agent, agent_version, at, data)
            select x.run_id, ${eventValues}
            from jsonb_to_recordset(${JSON.stringify(eventRows(events))}::jsonb) as ${eventRecord}`,
        );
      }
    });
    const perStep = await walBytes(async () => {
      for (const events of commits) {
        const last = events.at(-1)!;
        const data = JSON.stringify(eventRows(events).map((row) => row.data));
        await queryRows(
          db,
          sql`insert into wal_floor_steps (run_id, seq, at, events)
            values (${last.runId}, ${last.seq}, to_timestamp(${last.at} / 1000.0), ${data}::jsonb)`,
        );
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
        { layout: "events only, one row per event (run_events's layout)", bytesPerStep: perEvent },
        { layout: "events only, one row per step", bytesPerStep: perStep },
      ],
    };
  } finally {
    await queryRows(db, sql`drop table if exists wal_floor_events, wal_floor_steps`);
  }
}
