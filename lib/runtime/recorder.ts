import { type EventDraft, type EventPayload } from "./events";
import { type Clock } from "./ports";

/** Who an event is attributed to. */
export interface AgentRef {
  readonly name: string;
  readonly version: number;
}

/**
 * Collects a step's events in memory. Nothing is written here: the loop turns the drafts into
 * sequenced events and commits them together with the checkpoint in one write.
 */
export class EventRecorder {
  readonly drafts: EventDraft[] = [];

  constructor(private readonly clock: Clock) {}

  /** A run-level event (no agent). */
  run(payload: EventPayload): void {
    this.drafts.push({ ...payload, at: this.clock.now(), agent: null, agentVersion: null });
  }

  /** An event attributed to one agent version. */
  agent(agent: AgentRef, payload: EventPayload): void {
    this.drafts.push({
      ...payload,
      at: this.clock.now(),
      agent: agent.name,
      agentVersion: agent.version,
    });
  }

  /** Appends another recorder's drafts (a thread's, recorded concurrently) in order. */
  append(other: EventRecorder): void {
    this.drafts.push(...other.drafts);
  }
}
