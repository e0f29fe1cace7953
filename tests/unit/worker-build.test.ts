import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WORKER_NODE_FLAGS } from "@/scripts/bundle";

describe("the compiled worker", () => {
  it("starts with the node flags the benchmark's children run with", () => {
    const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts["build:worker"]).toBe("tsx scripts/build-worker.ts");
    expect(scripts.worker).toBe(
      `${scripts["build:worker"]} && node ${WORKER_NODE_FLAGS.join(" ")} dist/worker.mjs`,
    );
  });
});
