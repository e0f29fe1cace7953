import { createHash } from "node:crypto";
import type { ToolCall } from "@/lib/runtime";
import { faultKinds, type FaultKind, type LatencyConfig, matchFaultRule, type SimulatorConfig } from "./config";

/**
 * The simulator's deterministic choices, as pure functions of (seed, agent, messages). Every kind
 * of choice hashes the same call key with its own salt, so deciding a fault does not correlate
 * with the latency drawn or with which broken output is produced.
 */
export interface CallKey {
  readonly seed: number;
  readonly agent: string;
  /** The request's messages, serialised once per call. */
  readonly messages: string;
  /**
   * A retry's attempt number (2, 3…). It enters every draw, so a retried request can succeed
   * where the identical first call failed, and the same attempt still draws the same way.
   */
  readonly attempt?: number;
}

/** A uniform number in [0, 1) derived from the call key and a salt. */
export function uniform(key: CallKey, salt: string): number {
  // The first attempt hashes exactly as before attempts existed, so recorded seeds keep their draws.
  const attempt = key.attempt !== undefined && key.attempt > 1 ? `|attempt:${key.attempt}` : "";
  const digest = createHash("sha256").update(`${salt}|${key.seed}|${key.agent}|${key.messages}${attempt}`).digest();
  // 48 bits are plenty for rates given to 0.01% and keep the division exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Which fault, if any, the call suffers. The matching rule's rates are laid end to end on ONE
 * uniform draw (that is why a rule's rates add up to at most 1), so each kind happens at exactly
 * its configured rate.
 */
export function chooseFault(
  config: SimulatorConfig,
  key: CallKey,
  call: { tier: string; structured: boolean },
): { kind: FaultKind; retryAfterMs: number } | null {
  const rule = matchFaultRule(config, { agent: key.agent, tier: call.tier });
  if (!rule) return null;
  const u = uniform(key, "fault");
  let upper = 0;
  for (const kind of faultKinds) {
    upper += rule.rates[kind];
    if (u < upper) {
      // Broken structured output only exists where structured output was asked for: an agent that
      // answers in text would simply accept the garbage as its answer.
      if (!call.structured && (kind === "malformed_json" || kind === "schema_violation")) return null;
      return { kind, retryAfterMs: rule.retryAfterMs };
    }
  }
  return null;
}

// Two-sided 95th percentile of the standard normal distribution.
const Z95 = 1.6448536269514722;

/**
 * A log-normal latency with the configured median and p95, clamped to [0, maxMs]. Deterministic
 * per call: the normal deviate comes from the call's hash.
 */
export function sampleLatency(latency: LatencyConfig, u: number): number {
  const { medianMs, p95Ms, maxMs } = latency;
  if (medianMs <= 0) return 0;
  const sigma = Math.log(Math.max(p95Ms, medianMs) / medianMs) / Z95;
  const value = medianMs * Math.exp(sigma * inverseNormal(u));
  return Math.min(maxMs, Math.max(0, Math.round(value)));
}

/** Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9). */
export function inverseNormal(p: number): number {
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (q < low) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) / ((((d0 * r + d1) * r + d2) * r + d3) * r + 1);
  }
  if (q > 1 - low) {
    const r = Math.sqrt(-2 * Math.log(1 - q));
    return -(((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) / ((((d0 * r + d1) * r + d2) * r + d3) * r + 1);
  }
  const r = q - 0.5;
  const s = r * r;
  return ((((((a0 * s + a1) * s + a2) * s + a3) * s + a4) * s + a5) * r) / (((((b0 * s + b1) * s + b2) * s + b3) * s + b4) * s + 1);
}

/** A JSON answer cut off mid-way, as a model that ran out of tokens or lost its stream returns it. */
export function malformedJson(output: unknown, u: number): string {
  const full = JSON.stringify(output ?? { reply: "" }) ?? "{}";
  // Keep at least the opening brace and drop at least the closing one, so it never parses.
  const cut = 1 + Math.floor(u * Math.max(1, full.length - 2));
  return full.slice(0, cut);
}

/** Parses, but misses a field every demo output schema requires (`reply`). */
export function schemaViolation(output: unknown): Record<string, unknown> {
  const base = output && typeof output === "object" ? { ...(output as Record<string, unknown>) } : {};
  delete base.reply;
  return { ...base, answer: "Here is what I found.", confidence: 0.5 };
}

/** Tools a hallucinating model likes to invent, or borrow from another agent. */
export const hallucinatedTools = ["delete_account", "refund", "export_customer_data"] as const;

/** A tool call to a tool the request did not offer, which the runtime must refuse. */
export function disallowedToolCall(offered: readonly string[], u: number, callId: string): ToolCall {
  const candidates = hallucinatedTools.filter((t) => !offered.includes(t));
  const fallback = `admin_override_${callId.slice(-4)}`;
  const name = candidates.length > 0 ? candidates[Math.floor(u * candidates.length)]! : fallback;
  const args = name === "refund" ? { orderId: "ORD-1001", amount: 500 } : { customerId: "c-1", reason: "requested" };
  return { id: callId, name, args };
}
