import { NextRequest } from "next/server";
import { getScriptNonceFromHeader } from "next/dist/server/app-render/get-script-nonce-from-header";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

describe("the CSP proxy", () => {
  it("gives the page and the forwarded request one policy whose nonce Next.js reads itself", () => {
    const response = proxy(new NextRequest("http://localhost:3000/traces"));
    const policy = response.headers.get("content-security-policy");
    // NextResponse.next({ request: { headers } }) forwards request headers as x-middleware-request-*.
    const forwarded = response.headers.get("x-middleware-request-content-security-policy");
    expect(policy).toBeTruthy();
    expect(forwarded).toBe(policy);
    // Next.js stamps its scripts with the nonce it parses from that header (app-render).
    expect(getScriptNonceFromHeader(forwarded!)).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    // Nothing reads a separate nonce header, so none is forwarded.
    expect(response.headers.get("x-middleware-request-x-nonce")).toBeNull();
  });
});
