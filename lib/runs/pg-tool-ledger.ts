import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import type { LedgerEntry, ToolLedger, ToolOutcome } from "@/lib/runtime";
import { jsonbValue, queryRows } from "./sql";

interface LedgerRow {
  key: string;
  tool: string;
  input: unknown;
  status: "started" | "completed";
  attempts: number;
  started_ms: number;
  finished_ms: number | null;
  result: unknown;
}

const columns = sql`key, tool, input, status, attempts,
  (extract(epoch from started_at) * 1000)::float8 as started_ms,
  (extract(epoch from finished_at) * 1000)::float8 as finished_ms, result`;

/**
 * The tool idempotency ledger in the database. `begin` is one upsert that either records the
 * intent or bumps the attempt counter of the existing entry, so two workers racing on the same
 * key both see one row; the run id is the key's first segment (`run:step:call`).
 */
export class PgToolLedger implements ToolLedger {
  constructor(private readonly db: Database) {}

  async begin(key: string, intent: { tool: string; input: unknown; at: number }): Promise<LedgerEntry> {
    const runId = key.split(":")[0] ?? key;
    const [row] = await queryRows<LedgerRow>(
      this.db,
      sql`insert into tool_ledger (key, run_id, tool, input, status, attempts, started_at)
        values (${key}, ${runId}, ${intent.tool}, ${JSON.stringify(intent.input ?? null)}::jsonb,
          'started', 1, to_timestamp(${intent.at} / 1000.0))
        on conflict (key) do update set attempts = tool_ledger.attempts + 1
        returning ${columns}`,
    );
    return toEntry(row!);
  }

  async complete(key: string, result: ToolOutcome, at: number): Promise<void> {
    await this.db.execute(
      sql`update tool_ledger set status = 'completed', result = ${JSON.stringify(result)}::jsonb,
        finished_at = to_timestamp(${at} / 1000.0)
        where key = ${key} and status = 'started'`,
    );
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    const [row] = await queryRows<LedgerRow>(
      this.db,
      sql`select ${columns} from tool_ledger where key = ${key}`,
    );
    return row ? toEntry(row) : undefined;
  }
}

function toEntry(row: LedgerRow): LedgerEntry {
  const parse = jsonbValue;
  return {
    key: row.key,
    tool: row.tool,
    input: parse(row.input),
    status: row.status,
    attempts: row.attempts,
    startedAt: Number(row.started_ms),
    finishedAt: row.finished_ms === null ? undefined : Number(row.finished_ms),
    result: row.status === "completed" ? (parse(row.result) as ToolOutcome) : undefined,
  };
}
