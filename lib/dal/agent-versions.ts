import "server-only";
import { desc, eq, max } from "drizzle-orm";
import { z } from "zod";
import { db, schema } from "@/db";
import { demoChains } from "@/lib/agents";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { agentLimitsSchema, definitionOf } from "@/lib/rollouts/catalog";
import { type AgentDefinition, ConfigurationError, modelTiers } from "@/lib/runtime";
import { baseAgentOf } from "@/lib/runtime/rollout";
import { recordAudit } from "./audit";

export const agentVersionInputSchema = z.object({
  agent: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, "Choose an agent."),
  instructions: z.string().trim().min(10, "At least 10 characters.").max(8000, "At most 8,000 characters."),
  modelTier: z.enum(modelTiers, "Choose a model tier."),
  tools: z.array(z.string()).max(20),
  limits: agentLimitsSchema,
  note: z.string().trim().max(500, "At most 500 characters.").default(""),
});
export type AgentVersionInput = z.infer<typeof agentVersionInputSchema>;

export interface AgentVersionDto {
  id: string;
  chain: string;
  agent: string;
  version: number;
  baseVersion: number;
  instructions: string;
  modelTier: string;
  tools: string[];
  limits: Record<string, number>;
  note: string;
  status: string;
  used: boolean;
  createdByEmail: string | null;
  createdAt: string;
}

/** A code-defined agent a version can derive from, with what the form may offer. */
export interface BaseAgentDto {
  chain: string;
  agent: string;
  version: number;
  modelTier: string;
  tools: string[];
  instructions: string;
}

const v = schema.agentVersions;

/** Console-created versions, newest first. */
export async function listAgentVersions(agent?: string): Promise<AgentVersionDto[]> {
  await authorize("agents:read");
  const rows = await db()
    .select({ row: v, createdByEmail: schema.users.email })
    .from(v)
    .leftJoin(schema.users, eq(schema.users.id, v.createdBy))
    .where(agent ? eq(v.agent, agent) : undefined)
    .orderBy(desc(v.createdAt))
    .limit(200);
  return rows.map(({ row, createdByEmail }) => toDto(row, createdByEmail));
}

function toDto(row: typeof v.$inferSelect, createdByEmail: string | null): AgentVersionDto {
  return {
    id: row.id,
    chain: row.chain,
    agent: row.agent,
    version: row.version,
    baseVersion: row.baseVersion,
    instructions: row.instructions,
    modelTier: row.modelTier,
    tools: row.tools,
    limits: agentLimitsSchema.catch({}).parse(row.limits),
    note: row.note,
    status: row.status,
    used: row.firstUsedAt !== null,
    createdByEmail,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The code-defined agents new versions derive from. */
export async function listBaseAgents(): Promise<BaseAgentDto[]> {
  await authorize("agents:read");
  return baseAgents().map(({ chain, agent }) => ({
    chain,
    agent: agent.name,
    version: agent.version,
    modelTier: agent.modelTier,
    tools: [...agent.tools],
    instructions: agent.instructions,
  }));
}

function baseAgents(): { chain: string; agent: AgentDefinition }[] {
  return demoChains().flatMap((chain) =>
    [...new Set(chain.agents.map((a) => a.name))].map((name) => ({ chain: chain.name, agent: baseAgentOf(chain, name)! })),
  );
}

/** Creates a draft version numbered after every existing one of the agent; audited. */
export async function createAgentVersion(actor: Actor, raw: AgentVersionInput): Promise<AgentVersionDto> {
  const input = agentVersionInputSchema.parse(raw);
  const base = baseAgents().find((b) => b.agent.name === input.agent);
  if (!base) throw new AppError("invalid", "Choose an agent.", { agent: ["Unknown agent."] });
  try {
    return await db().transaction(async (tx) => {
      const [latest] = await tx.select({ top: max(v.version) }).from(v).where(eq(v.agent, input.agent));
      const version = Math.max(latest?.top ?? 0, base.agent.version) + 1;
      const row = {
        id: newId("agv"),
        chain: base.chain,
        agent: input.agent,
        version,
        baseVersion: base.agent.version,
        instructions: input.instructions,
        modelTier: input.modelTier,
        tools: input.tools,
        limits: input.limits,
        note: input.note,
        createdBy: actor.id,
      };
      checkRunnable(row);
      await tx.insert(v).values(row);
      await recordAudit(tx, actor, {
        action: "agent_version.create",
        targetType: "agent_version",
        targetId: row.id,
        after: { agent: row.agent, version, modelTier: row.modelTier, tools: row.tools, limits: row.limits },
      });
      return (await listVersion(tx, row.id))!;
    });
  } catch (error) {
    // Two engineers creating a version of one agent at once: the unique index decides.
    if (isUniqueViolation(error)) throw new AppError("conflict", "Another version was just created; try again.");
    throw error;
  }
}

/** Edits a draft that no run has used yet; a used version is immutable (the DB refuses it too). */
export async function updateAgentVersion(
  actor: Actor,
  id: string,
  raw: Omit<AgentVersionInput, "agent">,
): Promise<AgentVersionDto> {
  const input = agentVersionInputSchema.omit({ agent: true }).parse(raw);
  return db().transaction(async (tx) => {
    const [before] = await tx.select().from(v).where(eq(v.id, id)).for("update");
    if (!before) throw new AppError("not_found", "No such agent version.");
    if (before.firstUsedAt) {
      throw new AppError("conflict", `${before.agent} v${before.version} has been used and cannot change; create a new version.`);
    }
    const next = { ...before, ...input };
    checkRunnable(next);
    await tx
      .update(v)
      .set({ instructions: input.instructions, modelTier: input.modelTier, tools: input.tools, limits: input.limits, note: input.note })
      .where(eq(v.id, id));
    await recordAudit(tx, actor, {
      action: "agent_version.update",
      targetType: "agent_version",
      targetId: id,
      before: { instructions: before.instructions, modelTier: before.modelTier, tools: before.tools, limits: before.limits },
      after: { instructions: input.instructions, modelTier: input.modelTier, tools: input.tools, limits: input.limits },
    });
    return (await listVersion(tx, id))!;
  });
}

function checkRunnable(row: Parameters<typeof definitionOf>[1]): void {
  try {
    definitionOf(demoChains(), row);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw new AppError("invalid", "This version cannot run.", { tools: [error.message] });
    }
    throw error;
  }
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["transaction"]>[0]>[0];

async function listVersion(tx: Tx, id: string): Promise<AgentVersionDto | undefined> {
  const [row] = await tx.select().from(v).where(eq(v.id, id));
  return row ? toDto(row, null) : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}
