import { type Pricing } from "./budget/pricing";
import { type SpendGate } from "./budget/gate";
import { type ResponseCache } from "./cache/port";
import { type Chain } from "./chain";
import { type Model, type ModelInvoker } from "./model";
import { type Clock, type ToolLedger } from "./ports";
import { type Redactor } from "./redaction";
import { type ToolRegistry } from "./tools";

/** The ports one step needs. Built by the run loop; step functions receive nothing else. */
export interface StepContext {
  readonly chain: Chain;
  readonly model: Model;
  readonly invoke: ModelInvoker;
  readonly tools: ToolRegistry;
  readonly ledger: ToolLedger;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Cost governance (budget/): without pricing, calls are neither priced nor budgeted. */
  readonly pricing?: Pricing;
  readonly spendGate?: SpendGate;
  /** Answers of agents whose definition enables caching (cache/). */
  readonly cache?: ResponseCache;
  /** Scrubs known secrets from what models and tools return (redaction.ts). */
  readonly redactor?: Redactor;
  /**
   * The ports one thread's turn uses, where they differ by thread: a replay answers each thread
   * from its own part of the log (log-replay/). Live steps share one context.
   */
  readonly forThread?: (threadId: string) => StepContext;
}
