import { type AgentDefinition } from "../agent";
import { asInput, assembleChain, type Chain, type ChainBase, type Transition } from "../chain";
import { ConfigurationError } from "../errors";
import { type RunState } from "../state";
import { formatIssues } from "../validation";

/** A pipeline stage where a human reviews (and may edit) the previous stage's output. */
export interface HumanReviewStage {
  readonly kind: "human_review";
  readonly prompt: string;
}

export type PipelineStage = AgentDefinition | HumanReviewStage;

/** A human-in-the-loop stage: parks the run as `waiting_for_human` until a decision arrives. */
export function humanReview(prompt: string): HumanReviewStage {
  return { kind: "human_review", prompt };
}

export interface PipelineConfig extends ChainBase {
  /** Stages in order; the first must be an agent. */
  stages: readonly PipelineStage[];
  /** Further agents reachable only through handoffs from a stage. */
  agents?: readonly AgentDefinition[];
  /**
   * When true, each stage after the first gets the run input and every earlier stage's output
   * (a {@link PipelineContext} as JSON) instead of only the previous output: for pipelines whose
   * later stages must still see the original document.
   */
  accumulate?: boolean;
}

/** A stage's input in an accumulating pipeline: outputs are keyed by the agent that produced them. */
export interface PipelineContext {
  readonly input: string;
  readonly outputs: Record<string, unknown>;
}

function isReview(stage: PipelineStage | undefined): stage is HumanReviewStage {
  return stage !== undefined && "kind" in stage && stage.kind === "human_review";
}

/**
 * A pipeline: each stage's validated output is the next stage's input; the last stage's output
 * answers the run. Review stages hand the value to a human, who approves (optionally editing it)
 * or rejects, which escalates.
 */
export function pipeline(config: PipelineConfig): Chain {
  const { stages } = config;
  const first = stages[0];
  if (!first || isReview(first))
    throw new ConfigurationError(`pipeline ${config.name} must start with an agent`);
  const stageAgents = stages.filter((stage): stage is AgentDefinition => !isReview(stage));
  const inputFor = (state: Readonly<RunState>, done: number, value: unknown): string =>
    config.accumulate ? JSON.stringify(contextOf(state, done, value)) : asInput(value);
  const advance = (state: Readonly<RunState>, done: number, value: unknown): Transition => {
    const nextIndex = done + 1;
    const next = stages[nextIndex];
    if (next === undefined) return { kind: "complete", output: value };
    if (isReview(next))
      return { kind: "review", stage: nextIndex, prompt: next.prompt, payload: value };
    const input = inputFor(state, done, value);
    return {
      kind: "continue",
      open: [{ agent: next.name, role: "stage", index: nextIndex, input }],
    };
  };
  return assembleChain(config, {
    pattern: "pipeline",
    agents: [...new Set([...stageAgents, ...(config.agents ?? [])])],
    entry: (input) => [{ agent: first.name, role: "stage", index: 0, input }],
    onOutput: (state, thread, output) => advance(state, thread.index, output),
    onReview: (state, interruption, decision) => {
      if (!decision.approved) {
        return {
          kind: "escalate",
          reason: "rejected_by_human",
          detail: decision.note ?? `stage ${interruption.stage} rejected`,
        };
      }
      if (decision.output === undefined)
        return advance(state, interruption.stage, interruption.payload);
      return advance(
        state,
        interruption.stage,
        checkEdit(stages[interruption.stage - 1], decision.output),
      );
    },
  });
}

/** An edited value must still satisfy the schema of the stage that produced the original. */
function checkEdit(producer: PipelineStage | undefined, edited: unknown): unknown {
  if (!producer || isReview(producer) || !producer.outputSchema) return edited;
  const parsed = producer.outputSchema.safeParse(edited);
  if (!parsed.success)
    throw new ConfigurationError(
      `edited output is invalid: ${formatIssues(parsed.error).join("; ")}`,
    );
  return parsed.data;
}

/**
 * The run input and the outputs of the finished stages up to `done`; `value` (the output being
 * passed on, possibly edited by a human reviewer) replaces that of the stage that produced it.
 */
function contextOf(state: Readonly<RunState>, done: number, value: unknown): PipelineContext {
  const finished = state.threads
    .filter((t) => t.role === "stage" && t.status === "done" && t.index <= done)
    .sort((a, b) => a.index - b.index);
  const outputs: Record<string, unknown> = {};
  for (const thread of finished) outputs[thread.agent] = thread.output;
  const producer = finished.at(-1);
  if (producer) outputs[producer.agent] = value;
  return { input: state.input, outputs };
}
