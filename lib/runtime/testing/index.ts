/** Test doubles for the runtime's ports: use them in unit tests, benchmarks and demos. */
export { FakeClock, sequentialIds } from "./fake-clock";
export { type CommitCheck, MemoryRunStore } from "./memory-run-store";
export { replayCheck } from "./replay-check";
export { MemoryToolLedger } from "./memory-tool-ledger";
export {
  handoffTo,
  type RecordedCall,
  type ScriptedResponse,
  ScriptedModel,
} from "./scripted-model";
export { MemoryBreakerStore } from "./memory-breaker-store";
