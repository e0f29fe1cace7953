import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { closeDatabase, getDatabase, queryPoolSize } from "@/db/client";
import { resetEnvForTests } from "@/lib/env";
import { listenForBreakers, listenForRuns } from "@/lib/runs/notify";
import { setupTestDatabase } from "../helpers/db";

setupTestDatabase();

const onPostgres = Boolean(process.env.DATABASE_URL) && !process.env.SWITCHYARD_EMBEDDED_DB;

describe("DATABASE_POOL_MAX", () => {
  it("leaves one connection of the total for LISTEN", () => {
    expect([2, 3, 10].map(queryPoolSize)).toEqual([1, 2, 9]);
  });

  // Found by the load drill (tests/drills/load.drill.ts): a saturated pool plus the LISTEN
  // connection was one connection over the configured total.
  it.runIf(onPostgres)("is the whole process's connection count, with the pool saturated and LISTEN on", async () => {
    const poolMax = 4;
    await closeDatabase();
    process.env.DATABASE_POOL_MAX = String(poolMax);
    resetEnvForTests();
    const db = getDatabase();
    const name = new URL(process.env.DATABASE_URL!).pathname.slice(1);
    const observer = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const stopRuns = await listenForRuns(() => {});
    const stopBreakers = await listenForBreakers(() => {});
    try {
      const busy = Promise.all(Array.from({ length: poolMax * 3 }, () => db.execute(sql`select pg_sleep(0.3)`)));
      let peak = 0;
      for (let i = 0; i < 8; i++) {
        const [row] = await observer<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where datname = ${name} and backend_type = 'client backend' and pid <> pg_backend_pid()`;
        peak = Math.max(peak, row!.n);
        await new Promise((r) => setTimeout(r, 100));
      }
      await busy;
      expect(peak).toBe(poolMax);
    } finally {
      await stopRuns();
      await stopBreakers();
      await observer.end();
      delete process.env.DATABASE_POOL_MAX;
      resetEnvForTests();
    }
  });
});
