import { z } from "zod";

/**
 * One-line summaries of stored run events for timelines. `data` is the event minus its stored columns (lib/runtime/events.ts); it is
// read back
 * defensively, since an older or newer writer may have stored a different shape.
 */

const str = z.string();
const num = z.number();
const obj = z.record(z.string(), z.unknown());

function field<T>(data: Record<string, unknown>, key: string, schema: z.ZodType<T>): T | undefined {
  const parsed = schema.safeParse(data[key]);
  return parsed.success ? parsed.data : undefined;
}

/** A short, human-readable line for one stored event; never throws. */
export function summarizeEvent(type: string, data: unknown): string {
  const d = obj.safeParse(data).success ? (data as Record<string, unknown>) : {};
  const s = (k: string) => field(d, k, str);
  const n = (k: string) => field(d, k, num);
  const parts: string[] = [];
  switch (type) {
    case "run_started": {
      parts.push(`run_started ${s("chain") ?? ""}`.trim());
      const input = s("input");
      if (input !== undefined) parts.push(`“${truncateText(input, 60)}”`);
      break;
    }
    case "step_started": {
      const threads = field(d, "threads", z.array(str)) ?? [];
      parts.push(`step ${n("step") ?? "?"}`);
      if (threads.length) parts.push(`${threads.length} thread${threads.length === 1 ? "" : "s"}`);
      break;
    }
    case "llm_call": {
      const model = s("model");
      parts.push(`llm_call ${s("tier") ?? "?"}${model ? ` (${model})` : ""}`);
      const usage = field(d, "usage", z.object({ inputTokens: num, outputTokens: num }));
      if (usage) parts.push(`${usage.inputTokens}+${usage.outputTokens} tokens`);
      const latency = n("latencyMs");
      if (latency !== undefined) parts.push(`${Math.round(latency)} ms`);
      const cost = n("costUsd");
      if (cost !== undefined) parts.push(`$${cost.toFixed(6)}`);
      const from = s("downgradedFrom");
      if (from) parts.push(`downgraded from ${from} (budget)`);
      const attempt = n("attempt");
      if (attempt !== undefined && attempt > 1) parts.push(`attempt ${attempt}`);
      const error = field(d, "error", z.object({ kind: str, message: str }));
      if (error) parts.push(`error ${error.kind}: ${truncateText(error.message, 60)}`);
      else if (s("finish") === "tool_calls") parts.push("→ tool calls");
      break;
    }
    case "tool_call": {
      const outcome = field(
        d,
        "output",
        z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: str })]),
      );
      const result = !outcome ? "" : outcome.ok ? " → ok" : ` → error: ${truncateText(outcome.error, 60)}`;
      parts.push(`tool_call ${s("tool") ?? "?"} ${compactJson(d.input, 40)}${result}`);
      const started = n("startedAt");
      const finished = n("finishedAt");
      if (started !== undefined && finished !== undefined) parts.push(`${Math.round(finished - started)} ms`);
      if (d.replayed === true) parts.push("replayed from ledger");
      break;
    }
    case "tool_refused": {
      parts.push(`tool_refused ${s("tool") ?? "?"} ${compactJson(d.input, 40)}`);
      const detail = s("detail");
      parts.push(`${s("reason") ?? "refused"}${detail ? `: ${truncateText(detail, 60)}` : ""}`);
      break;
    }
    case "handoff":
      parts.push(`handoff ${s("from") ?? "?"} → ${s("to") ?? "?"}`);
      break;
    case "validation_failed": {
      const issues = field(d, "issues", z.array(str)) ?? [];
      parts.push("validation_failed");
      if (n("attempt") !== undefined) parts.push(`attempt ${n("attempt")}`);
      parts.push(`${issues.length} issue${issues.length === 1 ? "" : "s"}${issues[0] ? `: ${truncateText(issues[0], 60)}` : ""}`);
      break;
    }
    case "retry": {
      parts.push(`retry ${s("reason") ?? ""}`.trim());
      if (n("attempt") !== undefined) parts.push(`attempt ${n("attempt")}`);
      const delay = n("delayMs");
      if (delay !== undefined) parts.push(`after ${Math.round(delay)} ms`);
      break;
    }
    case "fallback": {
      parts.push(`fallback ${s("from") ?? "?"} → ${s("to") ?? "?"}`);
      if (n("rung") !== undefined) parts.push(`rung ${n("rung")}`);
      const detail = s("detail");
      parts.push(`${s("reason") ?? "?"}${detail ? `: ${truncateText(detail, 60)}` : ""}`);
      break;
    }
    case "interrupted": {
      const ids = field(d, "interruptionIds", z.array(str)) ?? [];
      parts.push(`interrupted · awaiting ${ids.length} human decision${ids.length === 1 ? "" : "s"}`);
      break;
    }
    case "human_decision": {
      const approved = field(d, "approved", z.boolean());
      const by = s("by");
      const note = s("note");
      parts.push(`human_decision ${approved === undefined ? "?" : approved ? "approved" : "rejected"}${by ? ` by ${by}` : ""}`);
      if (note) parts.push(`“${truncateText(note, 60)}”`);
      break;
    }
    case "handed_back": {
      const by = s("by");
      const note = s("note");
      parts.push(`handed_back${by ? ` by ${by}` : ""}`);
      if (note) parts.push(`“${truncateText(note, 60)}”`);
      break;
    }
    case "escalated": {
      const detail = s("detail");
      parts.push(`escalated · ${s("reason") ?? "?"}${detail ? `: ${truncateText(detail, 60)}` : ""}`);
      break;
    }
    case "completed": {
      const bound = s("bound");
      parts.push(d.partial === true ? `completed partially${bound ? ` (${bound})` : ""}` : "completed");
      if (d.output !== undefined) parts.push(compactJson(d.output, 60));
      break;
    }
    case "budget_downgraded":
      parts.push(`budget ${usd(n("spentUsd"))} of ${usd(n("limitUsd"))} used · cheaper tier from now on`);
      break;
    case "budget_exhausted":
      parts.push(
        `${s("scope") ?? "?"} budget used up (${usd(n("spentUsd"))} of ${usd(n("limitUsd"))})`,
        s("outcome") === "best_answer" ? "answering with the best answer so far" : "escalating",
      );
      break;
    case "cache_hit": {
      const similarity = n("similarity");
      parts.push(
        `answered from the cache (${s("match") ?? "?"}${s("match") === "semantic" && similarity !== undefined ? `, similarity ${similarity.toFixed(2)}` : ""})`,
        `saved ${usd(n("savedUsd"))}`,
      );
      break;
    }
    case "published": {
      const delivered = field(d, "delivered", z.array(str)) ?? [];
      parts.push(
        d.hop === false ? `handed to peer group ${s("group") ?? "?"}` : `published ${s("topic") ?? "?"} in ${s("group") ?? "?"}`,
        `delivered to ${delivered.length} peer${delivered.length === 1 ? "" : "s"}`,
      );
      if (d.hop !== false && n("hops") !== undefined) parts.push(`hop ${n("hops")}`);
      break;
    }
    case "context_write":
      parts.push(
        `context ${s("key") ?? "?"} ${d.accepted === true ? "written" : "write rejected"}`,
        d.accepted === true ? compactJson(d.value, 40) : (s("reason") ?? ""),
      );
      break;
    case "sub_problem_skipped":
      parts.push(`${s("peer") ?? "?"} skipped ${s("subProblem") ?? "?"}: already taken by ${s("solvedBy") ?? "?"}`);
      break;
    case "conflict_resolved": {
      const answers = field(d, "answers", z.array(z.object({ agent: str, vote: str }))) ?? [];
      const chosen = field(d, "chosen", z.object({ agent: str, vote: str }));
      parts.push(
        `${s("rule") ?? "?"} over ${answers.map((a) => `${a.agent}: ${truncateText(a.vote, 20)}`).join(", ")}`,
        chosen ? `chose ${truncateText(chosen.vote, 30)} (${chosen.agent})` : "to a person",
      );
      break;
    }
    case "failed": {
      const error = field(d, "error", z.object({ category: str, message: str }));
      parts.push(error ? `failed · ${error.category}: ${truncateText(error.message, 60)}` : "failed");
      break;
    }
    default:
      parts.push(type);
  }
  return parts.join(" · ");
}

/** Collapses whitespace and cuts to `max` characters (code points), marking the cut with "…". */
export function truncateText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join("")}…`;
}

function compactJson(value: unknown, max: number): string {
  if (value === undefined) return "";
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  } catch {
    return "";
  }
  return truncateText(text, max);
}

function usd(value: number | undefined): string {
  return value === undefined ? "?" : `$${value.toFixed(4)}`;
}
