import { z } from "zod";

/**
 * What operators can change about the model SIMULATOR (Settings → Model simulator): its seed, its
 * latency distribution and the faults it injects. Stored as JSON in `settings` under
 * {@link SIMULATOR_SETTINGS_KEY} and validated with {@link simulatorConfigSchema} wherever it is read.
 * Plain data and zod only, so the console's client components may import it.
 */
export const SIMULATOR_SETTINGS_KEY = "simulator";

export const simulatorTiers = ["fast", "standard", "strong"] as const;

/** Fault kinds, in the order their probability intervals are laid out on one uniform draw. */
export const faultKinds = [
  "rate_limit",
  "server_error",
  "timeout",
  "malformed_json",
  "schema_violation",
  "disallowed_tool",
] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultLabels: Record<FaultKind, string> = {
  rate_limit: "429 rate limit",
  server_error: "5xx server error",
  timeout: "Timeout",
  malformed_json: "Malformed JSON",
  schema_violation: "Schema violation",
  disallowed_tool: "Disallowed tool call",
};

/** Latency and timeouts never exceed this, so a misconfiguration cannot stall a worker for long. */
export const MAX_LATENCY_MS = 60_000;
export const MAX_FAULT_RULES = 20;

const ms = (max: number) => z.number().int("Whole milliseconds.").min(0, "At least 0 ms.").max(max, `At most ${max} ms.`);
const rate = z.number().min(0, "At least 0%.").max(1, "At most 100%.").default(0);
// Floating-point sums such as 0.3 + 0.3 + 0.4 land a hair above 1.
const SUM_EPSILON = 1e-9;

export const faultRatesSchema = z.object({
  rate_limit: rate,
  server_error: rate,
  timeout: rate,
  malformed_json: rate,
  schema_violation: rate,
  disallowed_tool: rate,
});
export type FaultRates = z.infer<typeof faultRatesSchema>;

export const faultRuleSchema = z.object({
  /** Which calls the rule applies to; an empty target matches every call. */
  target: z
    .object({
      agent: z
        .string()
        .regex(/^[a-z][a-z0-9_-]{0,63}$/, "An agent name: lowercase letters, digits, - and _.")
        .optional(),
      tier: z.enum(simulatorTiers).optional(),
    })
    .default({}),
  rates: faultRatesSchema
    .default({ rate_limit: 0, server_error: 0, timeout: 0, malformed_json: 0, schema_violation: 0, disallowed_tool: 0 })
    .refine((r) => faultKinds.reduce((sum, k) => sum + r[k], 0) <= 1 + SUM_EPSILON, {
      message: "The rates of one rule add up to at most 100%.",
    }),
  /** The Retry-After a simulated 429 carries. */
  retryAfterMs: ms(300_000).default(2_000),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const latencySchema = z
  .object({
    /** Log-normal: half the calls are faster than the median, 95% faster than p95. */
    medianMs: ms(MAX_LATENCY_MS).default(150),
    p95Ms: ms(MAX_LATENCY_MS).default(600),
    /** Hard ceiling; the distribution's long tail is clamped here. */
    maxMs: ms(MAX_LATENCY_MS).default(5_000),
  })
  .superRefine((l, ctx) => {
    if (l.p95Ms < l.medianMs) ctx.addIssue({ code: "custom", path: ["p95Ms"], message: "p95 cannot be below the median." });
    if (l.maxMs < l.p95Ms) ctx.addIssue({ code: "custom", path: ["maxMs"], message: "The maximum cannot be below p95." });
  });
export type LatencyConfig = z.infer<typeof latencySchema>;

export const simulatorConfigSchema = z.object({
  /** Varies answers, latencies and faults between otherwise identical runs. */
  seed: z.number().int("A whole number.").min(0, "At least 0.").max(2_147_483_647, "At most 2147483647.").default(0),
  latency: latencySchema.default({ medianMs: 150, p95Ms: 600, maxMs: 5_000 }),
  /** How long a simulated timeout hangs before it fails. */
  timeoutMs: ms(MAX_LATENCY_MS).default(2_000),
  /** Checked top to bottom; the first rule whose target matches a call decides its faults. */
  faults: z.array(faultRuleSchema).max(MAX_FAULT_RULES, `At most ${MAX_FAULT_RULES} rules.`).default([]),
});
export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;

/** Read on every model call, so a change applies to traffic that is already running. */
export type SimulatorConfigSource = () => SimulatorConfig;

/** The shipped defaults: no faults, median 150 ms, p95 600 ms. */
export function defaultSimulatorConfig(): SimulatorConfig {
  return simulatorConfigSchema.parse({});
}

/** No latency and no faults: what tests and the scripted demo use when timing does not matter. */
export function instantSimulatorConfig(seed = 0): SimulatorConfig {
  return simulatorConfigSchema.parse({ seed, latency: { medianMs: 0, p95Ms: 0, maxMs: 0 }, timeoutMs: 0 });
}

/** The first rule whose target matches the call, if any. */
export function matchFaultRule(
  config: SimulatorConfig,
  call: { agent: string; tier: string },
): FaultRule | undefined {
  return config.faults.find(
    (r) =>
      (r.target.agent === undefined || r.target.agent === call.agent) &&
      (r.target.tier === undefined || r.target.tier === call.tier),
  );
}
