import "server-only";
import { eq } from "drizzle-orm";
import { db, schema } from "@/db";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { getEnv } from "@/lib/env";
import {
  readTrafficSetting,
  TRAFFIC_SETTING_KEY,
  trafficAllowedByEnv,
  trafficGeneratorRunning,
} from "@/lib/runs/traffic";
import { recordAudit } from "./audit";

export interface TrafficSettingsDto {
  /** The operators' switch (settings row "traffic"); true when never set. */
  enabled: boolean;
  /** SWITCHYARD_DEMO_TRAFFIC as configured. */
  envMode: "auto" | "on" | "off";
  /** Whether the environment lets the generator run at all (auto: only on the embedded database). */
  allowedByEnv: boolean;
  /** Whether this server process runs the generator now. */
  runningHere: boolean;
  updatedAt: string | null;
}

export async function getTrafficSettings(): Promise<TrafficSettingsDto> {
  await authorize("settings:read");
  const env = getEnv();
  const [setting, [row]] = await Promise.all([
    readTrafficSetting(db()),
    db()
      .select({ updatedAt: schema.settings.updatedAt })
      .from(schema.settings)
      .where(eq(schema.settings.key, TRAFFIC_SETTING_KEY)),
  ]);
  return {
    enabled: setting.enabled,
    envMode: env.SWITCHYARD_DEMO_TRAFFIC,
    allowedByEnv: trafficAllowedByEnv(env),
    runningHere: trafficGeneratorRunning(),
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

/**
 * Turns the demo traffic on or off for every process: the generator reads the row on each tick,
 * so the change takes effect within seconds. The change and its audit row land together.
 */
export async function setTrafficEnabled(actor: Actor, enabled: boolean): Promise<{ enabled: boolean }> {
  return db().transaction(async (tx) => {
    const [current] = await tx
      .select({ value: schema.settings.value })
      .from(schema.settings)
      .where(eq(schema.settings.key, TRAFFIC_SETTING_KEY))
      .for("update");
    const value = { enabled };
    await tx
      .insert(schema.settings)
      .values({ key: TRAFFIC_SETTING_KEY, value, updatedBy: actor.id })
      .onConflictDoUpdate({
        target: schema.settings.key,
        set: { value, updatedBy: actor.id, updatedAt: new Date() },
      });
    await recordAudit(tx, actor, {
      action: "settings.traffic",
      targetType: "setting",
      targetId: TRAFFIC_SETTING_KEY,
      before: current?.value ?? null,
      after: value,
    });
    return value;
  });
}
