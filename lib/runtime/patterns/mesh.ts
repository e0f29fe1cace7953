import { type AgentDefinition } from "../agent";
import { type ThreadSpec, type Transition } from "../chain";
import { type ConflictPolicy, resolveConflict } from "../coordination/conflict";
import { type CoordinationEffect } from "../coordination/effects";
import { ConfigurationError } from "../errors";
import { type AgentRef } from "../recorder";
import { type PeerRef, type RunState, type Thread } from "../state";

/** One member of a peer group: what it listens to and where its answer goes. */
export interface PeerSpec {
  readonly agent: AgentDefinition;
  /** Topics whose messages open a thread of this peer. */
  readonly subscribes: readonly string[];
  /** Topic its validated output is published on; without one it only contributes its output. */
  readonly publishes?: string;
  /**
   * Deduplication namespace, default the agent's name: peers that share one never solve the same
   * message twice between them (the first to receive it does; the others are skipped, recorded).
   */
  readonly solves?: string;
  /** Key of the message it publishes; default the key of the message it answered. */
  readonly key?: (output: unknown, message: PeerRef) => string;
}

export interface PeerGroupConfig {
  /** Unique in the chain; names the group in events, thread refs and the trace. */
  readonly name: string;
  readonly peers: readonly PeerSpec[];
  /** Where the group's input is published; default `task`. */
  readonly entryTopic?: string;
  /** Messages on this topic are the group's answers; several that disagree go to `conflict`. */
  readonly answerTopic?: string;
  /** Default: a person decides any disagreement. */
  readonly conflict?: ConflictPolicy;
  /** The shared context store's designated writers: key → peers that may write it. */
  readonly writers?: Readonly<Record<string, readonly string[]>>;
}

/** A peer group as a chain element (see patterns/hybrid.ts). */
export interface PeerGroup extends PeerGroupConfig {
  readonly kind: "peer_group";
}

/** What a peer thread gets as its one user message (JSON). */
export interface PeerInput {
  readonly group: string;
  readonly topic: string;
  readonly key: string;
  readonly message: unknown;
  /** The shared context store as it stood when the message was delivered. */
  readonly context: Record<string, unknown>;
}

/** What a quiescent group hands on: to the next stage of a hybrid, or as a mesh's answer. */
export interface PeerGroupResult {
  readonly group: string;
  readonly input: unknown;
  /** The settled answer, when the group has an answer topic and someone answered. */
  readonly answer?: unknown;
  /** Each peer's latest output, by peer name. */
  readonly outputs: Record<string, unknown>;
  readonly context: Record<string, unknown>;
}

/** Declares a peer group, checked for topics nobody publishes and writers who are not peers. */
export function peerGroup(config: PeerGroupConfig): PeerGroup {
  const names = config.peers.map((p) => p.agent.name);
  const fail = (why: string) => {
    throw new ConfigurationError(`peer group ${config.name}: ${why}`);
  };
  if (config.peers.length === 0) fail("has no peers");
  if (new Set(names).size !== names.length) fail("lists a peer twice");
  const entry = config.entryTopic ?? "task";
  if (!config.peers.some((p) => p.subscribes.includes(entry))) fail(`nobody subscribes to ${entry}`);
  const published = new Set(config.peers.flatMap((p) => (p.publishes ? [p.publishes] : [])));
  if (config.answerTopic && !published.has(config.answerTopic))
    fail(`nobody publishes ${config.answerTopic}`);
  const strangers = [
    ...Object.values(config.writers ?? {}).flat(),
    ...(config.conflict?.priority ?? []),
  ].filter((name) => !names.includes(name));
  if (strangers.length > 0) fail(`${strangers.join(", ")} are not peers`);
  return Object.freeze({ ...config, kind: "peer_group" as const });
}

/**
 * The threads that count for delivery, deduplication and settling: after a person handed the run
 * back, only those opened since, so the group works the problem afresh instead of finding every
 * sub-problem already solved.
 */
function current(state: Readonly<RunState>): readonly Thread[] {
  return state.threads.slice(state.restartedAt?.threads ?? 0);
}

interface Message {
  readonly topic: string;
  readonly key: string;
  readonly payload: unknown;
}

/** The group's entry message: the input becomes a `published` event and opens its subscribers. */
export function enterGroup(
  group: PeerGroup,
  state: Readonly<RunState>,
  payload: unknown,
  index: number,
  by?: AgentRef,
): Transition {
  const message = { topic: group.entryTopic ?? "task", key: `stage${index}`, payload };
  const context = { ...state.mesh?.context };
  const { open, effects } = deliver(group, state, message, index, context);
  const publish: CoordinationEffect = { kind: "publish", by, group: group.name, hop: false, ...message };
  return { kind: "continue", open, effects: [publish, ...effects] };
}

/** The threads a group opens when a run starts with it (no state yet, so no events either). */
export function groupEntry(group: PeerGroup, input: string): ThreadSpec[] {
  const message = { topic: group.entryTopic ?? "task", key: "stage0", payload: input };
  return deliverTo(group, message, 0, {}, () => undefined).open;
}

/**
 * A peer's output: its context writes (rejected unless it is a designated writer), its publish
 * and the deliveries that opens. Once no thread of the group is running and nothing new was
 * opened, the group is quiescent: its answers are settled by the conflict rule and `settle`
 * decides what follows.
 */
export function onPeerOutput(
  group: PeerGroup,
  state: Readonly<RunState>,
  thread: Thread,
  output: unknown,
  settle: (result: PeerGroupResult) => Transition,
): Transition {
  const ref = thread.peer;
  const spec = group.peers.find((p) => p.agent.name === ref?.as);
  if (!ref || !spec)
    throw new ConfigurationError(`thread ${thread.id} is not a peer of group ${group.name}`);
  const by = { name: thread.agent, version: thread.version };
  const context = { ...state.mesh?.context };
  const effects: CoordinationEffect[] = writesOf(group, thread, ref, output, context, by);
  let open: ThreadSpec[] = [];
  if (spec.publishes) {
    const message = { topic: spec.publishes, key: spec.key?.(output, ref) ?? ref.key, payload: output };
    const delivered = deliver(group, state, message, thread.index, context);
    open = delivered.open;
    effects.push(
      { kind: "publish", by, threadId: thread.id, group: group.name, hop: true, ...message },
      ...delivered.effects,
    );
  }
  const busy = current(state).some((t) => t.peer?.group === group.name && t.status === "running");
  if (open.length > 0 || busy) return { kind: "continue", open, effects };
  return settleGroup(group, state, context, effects, settle);
}

function writesOf(
  group: PeerGroup,
  thread: Thread,
  ref: PeerRef,
  output: unknown,
  context: Record<string, unknown>,
  by: AgentRef,
): CoordinationEffect[] {
  const writes = output && typeof output === "object" && "context" in output ? output.context : undefined;
  if (!writes || typeof writes !== "object" || Array.isArray(writes)) return [];
  return Object.entries(writes as Record<string, unknown>).map(([key, value]) => {
    const accepted = group.writers?.[key]?.includes(ref.as) ?? false;
    if (accepted) context[key] = value;
    const reason = accepted ? undefined : `${ref.as} is not a designated writer of ${key}`;
    return {
      kind: "context_write",
      by,
      threadId: thread.id,
      group: group.name,
      key,
      value,
      accepted,
      ...(reason ? { reason } : {}),
    };
  });
}

function deliver(
  group: PeerGroup,
  state: Readonly<RunState>,
  message: Message,
  index: number,
  context: Record<string, unknown>,
) {
  const solvedBy = (subProblem: string) =>
    current(state).find((t) => t.peer?.subProblem === subProblem)?.peer?.as;
  return deliverTo(group, message, index, context, solvedBy);
}

/**
 * Opens a thread per subscriber unless its sub-problem was already taken (then: a skip, naming
 * the peer that took it, by an earlier thread or by this very delivery).
 */
function deliverTo(
  group: PeerGroup,
  message: Message,
  index: number,
  context: Record<string, unknown>,
  solvedBy: (subProblem: string) => string | undefined,
): { open: ThreadSpec[]; effects: CoordinationEffect[] } {
  const open: ThreadSpec[] = [];
  const effects: CoordinationEffect[] = [];
  for (const peer of group.peers.filter((p) => p.subscribes.includes(message.topic))) {
    const subProblem = `${group.name}:${peer.solves ?? peer.agent.name}:${message.key}`;
    const taken = solvedBy(subProblem) ?? open.find((s) => s.peer?.subProblem === subProblem)?.peer?.as;
    if (taken !== undefined) {
      const { topic, key } = message;
      effects.push({ kind: "skip", group: group.name, topic, key, subProblem, peer: peer.agent.name, solvedBy: taken });
      continue;
    }
    const input: PeerInput = { group: group.name, topic: message.topic, key: message.key, message: message.payload, context };
    open.push({
      agent: peer.agent.name,
      role: "peer",
      index,
      input: JSON.stringify(input),
      peer: { group: group.name, as: peer.agent.name, topic: message.topic, key: message.key, subProblem },
    });
  }
  return { open, effects };
}

function settleGroup(
  group: PeerGroup,
  state: Readonly<RunState>,
  context: Record<string, unknown>,
  effects: CoordinationEffect[],
  settle: (result: PeerGroupResult) => Transition,
): Transition {
  const done = current(state).filter((t) => t.peer?.group === group.name && t.status === "done");
  const outputs: Record<string, unknown> = {};
  for (const t of done) outputs[t.peer!.as] = t.output;
  const input = entryMessage(done, group.entryTopic ?? "task");
  const answerers = group.peers.filter((p) => group.answerTopic && p.publishes === group.answerTopic);
  const answers = answerers.flatMap((p) =>
    p.agent.name in outputs ? [{ agent: p.agent.name, answer: outputs[p.agent.name] }] : [],
  );
  let answer: unknown;
  if (answers.length > 0) {
    const policy = group.conflict ?? { rule: "escalate" as const };
    const resolution = resolveConflict(policy, answers);
    if (answers.length > 1) effects.push({ kind: "conflict", group: group.name, rule: policy.rule, resolution });
    if (resolution.outcome === "escalated")
      return { kind: "escalate", reason: "peer_conflict", detail: resolution.detail, effects };
    answer = resolution.chosen.answer;
  }
  const result: PeerGroupResult = {
    group: group.name,
    input,
    ...(answer === undefined ? {} : { answer }),
    outputs,
    context,
  };
  const next = settle(result);
  return { ...next, effects: [...effects, ...(next.effects ?? [])] };
}

/** The group's input, as its entry message delivered it to a subscriber. */
function entryMessage(done: readonly Thread[], topic: string): unknown {
  const first = done.find((t) => t.peer?.topic === topic)?.messages[0];
  if (first?.role !== "user") return undefined;
  try {
    return (JSON.parse(first.content) as PeerInput).message;
  } catch {
    return undefined;
  }
}
