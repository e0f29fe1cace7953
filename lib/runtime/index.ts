/**
 * Switchyard's runtime core: versioned agents, tools, chains in four patterns and a step loop
 * that persists every step with one write. Framework-free: stores, model, clock and ids are
 * injected ports. Test doubles live in `./testing`.
 */
export {
  agentKey,
  type AgentDefinition,
  type AgentInput,
  type AgentLimits,
  defineAgent,
  type ModelTier,
  modelTiers,
  type TierRange,
} from "./agent";
export {
  type ContextPolicy,
  compactText,
  describePolicy,
  fullContext,
  lastTurns,
  stateFields,
} from "./context-policy/policy";
export { summarizerAgent, SUMMARY_SO_FAR, TURNS_TO_ADD } from "./context-policy/summarizer";
export {
  clampTier,
  modelRouterAgent,
  type RoutingDecision,
  type RoutingRequest,
  tiersIn,
} from "./routing/router";
export {
  EARLIER_HEADER,
  LATEST_MESSAGE_MARKER,
  splitTranscript,
} from "./context-policy/transcript";
export {
  applyConversationBudget,
  budgetStage,
  type BudgetBreach,
  type BudgetStage,
  callCostUsd,
  cheaperTier,
  type ConversationBudget,
  DEFAULT_MAX_OUTPUT_TOKENS,
  DOWNGRADE_AT,
  maxCallCostUsd,
  type ModelPrice,
  type Pricing,
  type SpendDecision,
  type SpendGate,
  type SpendRequest,
} from "./budget";
export {
  type AgentCacheInput,
  type AgentCachePolicy,
  type CachedAnswer,
  cachePolicyOf,
  type CacheRequest,
  type ResponseCache,
} from "./cache";
export {
  asInput,
  type Chain,
  type ChainLimits,
  type ChainPattern,
  defaultChainLimits,
  type ThreadSpec,
  type Transition,
} from "./chain";
export {
  type BoundKind,
  BoundExceededError,
  ConcurrencyConflict,
  ConfigurationError,
  RuntimeError,
  SystemFailure,
} from "./errors";
export {
  type CompletionBound,
  completionBounds,
  type EventDraft,
  type RunEvent,
  type RunEventType,
  runEventSchema,
  type ToolRefusalReason,
} from "./events";
export {
  invokeOnce,
  type Model,
  type ModelInvoker,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
  type ProviderErrorKind,
  type RetryNotice,
  type TokenUsage,
  type ToolSpec,
} from "./model";
export {
  type Clock,
  type IdGenerator,
  type LedgerEntry,
  type LoadedRun,
  type RunObserver,
  type RunStore,
  systemClock,
  type ToolLedger,
} from "./ports";
export {
  humanReview,
  type HumanReviewStage,
  pipeline,
  type PipelineConfig,
  type PipelineContext,
  type PipelineStage,
} from "./patterns/pipeline";
export { supervisor, type SupervisorConfig } from "./patterns/supervisor";
export {
  gatedReplySchema,
  gateOutput,
  type ReviewerConfig,
  type ReviewRequest,
  revisionFeedbackMarker,
  type ReviewVerdict,
  reviewVerdictSchema,
} from "./patterns/reply-gate";
export {
  orchestratorWorker,
  type OrchestratorWorkerConfig,
  type SubtaskPlan,
  subtaskPlanSchema,
  type SubtaskResult,
} from "./patterns/orchestrator-worker";
export {
  hybrid,
  type HybridConfig,
  type HybridStage,
  mesh,
  type MeshConfig,
} from "./patterns/hybrid";
export {
  type PeerGroup,
  peerGroup,
  type PeerGroupConfig,
  type PeerGroupResult,
  type PeerInput,
  type PeerSpec,
} from "./patterns/mesh";
export {
  type ConflictPolicy,
  type ConflictResolution,
  type PeerAnswer,
  resolveConflict,
} from "./coordination/conflict";
export { type ConflictRule } from "./coordination/events";
export { replyTextOf } from "./reply";
export { resume } from "./resume";
export { handBack, type HandBack, handBackSchema } from "./hand-back";
export { detectHandoffLoop } from "./handoff-loop";
export { RunLoop, type RunLoopDeps, type StartOptions } from "./run-loop";
export {
  type EscalationReason,
  escalationReasons,
  type HumanDecision,
  humanDecisionSchema,
  type Interruption,
  isSettled,
  type Message,
  type RunState,
  runStateSchema,
  turnSummarySchema,
  type RunStatus,
  type Thread,
  type ToolCall,
  type ToolOutcome,
} from "./state";
export { executeStep, type StepResult } from "./step";
export {
  defineTool,
  handoffToolName,
  type SideEffectClass,
  type ToolContext,
  type ToolDefinition,
  ToolRegistry,
} from "./tools";
export {
  applyBreakerEvent,
  type BreakerConfig,
  type BreakerDecision,
  type BreakerEvent,
  type BreakerResult,
  type BreakerState,
  type BreakerStatus,
  breakerStatuses,
  type BreakerTransition,
  defaultBreakerConfig,
  initialBreakerState,
  type TransitionReason,
  transitionReasons,
  windowCounts,
} from "./resilience/breaker";
export { BreakerOpenError, RetriesExhaustedError } from "./resilience/errors";
export {
  abortableSleep,
  defaultBreakerKeys,
  type ResilienceOptions,
  resilientInvoker,
} from "./resilience/invoker";
export { type FallbackLadder, type FallbackRung, TEMPLATE_AUTHOR } from "./resilience/ladder";
export { type BreakerStore, type CallPriority, type RateLimiter } from "./resilience/ports";
export { defaultRetryPolicy, type RetryPolicy } from "./resilience/retry";
export { guardTools } from "./resilience/tool-guard";
export { REDACTED, redactDeep, type Redactor, secretRedactor } from "./redaction";
