import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside React's server build; tests run server code directly.
      "server-only": path.join(root, "tests/helpers/server-only.ts"),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    environment: "node",
    // next-auth imports "next/server" without an extension, which only a bundler resolves.
    server: { deps: { inline: ["next-auth", "@auth/core"] } },
    // Each file gets its own process, so each gets its own in-memory PGlite, copied from one
    // migrated once per run (tests/global-setup.ts).
    pool: "forks",
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      // Integration tests run on PostgreSQL when DATABASE_URL is set, else on in-memory PGlite.
      PGLITE_DATA_DIR: "memory://",
      DATA_DIR: path.join(root, ".data/test"),
      NODE_ENV: "test",
    },
  },
});
