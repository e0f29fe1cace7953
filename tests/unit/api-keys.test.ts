import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { API_KEY_PREFIX, apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@/lib/api/keys";

describe("API key material", () => {
  it("generates sy_live_ + 32 base64url characters, never the same twice", () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const k of keys) expect(k).toMatch(/^sy_live_[A-Za-z0-9_-]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
    expect(API_KEY_PREFIX).toBe("sy_live_");
  });

  it("hashes with SHA-256 as 64 hex characters", () => {
    const key = "sy_demo_switchyard";
    expect(hashApiKey(key)).toBe(createHash("sha256").update(key).digest("hex"));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toBe(hashApiKey(`${key}x`));
  });

  it("shows only a short prefix that does not reveal the secret part", () => {
    const key = generateApiKey();
    const prefix = apiKeyDisplayPrefix(key);
    expect(prefix).toBe(key.slice(0, 12));
    expect(key.length - prefix.length).toBeGreaterThanOrEqual(28);
  });
});
