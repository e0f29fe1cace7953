import postgres from "postgres";

/**
 * Row count and content checksum of every table in the public schema, for drills that must show
 * "0 data changed". `api_keys.last_used_at` is left out: an authenticated request records that the
 * key was used before its body is read, which is bookkeeping rather than a change the caller made.
 */
export type Fingerprint = Record<string, { rows: number; md5: string }>;

const ignoredColumns = ["last_used_at"];

export async function fingerprintDatabase(databaseUrl: string): Promise<Fingerprint> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
    const out: Fingerprint = {};
    for (const { name } of tables) {
      const stripped = ignoredColumns.map((c) => `- '${c}'`).join(" ");
      const [row] = await sql.unsafe<{ rows: string; md5: string }[]>(
        `select count(*) as rows, md5(coalesce(string_agg((to_jsonb(t) ${stripped})::text, '|' order by (to_jsonb(t) ${stripped})::text), '')) as md5 from "${name}" t`,
      );
      out[name] = { rows: Number(row!.rows), md5: row!.md5 };
    }
    return out;
  } finally {
    await sql.end();
  }
}

/** Tables whose rows or content differ between two fingerprints, one line each. */
export function fingerprintDiff(before: Fingerprint, after: Fingerprint): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((n) => {
    const a = before[n];
    const b = after[n];
    if (a?.rows === b?.rows && a?.md5 === b?.md5) return [];
    return [`${n}: ${a?.rows ?? "absent"} → ${b?.rows ?? "absent"} rows${a?.rows === b?.rows ? " (content changed)" : ""}`];
  });
}

/**
 * A fingerprint once the server's background work (evaluation sampling, spend settlement) has
 * gone quiet: two fingerprints `quietMs` apart that agree. A drill's baseline must not count the
 * tail of its own setup as a change. The default outlasts the evaluation sampler: it ticks every
 * 5 s and takes a run only once its end is 5 s old, then the judge's call writes its rate-limit
 * grant, breaker row and score.
 */
export async function settledFingerprint(databaseUrl: string, quietMs = 12_000, maxMs = 120_000): Promise<Fingerprint> {
  const deadline = Date.now() + maxMs;
  let last = await fingerprintDatabase(databaseUrl);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const next = await fingerprintDatabase(databaseUrl);
    if (fingerprintDiff(last, next).length === 0) return next;
    if (Date.now() > deadline) throw new Error(`the database never went quiet: ${fingerprintDiff(last, next).join("; ")}`);
    last = next;
  }
}
