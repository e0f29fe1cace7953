/**
 * The console's Content-Security-Policy (issue 10, drill 7). Customer messages and tool output are
 * untrusted text rendered in the console, so the policy is the second wall behind React's escaping:
 *
 * - scripts: only those carrying this response's nonce (Next.js stamps it on its own bootstrap and
 *   chunk scripts when it finds the nonce in the request's policy header), and what they load
 *   (`strict-dynamic`); never `unsafe-inline`, so an injected `<script>` or `onerror=` cannot run.
 * - img-src / connect-src / font-src 'self': a rendered markdown image or a fetch cannot carry
 *   data to another host (exfiltration).
 * - styles keep `unsafe-inline`: React and recharts render `style=""` attributes on the server,
 *   which no nonce can cover; with images and connections pinned to self, injected CSS has no
 *   channel out.
 * - frame-ancestors 'none' (clickjacking), object-src 'none' (plugins), base-uri 'self' (a
 *   `<base>` cannot redirect relative script URLs), form-action 'self'.
 */
export function buildContentSecurityPolicy(nonce: string, options: { dev: boolean }): string {
  const script = [`'self'`, `'nonce-${nonce}'`, `'strict-dynamic'`];
  // React's development build evaluates code for its debugging stacks; production never does.
  if (options.dev) script.push(`'unsafe-eval'`);
  const directives: Record<string, string[]> = {
    "default-src": [`'self'`],
    "script-src": script,
    "style-src": [`'self'`, `'unsafe-inline'`],
    "img-src": [`'self'`],
    "font-src": [`'self'`],
    "connect-src": [`'self'`],
    "object-src": [`'none'`],
    "base-uri": [`'self'`],
    "form-action": [`'self'`],
    "frame-ancestors": [`'none'`],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

/** 128 random bits, base64: unguessable and fresh for every response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
