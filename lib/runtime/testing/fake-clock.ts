import { type Clock, type IdGenerator } from "../ports";

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private current: number = Date.UTC(2025, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }
}

/** Deterministic ids: `run_1`, `run_2`, … */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return { newId: (prefix) => `${prefix}_${++n}` };
}
