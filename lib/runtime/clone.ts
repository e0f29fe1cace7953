/**
 * A deep copy with `structuredClone`'s result for the data a run's state holds, about ten times
 * faster on it: every step copies its checkpoint before changing it, and `structuredClone`
 * serialises to a buffer and back, which was the largest single cost of a step's own CPU
 * (docs/benchmarks.md, eighth pass). Arrays and plain objects are copied here; anything else (a
 * Date an output schema produced, a Map) goes to `structuredClone`, so it is copied, or refused,
 * exactly as before.
 *
 * One difference, which cannot matter for a checkpoint: an object reachable twice is copied twice
 * (`structuredClone` keeps the sharing, and would survive a cycle, which this would not). A
 * checkpoint is stored as JSON and loaded without any sharing, so no code can rely on it.
 */
export function clonePlain<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) {
    // Functions and symbols: let structuredClone refuse them as it always did.
    return typeof value === "function" || typeof value === "symbol"
      ? structuredClone(value)
      : value;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copy((value as Record<string, unknown>)[key]);
    // A model's JSON can carry an own "__proto__" key: assigning it would set the prototype.
    if (key === "__proto__")
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = v;
  }
  return out;
}
