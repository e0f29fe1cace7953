import { type NextRequest, NextResponse } from "next/server";
import { getEnv } from "@/lib/env";
import { buildContentSecurityPolicy, newNonce } from "@/lib/security/csp";

/**
 * Next 16's proxy (formerly middleware): gives every page response a fresh nonce and the policy
 * that names it. The policy also goes on the forwarded request, where Next.js reads the nonce from
 * the Content-Security-Policy header itself and stamps it on the scripts it renders (no page reads
 * the nonce, so no separate header carries it). It does no authorization: every page, action and route
 * handler checks the session itself (STYLE.md), so a request that skipped this file would only
 * miss its CSP, never reach data it may not see.
 */
export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const policy = buildContentSecurityPolicy(nonce, { dev: getEnv().NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: route handlers answer JSON, static chunks are served as files.
      source: "/((?!api|_next/static|_next/image|favicon.ico).*)",
      // A prefetch's payload is not a document: no nonce to stamp.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
