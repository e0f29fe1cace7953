/**
 * The runtime benchmark's workload, shared by every framework under test so that only the
 * framework differs: a 4-step chain (triage → research → respond → review) in which each step
 * makes one model call and hands its answer to the next. The model is a plain function owned by
 * the harness: it answers at once (throughput runs) or after a fixed delay (latency-bound run),
 * and it timestamps every call, which is how per-step time is measured the same way everywhere.
 */
export const STAGES = ["triage", "research", "respond", "review"] as const;
export type Stage = (typeof STAGES)[number];

export const CUSTOMER_MESSAGE =
  "Hello, my invoice for March shows the annual plan charged twice (two payments of $240 on the " +
  "3rd). Please refund one of them and confirm that my subscription stays active. Thanks, Dana";

/** What each stage's model answers: a few hundred bytes, like a short structured reply. */
export const STAGE_OUTPUT: Readonly<Record<Stage, string>> = {
  triage:
    "category: billing; intent: duplicate_charge_refund; urgency: normal; language: en; " +
    "customer_sentiment: polite; needs: verify both March payments of $240, refund one, confirm " +
    "the subscription remains active; route to research with invoice details.",
  research:
    "Found two captured payments of $240.00 on 3 March for the annual plan, same card, 41 seconds " +
    "apart; the second is a retry duplicate. Subscription status: active until 3 March next year. " +
    "Refund policy: duplicate charges are refunded in full within 5 business days.",
  respond:
    "Hi Dana, thanks for flagging this. You were charged twice for the annual plan on 3 March; the " +
    "second $240 payment was a duplicate. I've refunded it in full, and it should reach your card " +
    "within 5 business days. Your subscription stays active until next March.",
  review:
    "Hi Dana, thanks for flagging this. You were charged twice for the annual plan on 3 March; the " +
    "second $240 payment was a duplicate and has been refunded in full (allow up to 5 business " +
    "days). Your subscription remains active until next March. Anything else I can help with?",
};

/** The expected final answer of a conversation: every adapter must return it, or the run fails. */
export const FINAL_OUTPUT = STAGE_OUTPUT.review;

/** The model as every framework calls it: one call per step, with the previous step's output. */
export type StepModel = (stage: Stage, input: string) => Promise<string>;

/** The model that answers each stage at once: what the untimed and WAL-only runs call. */
export const instantModel: StepModel = (stage) => Promise.resolve(STAGE_OUTPUT[stage]);

/** A framework under test. Everything but `converse` happens outside the timed window. */
export interface Adapter<Ctx> {
  readonly name: string;
  /** Connects (pool of `poolMax` connections) and creates the framework's tables. */
  open(url: string, poolMax: number): Promise<Ctx>;
  /** Ids for `count` new conversations, with any row the framework needs to exist beforehand. */
  prepare(ctx: Ctx, count: number, label: string): Promise<string[]>;
  /** One conversation: all four steps, durably; resolves with the final stage's output. */
  converse(ctx: Ctx, id: string, model: StepModel): Promise<string>;
  /** Bytes of event payload (JSON text) stored for these conversations, if the framework keeps an event log. */
  eventBytes?(ctx: Ctx, ids: readonly string[]): Promise<number>;
  close(ctx: Ctx): Promise<void>;
}
