import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { type Mix, statementFor } from "@/lib/runs/commit-runs";
import { jsonbValue, queryRows } from "@/lib/runs/sql";
import { setupTestDatabase, testDb } from "../helpers/db";

setupTestDatabase();

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Subplan Name"?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan with the CTE it runs in ("" outside any). */
function nodesByCte(node: PlanNode, cte = ""): { cte: string; node: PlanNode }[] {
  const name = node["Subplan Name"];
  const here = name?.startsWith("CTE ") ? name.slice(4) : cte;
  return [{ cte: here, node }, ...(node.Plans ?? []).flatMap((child) => nodesByCte(child, here))];
}

/**
 * The plan a connection caches for the commit statement after its first executions: the generic
 * one, in which each json_to_recordset counts as 100 rows whatever the commit holds.
 */
async function genericPlan(mix: Mix): Promise<PlanNode> {
  const text = new PgDialect().sqlToQuery(statementFor(mix)).sql;
  const params = new Set(text.match(/\$\d+/g)).size;
  return testDb().transaction(async (tx) => {
    // One connection for all three: a prepared statement belongs to its session.
    await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
    await tx.execute(sql.raw(`prepare commit_plan as ${text}`));
    const [row] = await queryRows<{ "QUERY PLAN": unknown }>(
      tx,
      sql.raw(`explain (format json) execute commit_plan(${Array(params).fill("'[]'").join(", ")})`),
    );
    await tx.execute(sql`deallocate commit_plan`);
    const [top] = jsonbValue(row!["QUERY PLAN"]) as { Plan: PlanNode }[];
    return top!.Plan;
  });
}

describe("a step's commit statement", () => {
  it("reads runs only by primary-key probes in its guard and its written runs, even where hashing the table looks cheaper", async () => {
    // A few hundred runs with their statistics: a table that a hash join, planned for 100 rows
    // from json_to_recordset, would read whole on every commit.
    await testDb().execute(sql`insert into conversations (id, status, chain)
      select 'cnv_plan_' || i, 'running', 'support' from generate_series(1, 400) i`);
    await testDb().execute(sql`insert into runs (id, conversation_id, chain, status, seq, checkpoint, trace_id)
      select 'run_plan_' || i, 'cnv_plan_' || i, 'support', 'running', 1,
        json_build_object('pad', repeat('x', 600)), 'trace_plan_' || i
      from generate_series(1, 400) i`);
    await testDb().execute(sql`analyze runs`);

    for (const mix of [
      { creates: false, continues: true, stores: false, settles: false },
      { creates: false, continues: true, stores: true, settles: true },
      { creates: true, continues: true, stores: true, settles: true },
    ]) {
      const reads = nodesByCte(await genericPlan(mix)).filter(
        ({ cte, node }) => (cte === "es" || cte === "r") && node["Relation Name"] === "runs",
      );
      expect(reads.map(({ cte }) => cte)).toEqual(expect.arrayContaining(["es", "r"]));
      for (const { cte, node } of reads) expect({ cte, scan: node["Node Type"] }).toEqual({ cte, scan: "Index Scan" });
    }
  });
});
