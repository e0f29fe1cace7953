import { z } from "zod";
import { type AgentDefinition } from "../agent";
import { assembleChain, type Chain, type ChainBase, type Transition } from "../chain";
import { type RunState, type Thread } from "../state";
import { formatIssues } from "../validation";

/** What the orchestrator's output must contain: independent subtasks for named workers. */
export const subtaskPlanSchema = z.object({
  subtasks: z.array(z.object({ worker: z.string(), input: z.string() })).min(1),
});
export type SubtaskPlan = z.infer<typeof subtaskPlanSchema>;

export interface OrchestratorWorkerConfig extends ChainBase {
  /** Plans the work; its output must satisfy {@link subtaskPlanSchema}. */
  orchestrator: AgentDefinition;
  workers: readonly AgentDefinition[];
  /** Combines the workers' outputs; without one the run answers with the list of results. */
  synthesizer?: AgentDefinition;
  /** Upper bound on fan-out width. */
  maxSubtasks?: number;
}

/** One worker's contribution, as handed to the synthesizer. */
export interface SubtaskResult {
  readonly worker: string;
  readonly output: unknown;
}

/**
 * Orchestrator-worker: the orchestrator plans subtasks, all workers run in parallel (each step
 * advances every running worker concurrently), and once the last one is done the results fan in
 * to the synthesizer or become the answer.
 */
export function orchestratorWorker(config: OrchestratorWorkerConfig): Chain {
  const workerNames = new Set(config.workers.map((worker) => worker.name));
  const maxSubtasks = config.maxSubtasks ?? 8;
  const synthesizer = config.synthesizer;
  return assembleChain(config, {
    pattern: "orchestrator_worker",
    agents: [config.orchestrator, ...config.workers, ...(synthesizer ? [synthesizer] : [])],
    entry: (input) => [{ agent: config.orchestrator.name, role: "orchestrator", index: 0, input }],
    onOutput: (state, thread, output) => {
      if (thread.role === "orchestrator") return fanOut(output, workerNames, maxSubtasks);
      if (thread.role === "worker") return fanIn(state, synthesizer);
      return { kind: "complete", output };
    },
  });
}

/** Opens one worker thread per subtask; all of them advance together in the next step. */
function fanOut(
  output: unknown,
  workerNames: ReadonlySet<string>,
  maxSubtasks: number,
): Transition {
  const invalid = (detail: string): Transition => ({
    kind: "escalate",
    reason: "invalid_plan",
    detail,
  });
  const parsed = subtaskPlanSchema.safeParse(output);
  if (!parsed.success) return invalid(formatIssues(parsed.error).join("; "));
  const { subtasks } = parsed.data;
  const unknown = subtasks.filter((task) => !workerNames.has(task.worker));
  if (unknown.length > 0)
    return invalid(`unknown workers: ${unknown.map((t) => t.worker).join(", ")}`);
  if (subtasks.length > maxSubtasks)
    return invalid(`${subtasks.length} subtasks exceed ${maxSubtasks}`);
  const open = subtasks.map((task, index) => ({
    agent: task.worker,
    role: "worker" as const,
    index,
    input: task.input,
  }));
  return { kind: "continue", open };
}

/** Waits for the last running worker, then hands all results to the synthesizer or answers. */
function fanIn(state: Readonly<RunState>, synthesizer: AgentDefinition | undefined): Transition {
  if (state.threads.some((t) => t.role === "worker" && t.status === "running")) {
    return { kind: "continue", open: [] };
  }
  const results = collectResults(state.threads);
  if (!synthesizer) return { kind: "complete", output: results };
  const input = JSON.stringify({ task: state.input, results });
  return {
    kind: "continue",
    open: [{ agent: synthesizer.name, role: "synthesizer", index: 0, input }],
  };
}

/** Done workers in subtask order (a handed-off subtask is represented by its final thread). */
function collectResults(threads: readonly Thread[]): SubtaskResult[] {
  return threads
    .filter((t) => t.role === "worker" && t.status === "done")
    .sort((a, b) => a.index - b.index)
    .map((t) => ({ worker: t.agent, output: t.output }));
}
