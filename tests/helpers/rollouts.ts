import * as schema from "@/db/schema";
import { demoChains, demoTools } from "@/lib/agents";
import { newId } from "@/lib/ids";
import { SimulatorModel } from "@/lib/providers/simulator";
import { AgentCatalog } from "@/lib/rollouts/catalog";
import { RolloutRouting } from "@/lib/rollouts/routing";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { type ToolDefinition, ToolRegistry } from "@/lib/runtime";
import { testDb } from "./db";

/** The demo teams on an instant simulator, with console-created versions and rollouts wired in. */
export function rolloutParts(tools: ToolDefinition[] = demoTools()): RuntimeParts {
  const catalog = new AgentCatalog(testDb, demoChains());
  return {
    get chains() {
      return catalog.chains;
    },
    tools: new ToolRegistry(tools),
    model: new SimulatorModel(),
    versions: new RolloutRouting(catalog),
  };
}

/** A stored version of a demo agent, bypassing the console (tests of what runs it). */
export async function insertVersion(agent: string, version: number, instructions: string, over: { modelTier?: string; tools?: string[] } = {}) {
  const base = demoChains().flatMap((c) => c.agents.map((a) => ({ chain: c.name, a }))).find((x) => x.a.name === agent)!;
  await testDb()
    .insert(schema.agentVersions)
    .values({
      id: newId("agv"),
      chain: base.chain,
      agent,
      version,
      baseVersion: base.a.version,
      instructions,
      modelTier: over.modelTier ?? base.a.modelTier,
      tools: over.tools ?? [...base.a.tools],
      limits: {},
    });
  return base.a;
}
