import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { log } from "@/lib/log";
import { resetRedactorForTests } from "@/lib/security/secrets";

// Quotes and backslashes are escaped in JSON: a redactor that ran on the line would miss it.
const SECRET = 'pa"ss\\word-with-quotes-0123';
const saved = { AUTH_SECRET: process.env.AUTH_SECRET, PORT: process.env.PORT };

function restore(name: keyof typeof saved) {
  if (saved[name] === undefined) delete process.env[name];
  else process.env[name] = saved[name];
}

function captured(spy: MockInstance<typeof console.warn>): { line: string; entry: Record<string, unknown> } {
  const line = String(spy.mock.calls.at(-1)?.[0]);
  return { line, entry: JSON.parse(line) as Record<string, unknown> };
}

describe("log redaction", () => {
  let spy: MockInstance<typeof console.warn>;
  beforeEach(() => {
    spy = vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    spy.mockRestore();
    restore("AUTH_SECRET");
    restore("PORT");
    resetEnvForTests();
    resetRedactorForTests();
  });

  it("redacts a secret with quotes and backslashes in values, nested values and keys", () => {
    process.env.AUTH_SECRET = SECRET;
    resetEnvForTests();
    resetRedactorForTests();
    log("warn", "driver failed", { error: `auth with ${SECRET} refused`, nested: { list: [SECRET] }, [SECRET]: 1 });

    const { line, entry } = captured(spy);
    expect(line).not.toContain(JSON.stringify(SECRET).slice(1, -1));
    expect(line).not.toContain("word-with-quotes");
    expect(entry).toMatchObject({
      level: "warn",
      message: "driver failed",
      error: "auth with [redacted] refused",
      nested: { list: ["[redacted]"] },
      "[redacted]": 1,
    });
  });

  it("still redacts key formats when the environment is invalid", () => {
    process.env.PORT = "not a port";
    resetEnvForTests();
    resetRedactorForTests();
    log("warn", "provider said", { error: "bad key sk-abcdefghijklmnopqrstuvwxyz" });
    expect(captured(spy).entry.error).toBe("bad key [redacted]");
  });
});
