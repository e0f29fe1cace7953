export { type AdmittedCall, admitModelCall, settleModelCall, tierOfCall } from "./call";
export {
  applyConversationBudget,
  budgetStage,
  type BudgetBreach,
  type BudgetStage,
  cheaperTier,
  DOWNGRADE_AT,
  finishOnBudget,
} from "./conversation";
export { type SpendDecision, type SpendGate, type SpendRequest } from "./gate";
export {
  callCostUsd,
  DEFAULT_MAX_OUTPUT_TOKENS,
  maxCallCostUsd,
  type ModelPrice,
  type Pricing,
} from "./pricing";
export { type ConversationBudget, conversationBudgetSchema } from "./state";
