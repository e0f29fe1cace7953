import { type AgentDefinition, type ModelTier } from "../agent";
import { type StepContext } from "../context";
import { type ModelRequest, type ModelResponse } from "../model";
import { type RunState } from "../state";
import { admitCall, type BudgetBreach, chargeCall, effectiveTier } from "./conversation";
import { callCostUsd, maxCallCostUsd } from "./pricing";

/** An admitted call: what was reserved where, to be settled once the call returns. */
export interface AdmittedCall {
  readonly maxUsd: number;
  readonly ticket: string | null;
}

export type Admission = ({ ok: true } & AdmittedCall) | { ok: false; breach: BudgetBreach };

/**
 * The tier a call runs on and, when the conversation budget lowered it, the tier it would have had:
 * the agent's own, or the one a model router chose for the thread (`chosen`).
 */
export function tierOfCall(
  state: RunState,
  agent: AgentDefinition,
  chosen: ModelTier = agent.modelTier,
): { tier: ModelTier; downgradedFrom?: ModelTier } {
  const tier = effectiveTier(state, chosen);
  return tier === chosen ? { tier } : { tier, downgradedFrom: chosen };
}

/**
 * Prices a call before it is made and admits it against the conversation budget (in memory) and
 * the daily budgets (the SpendGate, shared by all processes). Without a Pricing port nothing is
 * governed. A call refused by a daily budget releases its conversation reservation.
 */
export async function admitModelCall(
  ctx: StepContext,
  state: RunState,
  agent: AgentDefinition,
  request: ModelRequest,
): Promise<Admission> {
  if (!ctx.pricing) return { ok: true, maxUsd: 0, ticket: null };
  const price = ctx.pricing.priceOf(ctx.pricing.modelFor(request.tier));
  const maxUsd = price ? maxCallCostUsd(price, request) : 0;
  const breach = admitCall(state, maxUsd);
  if (breach) return { ok: false, breach };
  if (!ctx.spendGate) return { ok: true, maxUsd, ticket: null };
  const decision = await ctx.spendGate.reserve({
    runId: state.runId,
    chain: state.chain,
    agent: agent.name,
    critical: agent.critical,
    maxUsd,
  });
  if (decision.ok) return { ok: true, maxUsd, ticket: decision.ticket };
  chargeCall(state, maxUsd, 0);
  const { scope, spentUsd, limitUsd } = decision;
  return { ok: false, breach: { scope, spentUsd, limitUsd } };
}

/**
 * Charges an admitted call with its real cost (null when it failed or its model has no price, in
 * which case nothing is charged) and settles its daily reservation.
 */
export async function settleModelCall(
  ctx: StepContext,
  state: RunState,
  admitted: AdmittedCall,
  response: ModelResponse | null,
): Promise<number | null> {
  const price = response && ctx.pricing ? ctx.pricing.priceOf(response.model) : null;
  const costUsd = response && price ? callCostUsd(price, response.usage) : null;
  chargeCall(state, admitted.maxUsd, costUsd ?? 0);
  if (admitted.ticket !== null && ctx.spendGate) await ctx.spendGate.settle(admitted.ticket, costUsd ?? 0);
  return costUsd;
}
