import type { Query, SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "@/db/client";

const dialect = new PgDialect();

/**
 * Runs raw SQL on either driver and returns its rows: postgres.js answers with an array,
 * PGlite with `{ rows }`. The hot paths of the runtime use hand-written single statements
 * (one round trip, one commit), so they go through here rather than the query builder.
 *
 * The query is named, which makes postgres.js keep it as a prepared statement per connection
 * (keyed by its text). `db.execute` sends an unnamed one instead, for which postgres.js first
 * asks the server for the parameter types: two round trips and a parse and plan of the whole
 * statement on every call. On a step's commit that cost about a third of the step
 * (docs/benchmarks.md, breakdown). PGlite ignores the name. Callers must keep the number of
 * distinct statement texts bounded (no IN lists of varying length): each one is kept until
 * postgres.js retires the connection (max_lifetime, 30–60 minutes by default; db/client.ts keeps
 * that default on purpose, as it bounds what a connection holds).
 */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  return run<T>(db, dialect.sqlToQuery(query), undefined);
}

const compiled = new WeakMap<SQL, Query>();

/**
 * `queryRows` for a statement built once with `sql.placeholder(name)` for every value: its text is
 * compiled on first use and only the values travel after that. For the hottest statements (a
 * step's commit), where rebuilding the text from the template on every call is measurable CPU.
 */
export async function queryCompiled<T>(db: Database, query: SQL, values: Record<string, unknown>): Promise<T[]> {
  let q = compiled.get(query);
  if (!q) compiled.set(query, (q = dialect.sqlToQuery(query)));
  return run<T>(db, q, values);
}

async function run<T>(db: Database, query: Query, values: Record<string, unknown> | undefined): Promise<T[]> {
  const prepared = db._.session.prepareQuery(query, undefined, "switchyard_query", false);
  const result: unknown = await prepared.execute(values);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

/**
 * A jsonb column read through `queryRows` or `queryCompiled`: drizzle's postgres.js driver leaves
 * json as text for its column mappers, PGlite parses it. Like drizzle's own jsonb mapper, text that
 * is not JSON (a string scalar PGlite already parsed) is the value itself.
 */
export function jsonbValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
