import "server-only";
import { eq, sql } from "drizzle-orm";
import { db, schema } from "@/db";
import { demoChains } from "@/lib/agents";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { type BudgetInput, budgetInputSchema, budgetScopeSchema } from "@/lib/costs/inputs";
import { parseScope } from "@/lib/costs/scopes";
import { AppError } from "@/lib/errors";
import { recordAudit } from "./audit";

const b = schema.budgets;

/** What a budget can apply to in this deployment: its chains, agents and API keys. */
export interface BudgetTargetsDto {
  chains: string[];
  agents: { name: string; critical: boolean }[];
  apiKeys: { id: string; name: string; prefix: string }[];
}

export async function listBudgetTargets(): Promise<BudgetTargetsDto> {
  await authorize("budgets:read");
  return { ...deploymentTargets(), apiKeys: await activeApiKeys() };
}

/**
 * Sets (creates or replaces) the limit of one scope. The target must exist: a budget on a
 * misspelt agent would silently govern nothing. Audited with before and after, same transaction.
 */
export async function setBudget(actor: Actor, input: BudgetInput): Promise<{ scope: string; limitUsd: number }> {
  const { scope, limitUsd } = budgetInputSchema.parse(input);
  await assertTargetExists(scope);
  return db().transaction(async (tx) => {
    const [before] = await tx.select({ limitUsd: b.limitUsd }).from(b).where(eq(b.scope, scope)).for("update");
    const now = new Date();
    await tx
      .insert(b)
      .values({ scope, limitUsd, updatedBy: actor.id, updatedAt: now })
      .onConflictDoUpdate({ target: b.scope, set: { limitUsd, updatedBy: actor.id, updatedAt: now } });
    await recordAudit(tx, actor, {
      action: before ? "budget.update" : "budget.create",
      targetType: "budget",
      targetId: scope,
      before: before ?? null,
      after: { limitUsd },
    });
    return { scope, limitUsd };
  });
}

/** Removes a budget. Today's counter goes too, so a budget set again later starts from the spans. */
export async function removeBudget(actor: Actor, rawScope: string): Promise<{ scope: string }> {
  const scope = budgetScopeSchema.parse(rawScope);
  return db().transaction(async (tx) => {
    const [removed] = await tx.delete(b).where(eq(b.scope, scope)).returning({ limitUsd: b.limitUsd });
    if (!removed) throw new AppError("not_found", "That budget no longer exists.");
    await tx.execute(sql`delete from budget_spend where scope = ${scope}`);
    await recordAudit(tx, actor, { action: "budget.remove", targetType: "budget", targetId: scope, before: removed, after: null });
    return { scope };
  });
}

function deploymentTargets(): Omit<BudgetTargetsDto, "apiKeys"> {
  const chains = demoChains();
  const agents = new Map<string, boolean>();
  for (const agent of chains.flatMap((c) => c.agents)) agents.set(agent.name, (agents.get(agent.name) ?? false) || agent.critical);
  return {
    chains: chains.map((c) => c.name),
    agents: [...agents].map(([name, critical]) => ({ name, critical })).sort((x, y) => x.name.localeCompare(y.name)),
  };
}

async function activeApiKeys() {
  const k = schema.apiKeys;
  const rows = await db()
    .select({ id: k.id, name: k.name, prefix: k.prefix })
    .from(k)
    .where(sql`${k.revokedAt} is null`)
    .orderBy(k.name)
    .limit(500);
  return rows;
}

async function assertTargetExists(scope: string): Promise<void> {
  const parsed = parseScope(scope);
  const targets = deploymentTargets();
  const known =
    !parsed || parsed.target === null
      ? parsed !== null
      : parsed.kind === "conversation_chain"
        ? targets.chains.includes(parsed.target)
        : parsed.kind === "daily_agent"
          ? targets.agents.some((a) => a.name === parsed.target)
          : (await activeApiKeys()).some((k) => k.id === parsed.target);
  if (!known) throw new AppError("invalid", "Please correct the highlighted fields.", { scope: ["No such chain, agent or API key."] });
}
