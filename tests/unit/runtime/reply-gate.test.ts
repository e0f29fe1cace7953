import { z } from "zod";
import { describe, expect, it } from "vitest";
import {
  ConfigurationError,
  defineAgent,
  gateOutput,
  type ReviewerConfig,
  revisionFeedbackMarker,
  reviewVerdictSchema,
  type RunState,
  supervisor,
  type Thread,
} from "@/lib/runtime";
import { handoffTo } from "@/lib/runtime/testing";
import { eventsOfType, expectGapFree, harness, router, technical, typesOf } from "./fixtures";

const gatedReply = z.object({
  reply: z.string().min(1),
  confidence: z.number().min(0).max(1),
  handover: z.string().optional(),
});
const support = defineAgent({
  name: "billing",
  version: 1,
  instructions: "Handle billing questions.",
  handoffs: ["router"],
  outputSchema: gatedReply,
});
const reviewerAgent = defineAgent({
  name: "reviewer",
  version: 1,
  modelTier: "fast",
  instructions: "Review the reply.",
  outputSchema: reviewVerdictSchema,
});
const reviewer: ReviewerConfig = { agent: reviewerAgent, minConfidence: 0.5, maxRevisions: 1 };
const chain = supervisor({
  name: "desk",
  router,
  specialists: [support, technical],
  reviewer,
  limits: { maxSteps: 12 },
});

const good = { reply: "Your invoice is correct.", confidence: 0.9 };
const approve = { output: { approved: true, confidence: 0.9, issues: [] } };
const reject = (issue: string) => ({
  output: { approved: false, confidence: 0.8, issues: [issue] },
});
const toBilling = { toolCalls: [handoffTo("billing", "invoice question")] };

describe("supervisor with a reviewer gate", () => {
  it("sends the reply to the reviewer and answers with it once approved, attributed to its author", async () => {
    const h = harness([chain], {
      router: [toBilling],
      billing: [{ output: good }],
      reviewer: [approve],
    });
    const state = await h.loop.start("desk", "Is my invoice right?");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual(good);
    expect(state.lastOutput).toEqual({ agent: "billing", output: good });
    const reviewCall = h.model.callsFor("reviewer")[0]!;
    expect(reviewCall.tier).toBe("fast");
    expect(JSON.parse(reviewCall.messages[0]!.content!)).toEqual({
      request: "Is my invoice right?",
      agent: "billing",
      reply: good,
    });
    const events = h.store.events(state.runId);
    expect(eventsOfType(events, "llm_call").map((e) => e.agent)).toEqual([
      "router",
      "billing",
      "reviewer",
    ]);
    expect(typesOf(events).at(-1)).toBe("completed");
    expect(expectGapFree(events)).toBe(true);
  });

  it("returns a rejected reply to its agent once with the issues, then answers with the revision", async () => {
    const revised = { reply: "Your invoice of $29 matches your plan.", confidence: 0.85 };
    const h = harness([chain], {
      router: [toBilling],
      billing: [{ output: good }, { output: revised }],
      reviewer: [reject("does not mention the amount"), approve],
    });
    const state = await h.loop.start("desk", "Is my invoice right?");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual(revised);
    const revision = h.model.callsFor("billing")[1]!.messages;
    expect(revision).toHaveLength(1);
    expect(revision[0]!.content).toContain("Is my invoice right?");
    expect(revision[0]!.content).toContain(revisionFeedbackMarker);
    expect(revision[0]!.content).toContain("does not mention the amount");
    const agents = eventsOfType(h.store.events(state.runId), "llm_call").map((e) => e.agent);
    expect(agents).toEqual(["router", "billing", "reviewer", "billing", "reviewer"]);
  });

  it("escalates as rejected_by_reviewer when the revision is rejected too", async () => {
    const h = harness([chain], {
      router: [toBilling],
      billing: [{ output: good }, { output: good }],
      reviewer: [reject("vague"), reject("still vague")],
    });
    const state = await h.loop.start("desk", "Is my invoice right?");

    expect(state.status).toBe("escalated");
    expect(state.escalation).toMatchObject({ reason: "rejected_by_reviewer" });
    expect(state.escalation?.detail).toContain("still vague");
    // The last output is the verdict, never the rejected reply, so nothing unreviewed is sent.
    expect(state.lastOutput?.agent).toBe("reviewer");
    const [escalated] = eventsOfType(h.store.events(state.runId), "escalated");
    expect(escalated).toMatchObject({ reason: "rejected_by_reviewer" });
    expect(h.model.callsFor("billing")).toHaveLength(2);
  });

  it("escalates an approved reply whose confidence is below the threshold as low_confidence", async () => {
    const h = harness([chain], {
      router: [toBilling],
      billing: [{ output: { reply: "Maybe it is right?", confidence: 0.3 } }],
      reviewer: [approve],
    });
    const state = await h.loop.start("desk", "Is my invoice right?");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("low_confidence");
    expect(state.escalation?.detail).toContain("0.3");
  });

  it("escalates a reply asking for a person as customer_request, with its reason", async () => {
    const handover = {
      reply: "Connecting you with our team.",
      confidence: 0.95,
      handover: "customer asked for a person",
    };
    const h = harness([chain], {
      router: [toBilling],
      billing: [{ output: handover }],
      reviewer: [approve],
    });
    const state = await h.loop.start("desk", "Let me talk to a human");

    expect(state.status).toBe("escalated");
    expect(state.escalation).toEqual({
      reason: "customer_request",
      detail: "billing: customer asked for a person",
    });
    const [escalated] = eventsOfType(h.store.events(state.runId), "escalated");
    expect(escalated?.detail).toBe("billing: customer asked for a person");
  });

  it("treats a verdict with low confidence as not enough to answer", async () => {
    const h = harness([chain], {
      router: [toBilling],
      billing: [{ output: good }],
      reviewer: [{ output: { approved: true, confidence: 0.2, issues: [] } }],
    });
    const state = await h.loop.start("desk", "Is my invoice right?");
    expect(state.escalation?.reason).toBe("low_confidence");
  });

  it("refuses a reviewer without a verdict schema, or one that agents hand off to", () => {
    const plain = defineAgent({ name: "reviewer", version: 1, instructions: "x" });
    expect(() =>
      supervisor({
        name: "a",
        router,
        specialists: [support, technical],
        reviewer: { agent: plain },
      }),
    ).toThrow(ConfigurationError);
    const sneaky = defineAgent({
      name: "sneaky",
      version: 1,
      instructions: "x",
      handoffs: ["reviewer"],
    });
    expect(() =>
      supervisor({
        name: "b",
        router,
        specialists: [support, technical, sneaky],
        reviewer: { agent: reviewerAgent },
      }),
    ).toThrow(ConfigurationError);
    expect(() =>
      supervisor({
        name: "c",
        router,
        specialists: [support, technical],
        reviewer: { agent: reviewerAgent, maxRevisions: -1 },
      }),
    ).toThrow(ConfigurationError);
  });
});

/** The transition table, on hand-built checkpoints: no loop, no model. */
describe("gateOutput", () => {
  const thread = (
    id: string,
    agent: string,
    output: unknown,
    status: Thread["status"] = "done",
  ): Thread => ({
    id,
    agent,
    version: 1,
    role: "agent",
    index: 0,
    status,
    messages: [],
    pendingCalls: [],
    turns: 1,
    output,
  });
  const stateWith = (threads: Thread[]): RunState => ({
    runId: "run_1",
    chain: "desk",
    status: "running",
    seq: 3,
    step: 3,
    input: "help",
    versions: {},
    deadlineAt: 1e12,
    handoffs: 1,
    threadCounter: threads.length,
    threads,
    interruptions: [],
    usage: { inputTokens: 0, outputTokens: 0 },
  });
  const reply = (confidence: number, handover?: string) => ({
    reply: "r",
    confidence,
    ...(handover ? { handover } : {}),
  });
  const verdict = (approved: boolean, confidence = 0.9) => ({
    approved,
    confidence,
    issues: approved ? [] : ["bad"],
  });

  const cases: [string, unknown, unknown, number, string][] = [
    // name, reply, verdict, reviews already done before this one, expected transition
    ["approved, sure", reply(0.9), verdict(true), 0, "complete"],
    ["approved, unsure reply", reply(0.49), verdict(true), 0, "escalate:low_confidence"],
    ["approved, unsure verdict", reply(0.9), verdict(true, 0.4), 0, "escalate:low_confidence"],
    ["rejected, first review", reply(0.9), verdict(false), 0, "continue:billing"],
    ["rejected, unsure, first review", reply(0.2), verdict(false), 0, "continue:billing"],
    ["rejected after a revision", reply(0.9), verdict(false), 1, "escalate:rejected_by_reviewer"],
    ["rejected after a revision, unsure", reply(0.2), verdict(false), 1, "escalate:low_confidence"],
    [
      "handover, approved",
      reply(0.9, "asked for a person"),
      verdict(true),
      0,
      "escalate:customer_request",
    ],
    [
      "handover, rejected",
      reply(0.9, "asked for a person"),
      verdict(false),
      0,
      "escalate:customer_request",
    ],
    ["invalid verdict", reply(0.9), { approved: "yes" }, 0, "escalate:rejected_by_reviewer"],
  ];

  it.each(cases)("%s", (_name, replyOutput, verdictOutput, earlier, expected) => {
    const threads = [thread("t1", "router", undefined, "handed_off")];
    for (let i = 0; i < earlier; i++) {
      threads.push(thread(`t${threads.length + 1}`, "billing", reply(0.9)));
      threads.push(thread(`t${threads.length + 1}`, "reviewer", verdict(false)));
    }
    threads.push(thread(`t${threads.length + 1}`, "billing", replyOutput));
    const review = thread(`t${threads.length + 1}`, "reviewer", verdictOutput);
    threads.push(review);
    const transition = gateOutput(reviewer, stateWith(threads), review, verdictOutput);
    const summary =
      transition.kind === "escalate"
        ? `escalate:${transition.reason}`
        : transition.kind === "continue"
          ? `continue:${transition.open.map((s) => s.agent).join(",")}`
          : transition.kind;
    expect(summary).toBe(expected);
    if (transition.kind === "complete")
      expect(transition).toMatchObject({ output: replyOutput, answeredBy: "billing" });
  });

  it("opens a review for any other agent's output, numbering the reviews", () => {
    const done = thread("t2", "billing", reply(0.9));
    const transition = gateOutput(
      reviewer,
      stateWith([thread("t1", "router", undefined, "handed_off"), done]),
      done,
      reply(0.9),
    );
    expect(transition).toEqual({
      kind: "continue",
      open: [
        {
          agent: "reviewer",
          role: "agent",
          index: 1,
          input: JSON.stringify({ request: "help", agent: "billing", reply: reply(0.9) }),
        },
      ],
    });
  });
});
