/** Canary rollouts: derived agent versions, sticky assignment, the stage machine and the guard. */
export { baseAgentOf, deriveAgent, type AgentVersionEdit, withAgentVersions } from "./derive";
export {
  type ActiveRollout,
  assignArm,
  type Assignment,
  assignConversation,
  hash32,
  inSample,
  type RolloutArm,
  rolloutBucket,
} from "./assignment";
export {
  canaryPercent,
  isActive,
  nextRollout,
  type RolloutCommand,
  rolloutCommands,
  type RolloutStageState,
  type RolloutStatus,
  rolloutStatuses,
  type RolloutTransition,
  stagesProblem,
} from "./stage";
export {
  armRates,
  type ArmStats,
  defaultGuardConfig,
  type GuardConfig,
  type GuardSignal,
  guardSignals,
  type GuardVerdict,
  judgeRollout,
  readSignals,
  signalLabel,
  type SignalReading,
} from "./guard";
