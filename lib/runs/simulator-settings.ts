import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { settings } from "@/db/schema";
import { log } from "@/lib/log";
import {
  defaultSimulatorConfig,
  SIMULATOR_SETTINGS_KEY,
  type SimulatorConfig,
  simulatorConfigSchema,
} from "@/lib/providers/simulator/config";

/** A config source for the simulator that follows the `settings` row, plus its lifecycle. */
export interface SimulatorSettingsSource {
  (): SimulatorConfig;
  /** Resolves once the first read finished (successfully or not); until then the defaults apply. */
  readonly ready: Promise<void>;
  /** Reads the row now; the background timer calls this every `ttlMs`. */
  refresh(): Promise<void>;
  /** Stops the background timer (tests, shutdown). */
  stop(): void;
}

export interface SimulatorSettingsOptions {
  /** How stale a worker's view of the settings may get. */
  ttlMs?: number;
}

/**
 * The simulator's config as stored under `settings.simulator`, for worker processes. The value is
 * cached and refreshed by a timer, so `generate` reads memory and never waits on the database; a
 * change made in the console reaches every process within about `ttlMs`. A stored value that no
 * longer validates falls back to the defaults (logged once, not on every refresh); a failed read
 * keeps the last good value.
 */
export function simulatorSettingsSource(db: Database, options: SimulatorSettingsOptions = {}): SimulatorSettingsSource {
  const ttlMs = options.ttlMs ?? 1_000;
  let current = defaultSimulatorConfig();
  let inflight: Promise<void> | null = null;
  let warnedInvalid = false;
  let warnedUnreachable = false;

  const load = async () => {
    try {
      const [row] = await db
        .select({ value: settings.value })
        .from(settings)
        .where(eq(settings.key, SIMULATOR_SETTINGS_KEY))
        .limit(1);
      warnedUnreachable = false;
      if (!row) {
        current = defaultSimulatorConfig();
        return;
      }
      const parsed = simulatorConfigSchema.safeParse(row.value);
      if (parsed.success) {
        current = parsed.data;
        warnedInvalid = false;
        return;
      }
      current = defaultSimulatorConfig();
      if (!warnedInvalid) {
        warnedInvalid = true;
        log("warn", "simulator settings are invalid; using the defaults", {
          issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`),
        });
      }
    } catch (error) {
      if (!warnedUnreachable) {
        warnedUnreachable = true;
        log("warn", "simulator settings could not be read; keeping the last value", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };

  const refresh = (): Promise<void> => {
    // One read at a time: a slow database must not pile up overlapping queries.
    inflight ??= load().finally(() => {
      inflight = null;
    });
    return inflight;
  };

  const timer = setInterval(() => void refresh(), ttlMs);
  // A background refresher must never keep a process (a script, a test) alive on its own.
  timer.unref();
  const ready = refresh();

  return Object.assign(() => current, {
    ready,
    refresh,
    stop: () => clearInterval(timer),
  });
}
