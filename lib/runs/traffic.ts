import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { DEMO_API_KEY } from "@/db/seed";
import { hashApiKey } from "@/lib/api/keys";
import { AppError } from "@/lib/errors";
import { type Env, getEnv, usesEmbeddedDatabase } from "@/lib/env";
import { log } from "@/lib/log";
import { postCustomerMessage, startConversation } from "./conversations";
import { type RuntimeParts } from "./runtime";
import { defaultRuntimeParts } from "./default-parts";

/**
 * The demo traffic generator: a gentle stream of simulated customers (DESIGN.md: `npm start` →
 * live simulated traffic) so a newcomer's console is alive within a minute. It only ever goes
 * through startConversation/postCustomerMessage, the same path as the public API, and the app's
 * worker answers them like any other conversation.
 */

/** The `settings` row operators flip in Settings → Demo traffic; a missing row means enabled. */
export const TRAFFIC_SETTING_KEY = "traffic";
export const trafficSettingSchema = z.object({ enabled: z.boolean() });
export type TrafficSetting = z.infer<typeof trafficSettingSchema>;

/** SWITCHYARD_DEMO_TRAFFIC: auto is on with the embedded database and off with PostgreSQL. */
export function trafficAllowedByEnv(env: Env = getEnv()): boolean {
  if (env.SWITCHYARD_DEMO_TRAFFIC === "on") return true;
  if (env.SWITCHYARD_DEMO_TRAFFIC === "off") return false;
  return usesEmbeddedDatabase(env);
}

/** The stored setting; an unreadable value counts as the default (enabled) rather than an error. */
export async function readTrafficSetting(db: Database): Promise<TrafficSetting & { stored: boolean }> {
  const [row] = await db
    .select({ value: schema.settings.value })
    .from(schema.settings)
    .where(eq(schema.settings.key, TRAFFIC_SETTING_KEY));
  const parsed = trafficSettingSchema.safeParse(row?.value);
  return parsed.success ? { ...parsed.data, stored: true } : { enabled: true, stored: false };
}

/** What simulated customers write: realistic, and matched to what the demo team can do. */
export const customerOpeners: readonly string[] = [
  // billing
  "Hi, I was charged twice for my subscription this month. Can you check my billing?",
  "Can I get an invoice for my last payment? Our accountant needs it.",
  "Why did the price of my plan go up? I didn't get any notice about the new billing.",
  "My card payment failed but the money left my account. What happened?",
  // small refunds (issued by the billing agent)
  "Please refund $40 on order ORD-1234, the item arrived damaged.",
  "I returned the charger last week, can I get my money back? It was $19 on order ORD-5521.",
  "Could you refund $12.50 on order ORD-3390? I was billed for shipping twice.",
  "I'd like a refund of $65 on order ORD-8812, I cancelled within the trial.",
  // large refunds (wait for a support lead's approval)
  "I need a refund of $240 on order ORD-7730, the laptop stand never arrived.",
  "Please refund $480 on order ORD-9051 — we were charged for 12 seats instead of 2.",
  "Refund request: $150 on order ORD-6604, the annual plan renewed after I cancelled.",
  // technical, matching the knowledge base
  "I can't log in, how do I reset my password?",
  "My password reset link says it expired. I'm locked out.",
  "The app says 'Sync failed' on my phone since this morning.",
  "Sync failed error on my second device, the notes are not showing up.",
  "How do I install the desktop app on Windows?",
  "The desktop installer won't download, is there a setup guide?",
  "Our integration gets a 429 from the API, what is the rate limit?",
  "Where do I create an API key for our integration?",
  // general
  "Do you ship to Canada?",
  "What are your support hours over the holidays?",
  "Can I change the email address on my account?",
  "Is there a discount for non-profits?",
  "How do I add a teammate to my workspace?",
  // asks for a person
  "I want to talk to a person, not a bot.",
  "Can I speak to a human please? This is the third time I'm writing.",
];

/** Second turns on conversations that are waiting for the customer. */
export const customerFollowUps: readonly string[] = [
  "Thanks, that worked!",
  "That fixed it, thank you.",
  "It still doesn't work, I get the same error after signing in again.",
  "Great. Could you also send me the invoice for that order?",
  "OK, and how long until I see the money back on my card?",
  "Thanks. One more thing: how do I install the desktop app?",
  "I tried that and the sync failed again.",
  "Perfect, have a nice day.",
];

/** Randomness and timing, injectable so tests can run the generator fast and deterministically. */
export interface TrafficOptions {
  db: Database;
  parts?: RuntimeParts;
  random?: () => number;
  /** Delay before the first conversation (a newcomer should see traffic right away). */
  firstDelayMs?: number;
  /** Gap between arrivals, drawn uniformly. */
  intervalMs?: { min: number; max: number };
  /** Chance that a gap is a quiet period instead, and how long quiet periods last. */
  quietChance?: number;
  quietMs?: { min: number; max: number };
  /** While the setting says disabled, how often it is read again. */
  disabledPollMs?: number;
  /** Chance that a tick continues a waiting conversation rather than starting one. */
  followUpChance?: number;
}

export type TickOutcome = "started" | "followed_up" | "disabled" | "busy" | "failed";

/**
 * Starts one simulated conversation per tick. Ticks are chained with setTimeout (the next one is
 * scheduled only after the previous finished), so the generator never overlaps itself; `tick()`
 * called directly while one runs answers "busy".
 */
export class TrafficGenerator {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private current: Promise<TickOutcome> | null = null;
  private demoKeyId: string | null | undefined;
  private readonly random: () => number;

  constructor(private readonly options: TrafficOptions) {
    this.random = options.random ?? Math.random;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.options.firstDelayMs ?? 2_000);
  }

  /** Stops scheduling and waits for a tick in progress, so nothing writes after it returns. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  /** One arrival, unless the setting says disabled or a tick is already in progress. */
  async tick(): Promise<TickOutcome> {
    if (this.current) return "busy";
    this.current = this.runTick().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick().then((outcome) => this.schedule(this.nextDelay(outcome)));
    }, ms);
  }

  private nextDelay(outcome: TickOutcome): number {
    if (outcome === "disabled") return this.options.disabledPollMs ?? 2_000;
    const quiet = this.options.quietMs ?? { min: 30_000, max: 60_000 };
    if (this.random() < (this.options.quietChance ?? 0.08)) return this.between(quiet);
    return this.between(this.options.intervalMs ?? { min: 5_000, max: 15_000 });
  }

  private async runTick(): Promise<TickOutcome> {
    const { db } = this.options;
    try {
      if (!(await readTrafficSetting(db)).enabled) return "disabled";
      if (this.random() < (this.options.followUpChance ?? 0.2) && (await this.followUp())) return "followed_up";
      this.demoKeyId ??= await findDemoKeyId(db);
      await startConversation(
        db,
        {
          message: this.pick(customerOpeners),
          customerId: `sim-cust-${String(Math.floor(this.random() * 250) + 1).padStart(4, "0")}`,
          metadata: { source: "traffic-generator" },
          apiKeyId: this.demoKeyId,
        },
        this.options.parts ?? defaultRuntimeParts(),
      );
      return "started";
    } catch (error) {
      log("warn", "traffic generator: tick failed", { error: error instanceof Error ? error.message : String(error) });
      return "failed";
    }
  }

  /** Continues a recent generator conversation that waits for its customer; false if none. */
  private async followUp(): Promise<boolean> {
    const c = schema.conversations;
    const [waiting] = await this.options.db
      .select({ id: c.id })
      .from(c)
      .where(
        and(
          eq(c.status, "waiting_for_customer"),
          gt(c.updatedAt, sql`now() - interval '10 minutes'`),
          sql`${c.metadata}->>'source' = 'traffic-generator'`,
        ),
      )
      .orderBy(desc(c.updatedAt))
      .limit(1);
    if (!waiting) return false;
    try {
      await postCustomerMessage(this.options.db, waiting.id, this.pick(customerFollowUps), { apiKeyId: null }, this.options.parts ?? defaultRuntimeParts());
      return true;
    } catch (error) {
      // Someone else wrote first (the agents are answering again): start a new one instead.
      if (error instanceof AppError) return false;
      throw error;
    }
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length) % items.length]!;
  }

  private between(range: { min: number; max: number }): number {
    return Math.round(range.min + this.random() * Math.max(0, range.max - range.min));
  }
}

/** The demo key's id when the demo data exists and the key is not revoked, else null. */
export async function findDemoKeyId(db: Database): Promise<string | null> {
  const [row] = await db
    .select({ id: schema.apiKeys.id })
    .from(schema.apiKeys)
    .where(and(eq(schema.apiKeys.keyHash, hashApiKey(DEMO_API_KEY)), isNull(schema.apiKeys.revokedAt)))
    .limit(1);
  return row?.id ?? null;
}

const globalForTraffic = globalThis as unknown as { __switchyardTraffic?: TrafficGenerator };

/**
 * Starts this process's generator once, when SWITCHYARD_DEMO_TRAFFIC allows it. The settings row
 * is read on every tick, so the console toggle takes effect within seconds without a restart.
 */
export function startTrafficGenerator(db: Database): TrafficGenerator | null {
  const env = getEnv();
  if (!trafficAllowedByEnv(env)) return null;
  if (globalForTraffic.__switchyardTraffic) return globalForTraffic.__switchyardTraffic;
  const generator = new TrafficGenerator({ db });
  globalForTraffic.__switchyardTraffic = generator;
  generator.start();
  log("info", "demo traffic generator started", { mode: env.SWITCHYARD_DEMO_TRAFFIC, pace: "one conversation every 5-15 s" });
  return generator;
}

/** Whether this process runs the generator (the settings page says so). */
export function trafficGeneratorRunning(): boolean {
  return globalForTraffic.__switchyardTraffic?.isRunning ?? false;
}
