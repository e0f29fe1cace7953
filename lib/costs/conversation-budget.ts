import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { queryRows } from "@/lib/runs/sql";
import { runCostSoFar } from "./run-cost";
import { chainBudgetScope, DEFAULT_CONVERSATION_SCOPE } from "./scopes";

/**
 * A new turn's conversation budget: the chain's own limit, else the default, else none; and what
 * the conversation's earlier turns already spent, so the budget covers the whole conversation
 * (an earlier turn may still be running: its spend so far counts).
 */
export async function conversationBudgetOf(
  db: Database,
  conversationId: string,
  chain: string,
): Promise<{ limitUsd: number | null; spentUsd: number }> {
  const [row] = await queryRows<{ limit_usd: number | null; spent_usd: number }>(
    db,
    sql`select
      (select limit_usd from budgets where scope in (${chainBudgetScope(chain)}, ${DEFAULT_CONVERSATION_SCOPE})
        order by scope = ${DEFAULT_CONVERSATION_SCOPE} limit 1) as limit_usd,
      (select coalesce(sum(${runCostSoFar}), 0) from runs r where r.conversation_id = ${conversationId}) as spent_usd`,
  );
  return { limitUsd: row?.limit_usd ?? null, spentUsd: Number(row?.spent_usd ?? 0) };
}
