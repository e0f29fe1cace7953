import { ConfigurationError } from "../errors";
import { type ConflictRule } from "./events";

/** How a chain settles peers that answered the same question differently. */
export interface ConflictPolicy {
  /**
   * `majority`: the answer more than half of the peers gave, else a person decides;
   * `priority`: the answer of the first peer in `priority` order that answered;
   * `escalate`: any disagreement goes to a person.
   */
  readonly rule: ConflictRule;
  /** Peer names, highest priority first; default the group's declared order. */
  readonly priority?: readonly string[];
  /** What two answers must share to agree (e.g. a decision field); default their JSON. */
  readonly vote?: (answer: unknown) => string;
}

export interface PeerAnswer {
  readonly agent: string;
  readonly answer: unknown;
}

export interface VotedAnswer extends PeerAnswer {
  readonly vote: string;
}

export type ConflictResolution =
  | {
      readonly outcome: "chosen";
      readonly agreed: boolean;
      readonly answers: readonly VotedAnswer[];
      readonly chosen: VotedAnswer;
    }
  | {
      readonly outcome: "escalated";
      readonly agreed: false;
      readonly answers: readonly VotedAnswer[];
      readonly detail: string;
    };

/**
 * Applies a chain's conflict rule to its peers' answers (at least one), in the group's order.
 * Unanimous answers are chosen under every rule; the rule only decides a disagreement.
 */
export function resolveConflict(
  policy: ConflictPolicy,
  answers: readonly PeerAnswer[],
): ConflictResolution {
  const vote = policy.vote ?? canonical;
  const voted = answers.map((a) => ({ ...a, vote: vote(a.answer) }));
  const first = voted[0];
  if (!first) throw new ConfigurationError("resolveConflict needs at least one answer");
  if (voted.every((a) => a.vote === first.vote))
    return { outcome: "chosen", agreed: true, answers: voted, chosen: first };
  const escalated = (detail: string): ConflictResolution => ({
    outcome: "escalated",
    agreed: false,
    answers: voted,
    detail,
  });
  const summary = voted.map((a) => `${a.agent}: ${a.vote}`).join(", ");
  switch (policy.rule) {
    case "escalate":
      return escalated(`peers disagree (${summary})`);
    case "priority": {
      const order = policy.priority ?? voted.map((a) => a.agent);
      const rank = (agent: string) => {
        const at = order.indexOf(agent);
        return at === -1 ? order.length : at;
      };
      const chosen = [...voted].sort((a, b) => rank(a.agent) - rank(b.agent))[0]!;
      return { outcome: "chosen", agreed: false, answers: voted, chosen };
    }
    case "majority": {
      const counts = new Map<string, number>();
      for (const a of voted) counts.set(a.vote, (counts.get(a.vote) ?? 0) + 1);
      const winner = voted.find((a) => counts.get(a.vote)! * 2 > voted.length);
      if (!winner) return escalated(`no majority (${summary})`);
      return { outcome: "chosen", agreed: false, answers: voted, chosen: winner };
    }
  }
}

/** JSON with sorted keys, so that key order never makes two equal answers disagree. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
