import { testDb } from "./db";

/** One statement the code under test sent through the process's database handle. */
export interface RecordedQuery {
  sql: string;
  /** Rows the statement returned. */
  rows: number;
}

interface Prepared {
  execute: (...args: unknown[]) => Promise<unknown>;
}
interface Session {
  prepareQuery: (...args: unknown[]) => Prepared;
}

/**
 * Records every statement `fn` sends through testDb() (the query builder, `execute` and
 * queryRows all prepare through the one session), with the rows each returned. Statements in a
 * transaction go through a session of their own and are not seen: use it on read paths. Nothing
 * else may use the database while it runs, or its statements are counted too.
 */
export async function recordQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: RecordedQuery[] }> {
  const session = (testDb() as unknown as { _: { session: Session } })._.session;
  const queries: RecordedQuery[] = [];
  const original = Object.prototype.hasOwnProperty.call(session, "prepareQuery") ? session.prepareQuery : undefined;
  const inherited = session.prepareQuery;
  session.prepareQuery = function (this: Session, ...args: unknown[]) {
    const prepared = inherited.apply(this, args);
    const query = args[0] as { sql: string };
    const execute = prepared.execute.bind(prepared);
    prepared.execute = async (...rest: unknown[]) => {
      const result = await execute(...rest);
      queries.push({ sql: query.sql, rows: rowCount(result) });
      return result;
    };
    return prepared;
  };
  try {
    return { result: await fn(), queries };
  } finally {
    if (original) session.prepareQuery = original;
    else delete (session as Partial<Session>).prepareQuery;
  }
}

function rowCount(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? rows.length : 0;
}
