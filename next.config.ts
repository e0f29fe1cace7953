import path from "node:path";
import type { NextConfig } from "next";

const root = path.dirname(new URL(import.meta.url).pathname);

const nextConfig: NextConfig = {
  // PGlite and its pgvector extension ship WASM and data files that must be loaded from
  // node_modules at run time; bundled, every page that touches the database answers 500
  // (TOOLCHAIN.md).
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "postgres"],
  // A lockfile in a parent folder would otherwise make Next guess the wrong project root.
  turbopack: { root },
  outputFileTracingRoot: root,
  poweredByHeader: false,
  // `npm run typecheck` (tsc --noEmit over the whole repo, tests included) is the type gate in CI;
  // repeating it inside every `next build` would only slow `npm start` down.
  typescript: { ignoreBuildErrors: true },
  // forbidden() renders app/forbidden.tsx with a real 403 when a role opens a page it may not use.
  experimental: { authInterrupts: true },
  headers() {
    return Promise.resolve([
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ]);
  },
};

export default nextConfig;
