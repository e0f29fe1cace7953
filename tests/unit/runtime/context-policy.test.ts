import { describe, expect, it } from "vitest";
import { formatTranscript, type TranscriptLine } from "@/lib/agents/transcript";
import {
  compactText,
  ConfigurationError,
  defineAgent,
  fullContext,
  lastTurns,
  pipeline,
  type Pricing,
  type SpendGate,
  type SpendRequest,
  splitTranscript,
  stateFields,
  summarizerAgent,
} from "@/lib/runtime";
import { turnsBeyondWindow } from "@/lib/runtime/context-policy/policy";
import { summaryDue } from "@/lib/runtime/context-policy/view";
import { eventsOfType, harness, replySchema } from "./fixtures";

/** A transcript of `exchanges` customer/agent pairs and a newest message. */
function transcript(exchanges: number, latest = "newest question"): string {
  const lines: TranscriptLine[] = [];
  for (let i = 1; i <= exchanges; i++) {
    lines.push({ role: "customer", author: null, content: `question ${i}` });
    lines.push({ role: "agent", author: "billing", content: `answer ${i}` });
  }
  lines.push({ role: "customer", author: null, content: latest });
  return formatTranscript(lines);
}

describe("context policies (pure)", () => {
  it("splits a transcript into turns, one per message, multi-line messages kept whole", () => {
    const text = formatTranscript([
      { role: "customer", author: null, content: "line one\nline two" },
      { role: "agent", author: "technical", content: "reply" },
      { role: "human", author: null, content: "a person" },
      { role: "customer", author: null, content: "latest" },
    ]);
    expect(splitTranscript(text)).toEqual({
      turns: ["Customer: line one\nline two", "Agent (technical): reply", "Support: a person"],
      latest: "latest",
    });
    expect(splitTranscript("a first message")).toBeNull();
  });

  it("full sends everything; lastTurns keeps the window verbatim after the summary", () => {
    const text = transcript(4);
    expect(compactText(fullContext(), text, { turns: 6, text: "S" })).toBe(text);
    const compacted = compactText(lastTurns(2), text, { turns: 6, text: "Order ORD-1 refunded." });
    expect(compacted).toBe(
      "Summary of earlier turns:\nOrder ORD-1 refunded.\n\nRecent turns:\nCustomer: question 4\nAgent (billing): answer 4\n\nLatest customer message:\nnewest question",
    );
    expect(compacted.length).toBeLessThan(text.length);
  });

  it("never drops a turn the summary does not cover: those stay verbatim", () => {
    const text = transcript(4);
    // The summary covers 3 of the 6 turns before a window of 2: turns 4–8 are sent verbatim.
    const compacted = compactText(lastTurns(2), text, { turns: 3, text: "S" });
    expect(compacted).toContain("Recent turns:\nAgent (billing): answer 2\nCustomer: question 3");
    expect(compacted).not.toContain("question 1");
    // Without a summary nothing is left out.
    expect(compactText(lastTurns(2), text, null)).toBe(text);
  });

  it("leaves short conversations, first messages and unreadable text unchanged", () => {
    const short = transcript(1);
    expect(compactText(lastTurns(2), short, { turns: 1, text: "S" })).toBe(short);
    expect(compactText(lastTurns(1), "just a question", { turns: 1, text: "S" })).toBe("just a question");
    expect(compactText(stateFields(["a"]), "not json", null)).toBe("not json");
  });

  it("compacts a transcript inside a review request and keeps its other fields", () => {
    const request = JSON.stringify({ request: transcript(3), agent: "billing", reply: { reply: "ok" } });
    const out = JSON.parse(compactText(lastTurns(1), request, { turns: 5, text: "S" })) as Record<string, unknown>;
    expect(out.agent).toBe("billing");
    expect(out.reply).toEqual({ reply: "ok" });
    expect(out.request).toBe("Summary of earlier turns:\nS\n\nRecent turns:\nAgent (billing): answer 3\n\nLatest customer message:\nnewest question");
  });

  it("stateFields sends only the named fields of a structured input", () => {
    const input = JSON.stringify({ contract: "long text", fields: { term: 12 }, notes: "x" });
    expect(compactText(stateFields(["fields", "missing"]), input, null)).toBe('{"fields":{"term":12}}');
  });

  it("the turns beyond the window are what a summary must cover", () => {
    expect(turnsBeyondWindow(lastTurns(2), transcript(3))).toEqual(["Customer: question 1", "Agent (billing): answer 1", "Customer: question 2", "Agent (billing): answer 2"]);
    expect(turnsBeyondWindow(lastTurns(2), transcript(1))).toEqual([]);
    expect(turnsBeyondWindow(fullContext(), transcript(3))).toEqual([]);
  });

  it("refuses windows and field lists that make no sense", () => {
    expect(() => lastTurns(0)).toThrow(ConfigurationError);
    expect(() => lastTurns(1.5)).toThrow(ConfigurationError);
    expect(() => stateFields([])).toThrow(ConfigurationError);
  });
});

const writerInput = {
  name: "writer",
  version: 1,
  instructions: "Write the reply.",
  outputSchema: replySchema,
  context: lastTurns(2),
};
const writer = defineAgent(writerInput);
const chain = pipeline({ name: "compact", stages: [writer] });
const summary = (text: string) => ({ output: { summary: text } });

describe("lastTurns in a run", () => {
  it("summarises the turns before the window once, records tokens saved and checkpoints the summary", async () => {
    const h = harness([chain], { summarizer: [summary("Asked about ORD-1 and ORD-2.")], writer: [{ output: { reply: "done" } }] });
    const input = transcript(4);
    const state = await h.loop.start("compact", input);

    expect(state.status).toBe("completed");
    expect(state.context?.summary).toEqual({ turns: 6, text: "Asked about ORD-1 and ORD-2." });
    const [summariserCall, writerCall] = h.model.calls;
    expect(summariserCall?.agent).toBe(summarizerAgent.name);
    expect(summariserCall?.tier).toBe("fast");
    expect(summariserCall?.messages[0]).toMatchObject({ role: "user", content: expect.stringContaining("Customer: question 1") as unknown });
    const sent = writerCall?.messages[0];
    expect(sent).toEqual({
      role: "user",
      content: "Summary of earlier turns:\nAsked about ORD-1 and ORD-2.\n\nRecent turns:\nCustomer: question 4\nAgent (billing): answer 4\n\nLatest customer message:\nnewest question",
    });
    // The checkpoint keeps the full conversation (the run's input); only what is sent is
    // compacted. The finished thread itself keeps only its output (transitions.ts retireThread).
    expect(state.input).toBe(input);
    expect(state.threads[0]).toMatchObject({ status: "done", messages: [], output: { reply: "done" } });
    const calls = eventsOfType(h.store.events(state.runId), "llm_call");
    expect(calls.map((c) => c.agent)).toEqual(["summarizer", "writer"]);
    expect(calls[1]?.context?.policy).toBe("last_turns(2)");
    expect(calls[1]?.context?.savedTokens).toBeGreaterThan(0);
    expect(calls[0]?.context).toBeUndefined();
  });

  it("a resumed run reuses the checkpointed summary instead of making it again", async () => {
    const looker = defineAgent({ ...writerInput, name: "looker", tools: ["lookup_order"] });
    const h = harness([pipeline({ name: "lookup", stages: [looker] })], {
      summarizer: [summary("S1")],
      looker: [{ toolCalls: [{ name: "lookup_order", args: { orderId: "ORD-1" } }] }, { crash: "worker died" }],
    });
    const created = await h.loop.create("lookup", transcript(4));
    const first = await h.loop.step(created.runId); // summary + tool call, committed together
    expect(first.context?.summary?.text).toBe("S1");
    await expect(h.loop.step(created.runId)).rejects.toThrow("worker died");

    const other = h.newLoop({ looker: [{ output: { reply: "ORD-1 is on its way" } }] });
    const done = await other.loop.run(created.runId);
    expect(done.status).toBe("completed");
    expect(other.model.calls.map((c) => c.agent)).toEqual(["looker"]);
    const sent = other.model.calls[0]?.messages[0];
    expect(sent?.role === "user" && sent.content).toContain("Summary of earlier turns:\nS1");
    expect(eventsOfType(h.store.events(created.runId), "llm_call").filter((c) => c.agent === "summarizer")).toHaveLength(1);
  });

  it("a later turn of the conversation folds only the new turns into the earlier summary", async () => {
    const h = harness([chain], { summarizer: [summary("S1 + S2")], writer: [{ output: { reply: "ok" } }] });
    // The summary carried over covers 6 turns; two more left the window since.
    const state = await h.loop.start("compact", transcript(5), { contextSummary: { turns: 6, text: "S1" } });
    expect(state.context?.summary).toEqual({ turns: 8, text: "S1 + S2" });
    const request = h.model.calls[0]?.messages[0];
    expect(request).toEqual({ role: "user", content: "Summary so far:\nS1\n\nTurns to add:\nCustomer: question 4\nAgent (billing): answer 4" });
  });

  it("a failed summary is not retried on every later step of the run", async () => {
    const looker = defineAgent({ ...writerInput, name: "looker", tools: ["lookup_order"] });
    const h = harness([pipeline({ name: "lookup", stages: [looker] })], {
      summarizer: [{ fault: "bad_request" }, { fault: "bad_request" }],
      looker: [{ toolCalls: [{ name: "lookup_order", args: { orderId: "ORD-1" } }] }, { output: { reply: "ORD-1 is on its way" } }],
    });
    const input = transcript(4);
    const state = await h.loop.start("lookup", input);

    expect(state.status).toBe("completed");
    expect(h.model.callsFor("summarizer")).toHaveLength(1);
    // Recorded with the step, so the next step (and a resumed one) sends the turns verbatim instead.
    expect(state.context).toEqual({ summaryFailedAt: 6 });
    expect(h.model.callsFor("looker").map((c) => c.messages[0])).toEqual([
      { role: "user", content: input },
      { role: "user", content: input },
    ]);
  });

  it.each([
    [undefined, 1, false],
    [undefined, 2, true],
    [{ summary: { turns: 6, text: "S" } }, 7, false],
    [{ summary: { turns: 6, text: "S" } }, 8, true],
    // After a failed attempt: not again until two more turns have left the window.
    [{ summaryFailedAt: 6 }, 6, false],
    [{ summaryFailedAt: 6 }, 7, false],
    [{ summaryFailedAt: 6 }, 8, true],
    [{ summary: { turns: 4, text: "S" }, summaryFailedAt: 6 }, 7, false],
  ] as const)("with context %j and %i turns before the window, a summary is due: %s", (context, turns, due) => {
    expect(summaryDue(context, turns)).toBe(due);
  });

  it("the summariser takes the criticality of the agent it serves (a paused agent buys no summary)", async () => {
    const requests: SpendRequest[] = [];
    const gate: SpendGate = {
      reserve: (r) => {
        requests.push(r);
        return Promise.resolve(r.critical ? { ok: true, ticket: null } : { ok: false, scope: "daily:global", spentUsd: 9, limitUsd: 8 });
      },
      settle: () => Promise.resolve(),
    };
    const pricing: Pricing = { priceOf: () => ({ inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 1 }), modelFor: (t) => `scripted-${t}` };
    const h = harness([chain], { summarizer: [summary("S")], writer: [{ output: { reply: "ok" } }] }, { spendGate: gate, pricing });
    const paused = await h.loop.start("compact", transcript(4));

    expect(h.model.calls).toHaveLength(0);
    expect(requests.map((r) => [r.agent, r.critical])).toEqual([
      ["summarizer", false],
      ["writer", false],
    ]);
    expect(paused.status).toBe("escalated");

    const critical = defineAgent({ ...writerInput, name: "critical_writer", critical: true });
    const c = harness([pipeline({ name: "critical", stages: [critical] })], {
      summarizer: [summary("S")],
      critical_writer: [{ output: { reply: "ok" } }],
    }, { spendGate: gate, pricing });
    requests.length = 0;
    const answered = await c.loop.start("critical", transcript(4));
    expect(answered.status).toBe("completed");
    expect(requests.map((r) => [r.agent, r.critical])).toEqual([
      ["summarizer", true],
      ["critical_writer", true],
    ]);
  });

  it("falls back to the full context when the summariser fails", async () => {
    const h = harness([chain], { summarizer: [{ fault: "bad_request" }], writer: [{ output: { reply: "ok" } }] });
    const input = transcript(4);
    const state = await h.loop.start("compact", input);
    expect(state.status).toBe("completed");
    expect(state.context).toEqual({ summaryFailedAt: 6 });
    expect(h.model.calls[1]?.messages[0]).toEqual({ role: "user", content: input });
  });
});
