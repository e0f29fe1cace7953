import { and, eq, inArray, or } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { log } from "@/lib/log";
import { type AgentDefinition, type Chain, ConfigurationError, modelTiers } from "@/lib/runtime";
import { deriveAgent, withAgentVersions } from "@/lib/runtime/rollout";

export const agentLimitsSchema = z
  .object({
    maxTurns: z.number().int().min(1).max(20),
    maxToolCallsPerTurn: z.number().int().min(0).max(20),
    maxOutputTokens: z.number().int().min(1).max(32_000),
  })
  .partial();

/** The columns a version is derived from (a stored row, or a draft being validated). */
export interface VersionRow {
  chain: string;
  agent: string;
  version: number;
  baseVersion: number;
  instructions: string;
  modelTier: string;
  tools: string[];
  limits: unknown;
}

/**
 * Turns a stored version into a runnable definition derived from its code-defined base.
 * @throws ConfigurationError when the base is gone (deployment skew) or the row is invalid.
 */
export function definitionOf(base: readonly Chain[], row: VersionRow): AgentDefinition {
  const chain = base.find((c) => c.name === row.chain);
  const parent = chain?.agents.find((a) => a.name === row.agent && a.version === row.baseVersion);
  if (!parent) throw new ConfigurationError(`no base ${row.agent}@${row.baseVersion} in chain ${row.chain}`);
  const tier = z.enum(modelTiers).safeParse(row.modelTier);
  const limits = agentLimitsSchema.safeParse(row.limits);
  if (!tier.success || !limits.success) throw new ConfigurationError(`${row.agent}@${row.version} is invalid`);
  return deriveAgent(parent, {
    version: row.version,
    instructions: row.instructions,
    modelTier: tier.data,
    tools: row.tools,
    limits: limits.data,
  });
}

/**
 * The agent teams of this process plus the console-created versions runs have pinned. Versions
 * are loaded lazily, by the run that needs them (`ensure`), and never change once loaded because
 * a used version is immutable; so a process pays one query per new version, not per step.
 */
export class AgentCatalog {
  private readonly loaded = new Map<string, AgentDefinition>();
  private current: readonly Chain[];

  constructor(
    private readonly db: () => Database,
    readonly base: readonly Chain[],
  ) {
    this.current = base;
  }

  /** The chains with every loaded version listed. */
  get chains(): readonly Chain[] {
    return this.current;
  }

  /**
   * Makes sure every pinned version is listed in the chains; unknown ones are left to fail the run.
   * @param db the caller's transaction when it has one (PGlite serves one connection at a time).
   */
  async ensure(versions: Readonly<Record<string, number>>, db: Database = this.db()): Promise<void> {
    const missing = Object.entries(versions).filter(([agent, version]) => !this.has(agent, version));
    if (missing.length === 0) return;
    const v = schema.agentVersions;
    this.add(
      await db
        .select()
        .from(v)
        .where(or(...missing.map(([agent, version]) => and(eq(v.agent, agent), eq(v.version, version))))),
    );
  }

  /** Loads every stored version of the given agents (replays and the console list them). */
  async ensureAgents(agents: readonly string[]): Promise<void> {
    if (agents.length === 0) return;
    const v = schema.agentVersions;
    this.add(await this.db().select().from(v).where(inArray(v.agent, [...agents])));
  }

  private add(rows: readonly VersionRow[]): void {
    let changed = false;
    for (const row of rows) {
      const key = `${row.agent}@${row.version}`;
      if (this.loaded.has(key)) continue;
      try {
        this.loaded.set(key, definitionOf(this.base, row));
        changed = true;
      } catch (error) {
        log("warn", "catalog: agent version cannot run here", { agent: row.agent, version: row.version, error: String(error) });
      }
    }
    if (changed) this.rebuild();
  }

  /** Whether a run of this process can pin `agent@version`. */
  has(agent: string, version: number): boolean {
    return this.current.some((c) => c.agents.some((a) => a.name === agent && a.version === version));
  }

  private rebuild(): void {
    const extra = [...this.loaded.values()];
    this.current = this.base.map((chain) => {
      const names = new Set(chain.agents.map((a) => a.name));
      return withAgentVersions(chain, extra.filter((a) => names.has(a.name)));
    });
  }
}
