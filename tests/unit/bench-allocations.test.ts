import path from "node:path";
import { describe, expect, it } from "vitest";
import { type ProfileNode, selfBytes } from "@/scripts/bench/runtime/allocations";

const node = (functionName: string, url: string, selfSize: number, children: ProfileNode[] = []): ProfileNode => ({
  callFrame: { functionName, url },
  selfSize,
  children,
});

describe("allocation profile", () => {
  it("sums each function's own bytes over every place it appears in the tree", () => {
    const ours = `file://${path.join(process.cwd(), "lib/runs/commit-runs.ts")}`;
    const driver = "file:///srv/app/node_modules/postgres/src/bytes.js";
    const head = node("(root)", "", 0, [
      node("commitRuns", ours, 100, [node("str", driver, 40)]),
      node("drive", ours, 0, [node("commitRuns", ours, 25, [node("", "", 7)])]),
    ]);
    expect(Object.fromEntries(selfBytes(head))).toEqual({
      "commitRuns (lib/runs/commit-runs.ts)": 125,
      "str (postgres/src/bytes.js)": 40,
      "(anonymous) (V8 or Node)": 7,
    });
  });
});
