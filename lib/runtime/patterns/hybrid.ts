import { type AgentDefinition } from "../agent";
import { asInput, assembleChain, type Chain, type ChainBase, type Transition } from "../chain";
import { ConfigurationError } from "../errors";
import { type AgentRef } from "../recorder";
import { type RunState } from "../state";
import {
  enterGroup,
  groupEntry,
  onPeerOutput,
  type PeerGroup,
  peerGroup,
  type PeerGroupConfig,
} from "./mesh";

/** An orchestrated stage (one agent, audited, in order) or a peer group working as one stage. */
export type HybridStage = AgentDefinition | PeerGroup;

export interface HybridConfig extends ChainBase {
  /** In order: each stage's result is the next one's input; the last one's answers the run. */
  stages: readonly HybridStage[];
  /** Agents outside the stages, e.g. a fallback rung standing in for a peer. */
  agents?: readonly AgentDefinition[];
}

export interface MeshConfig extends ChainBase, Omit<PeerGroupConfig, "name"> {
  /** The group's name in events and the trace; default `mesh`. */
  group?: string;
  agents?: readonly AgentDefinition[];
}

const isGroup = (stage: HybridStage | undefined): stage is PeerGroup =>
  stage !== undefined && "kind" in stage && stage.kind === "peer_group";

/**
 * A hybrid chain: the critical path is a sequence of orchestrated stages (threads with the
 * `orchestrator` role), and routine sub-tasks run as peer groups between them
 * (patterns/mesh.ts). The boundary is the chain definition itself: `peerGroup({...})` marks a
 * stage as peers, and every thread carries which part it belongs to, down to the trace.
 */
export function hybrid(config: HybridConfig): Chain {
  return coordinated(config, config.stages, "hybrid");
}

/**
 * A mesh: peers only, no coordinator. The run's input is published on the entry topic; peers
 * publish durable events that open their subscribers' threads; when nothing is left running the
 * group's settled answer (or every peer's output) answers the run.
 */
export function mesh(config: MeshConfig): Chain {
  const group = peerGroup({ ...config, name: config.group ?? "mesh" });
  return coordinated(config, [group], "mesh");
}

function coordinated(
  config: ChainBase & { agents?: readonly AgentDefinition[] },
  stages: readonly HybridStage[],
  pattern: "mesh" | "hybrid",
): Chain {
  const first = stages[0];
  if (!first) throw new ConfigurationError(`${pattern} ${config.name} has no stages`);
  const groups = stages.filter(isGroup);
  if (new Set(groups.map((g) => g.name)).size !== groups.length)
    throw new ConfigurationError(`${pattern} ${config.name}: peer group names must be unique`);
  const stageAgents = stages.flatMap((s) => (isGroup(s) ? s.peers.map((p) => p.agent) : [s]));
  const advance = (
    state: Readonly<RunState>,
    done: number,
    value: unknown,
    by?: AgentRef,
  ): Transition => {
    const next = stages[done + 1];
    if (next === undefined) return { kind: "complete", output: value };
    if (isGroup(next)) return enterGroup(next, state, value, done + 1, by);
    return {
      kind: "continue",
      open: [{ agent: next.name, role: "orchestrator", index: done + 1, input: asInput(value) }],
    };
  };
  return assembleChain(config, {
    pattern,
    agents: [...new Set([...stageAgents, ...(config.agents ?? [])])],
    entry: (input) =>
      isGroup(first)
        ? groupEntry(first, input)
        : [{ agent: first.name, role: "orchestrator", index: 0, input }],
    onOutput: (state, thread, output) => {
      const stage = stages[thread.index];
      if (thread.role !== "peer" || !isGroup(stage)) {
        return advance(state, thread.index, output, { name: thread.agent, version: thread.version });
      }
      return onPeerOutput(stage, state, thread, output, (result) =>
        advance(state, thread.index, pattern === "mesh" && "answer" in result ? result.answer : result),
      );
    },
  });
}
