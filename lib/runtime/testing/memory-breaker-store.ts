import {
  applyBreakerEvent,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerResult,
  type BreakerState,
  type BreakerTransition,
  defaultBreakerConfig,
  initialBreakerState,
} from "../resilience/breaker";
import { type BreakerStore } from "../resilience/ports";

/**
 * Breakers in memory, for tests and single-process demos. `apply` is synchronous inside, so it
 * is atomic with respect to every other caller on the event loop, like a row lock would be.
 */
export class MemoryBreakerStore implements BreakerStore {
  readonly states = new Map<string, BreakerState>();
  readonly transitions: (BreakerTransition & { key: string; at: number })[] = [];

  constructor(
    private readonly configFor: (key: string) => BreakerConfig = () => defaultBreakerConfig,
  ) {}

  apply(key: string, event: BreakerEvent, now: number): Promise<BreakerResult> {
    const result = applyBreakerEvent(this.state(key), event, this.configFor(key), now);
    this.states.set(key, result.state);
    if (result.transition) this.transitions.push({ ...result.transition, key, at: now });
    return Promise.resolve(result);
  }

  state(key: string): BreakerState {
    return this.states.get(key) ?? initialBreakerState;
  }
}
