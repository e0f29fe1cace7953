import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * The reliability drills (issue 10, tests/drills): long-running, mostly multi-process and so on
 * PostgreSQL. They are not part of `npm test`; `npm run drills` runs them one file at a time so
 * one drill's load never skews another's figures. (Spread, not mergeConfig: that would append
 * to `include` instead of replacing it.)
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["tests/drills/**/*.drill.ts"],
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
