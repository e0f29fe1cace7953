import "server-only";
import { eq } from "drizzle-orm";
import { db, schema } from "@/db";
import { authorize, type Actor } from "@/lib/auth/authorize";
import {
  defaultSimulatorConfig,
  SIMULATOR_SETTINGS_KEY,
  type SimulatorConfig,
  simulatorConfigSchema,
} from "@/lib/providers/simulator/config";
import { recordAudit } from "./audit";

export interface SimulatorSettingsDto {
  config: SimulatorConfig;
  /** `defaults`: nothing stored yet; `invalid`: the stored value no longer validates, defaults apply. */
  source: "stored" | "defaults" | "invalid";
  updatedAt: string | null;
  updatedByEmail: string | null;
}

const s = schema.settings;

/** What every worker runs the simulator with right now (they pick up changes within ~1 s). */
export async function getSimulatorSettings(): Promise<SimulatorSettingsDto> {
  await authorize("settings:read");
  const [row] = await db()
    .select({ value: s.value, updatedAt: s.updatedAt, updatedByEmail: schema.users.email })
    .from(s)
    .leftJoin(schema.users, eq(schema.users.id, s.updatedBy))
    .where(eq(s.key, SIMULATOR_SETTINGS_KEY))
    .limit(1);
  if (!row) return { config: defaultSimulatorConfig(), source: "defaults", updatedAt: null, updatedByEmail: null };
  const parsed = simulatorConfigSchema.safeParse(row.value);
  return {
    config: parsed.success ? parsed.data : defaultSimulatorConfig(),
    source: parsed.success ? "stored" : "invalid",
    updatedAt: row.updatedAt.toISOString(),
    updatedByEmail: row.updatedByEmail ?? null,
  };
}

/** Replaces the simulator's config; the change and its audit row (before/after) commit together. */
export async function updateSimulatorSettings(actor: Actor, input: SimulatorConfig): Promise<SimulatorConfig> {
  // Validated again here: the data layer must not trust that every caller went through a form.
  const config = simulatorConfigSchema.parse(input);
  return db().transaction(async (tx) => {
    const [before] = await tx
      .select({ value: s.value })
      .from(s)
      .where(eq(s.key, SIMULATOR_SETTINGS_KEY))
      .for("update");
    const now = new Date();
    await tx
      .insert(s)
      .values({ key: SIMULATOR_SETTINGS_KEY, value: config, updatedBy: actor.id, updatedAt: now })
      .onConflictDoUpdate({ target: s.key, set: { value: config, updatedBy: actor.id, updatedAt: now } });
    await recordAudit(tx, actor, {
      action: "simulator.update",
      targetType: "settings",
      targetId: SIMULATOR_SETTINGS_KEY,
      before: before?.value ?? null,
      after: config,
    });
    return config;
  });
}
