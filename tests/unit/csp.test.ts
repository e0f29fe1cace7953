import { describe, expect, it } from "vitest";
import { buildContentSecurityPolicy, newNonce } from "@/lib/security/csp";

const directives = (policy: string) =>
  Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

describe("the console's Content-Security-Policy", () => {
  it("allows scripts only by this response's nonce, never inline, and pins images and connections to self", () => {
    const policy = directives(buildContentSecurityPolicy("abc123abc123abc123abc1==", { dev: false }));
    expect(policy["script-src"]).toEqual(["'self'", "'nonce-abc123abc123abc123abc1=='", "'strict-dynamic'"]);
    expect(policy["img-src"]).toEqual(["'self'"]);
    expect(policy["connect-src"]).toEqual(["'self'"]);
    expect(policy["frame-ancestors"]).toEqual(["'none'"]);
    expect(policy["object-src"]).toEqual(["'none'"]);
    expect(policy["base-uri"]).toEqual(["'self'"]);
  });

  it("adds eval only for the development build, still without unsafe-inline", () => {
    const dev = directives(buildContentSecurityPolicy("n0nce-n0nce-n0nce", { dev: true }))["script-src"];
    expect(dev).toContain("'unsafe-eval'");
    expect(dev).not.toContain("'unsafe-inline'");
  });

  it("makes a fresh 128-bit nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    expect([...nonces][0]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
