import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clonePlain } from "@/lib/runtime/clone";

/** Every object and array reachable from `value`. */
function containers(value: unknown, out = new Set<object>()): Set<object> {
  if (typeof value !== "object" || value === null) return out;
  out.add(value);
  for (const v of Object.values(value)) containers(v, out);
  return out;
}

describe("clonePlain", () => {
  it("copies any JSON value as structuredClone does, sharing nothing with the original", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = clonePlain(value);
        expect(copy).toStrictEqual(structuredClone(value));
        const original = containers(value);
        for (const c of containers(copy)) expect(original.has(c)).toBe(false);
      }),
    );
  });

  it("keeps keys whose value is undefined, and null-prototype objects", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const copy = clonePlain({ gone: undefined, bare });
    expect(Object.keys(copy)).toEqual(["gone", "bare"]);
    expect(copy.bare).toEqual({ a: 1 });
    expect(copy.bare).not.toBe(bare);
  });

  it("copies an own __proto__ key as a key, as JSON.parse makes it", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<
      string,
      unknown
    >;
    const copy = clonePlain(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(copy).toStrictEqual(structuredClone(parsed));
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("hands anything but arrays and plain objects to structuredClone", () => {
    const at = new Date(1_700_000_000_000);
    const copy = clonePlain({ output: { at, tags: new Map([["k", [1]]]) } });
    expect(copy.output.at).toBeInstanceOf(Date);
    expect(copy.output.at).not.toBe(at);
    expect(copy.output.at.getTime()).toBe(at.getTime());
    expect(copy.output.tags).toBeInstanceOf(Map);
    expect(copy.output.tags.get("k")).toEqual([1]);
    expect(() => clonePlain({ f: () => 1 })).toThrow(/could not be cloned/);
  });

  it("leaves the original alone when the copy changes", () => {
    const state = { threads: [{ id: "t1", messages: [{ role: "user", content: "hi" }] }] };
    const copy = clonePlain(state);
    copy.threads[0]!.messages.push({ role: "assistant", content: "hello" });
    copy.threads[0]!.id = "t2";
    expect(state).toEqual({ threads: [{ id: "t1", messages: [{ role: "user", content: "hi" }] }] });
  });
});
