import { afterEach, describe, expect, it, vi } from "vitest";
import { getEnv, MIN_DATABASE_POOL, resetEnvForTests } from "@/lib/env";

const saved = process.env.DATABASE_POOL_MAX;

describe("DATABASE_POOL_MAX", () => {
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_POOL_MAX;
    else process.env.DATABASE_POOL_MAX = saved;
    resetEnvForTests();
    vi.restoreAllMocks();
  });

  it("accepts 1, valid before LISTEN counted in it, and uses 2 with a warning that says why", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    process.env.DATABASE_POOL_MAX = "1";
    resetEnvForTests();

    expect(getEnv().DATABASE_POOL_MAX).toBe(MIN_DATABASE_POOL);
    expect(warn).toHaveBeenCalledTimes(1);
    const entry = JSON.parse(String(warn.mock.calls[0]?.[0])) as { level: string; message: string };
    expect(entry.level).toBe("warn");
    expect(entry.message).toContain("DATABASE_POOL_MAX=1 is below 2; using 2");
    expect(entry.message).toContain("LISTEN");
    // Parsed once per process: no second warning.
    getEnv();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("keeps 2 and more as set, silently, and refuses 0", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    process.env.DATABASE_POOL_MAX = "2";
    resetEnvForTests();
    expect(getEnv().DATABASE_POOL_MAX).toBe(2);
    expect(warn).not.toHaveBeenCalled();

    process.env.DATABASE_POOL_MAX = "0";
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/DATABASE_POOL_MAX: needs at least 2 connections/);
  });
});
