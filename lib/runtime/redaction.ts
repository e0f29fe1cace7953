/**
 * Secret redaction (issue 10, drill 8). A model that obeys an injected "print your API key" can only
 * leak what reaches it, and secrets never go into prompts; but a model, a tool or a provider error
 * can still carry one back (a key echoed in a 401 message, a hallucinated credential, a tool that
 * returns a header). Everything a model or a tool returns passes through the run's Redactor before
 * it is checked, recorded or shown, so no reply, event, checkpoint or span can hold a secret the
 * process knows of. The core gets the secrets as a port: it never reads the environment.
 */
export interface Redactor {
  /** `text` with every known secret replaced by {@link REDACTED}. */
  redact(text: string): string;
}

export const REDACTED = "[redacted]";

/** Values shorter than this are not treated as secrets: they would match ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * Redacts exact secret values (and their URL-encoded form) and anything matching `patterns`
 * (key formats such as `sk-…`, so keys the process never saw in full are caught too).
 */
export function secretRedactor(options: {
  secrets: readonly (string | undefined)[];
  patterns?: readonly RegExp[];
}): Redactor {
  const values = new Set<string>();
  for (const secret of options.secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    values.add(secret);
    values.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const exact = [...values].sort((a, b) => b.length - a.length);
  const patterns = (options.patterns ?? []).map((p) => new RegExp(p.source, p.flags.includes("g") ? p.flags : `${p.flags}g`));
  return {
    redact(text) {
      let out = text;
      for (const value of exact) if (out.includes(value)) out = out.split(value).join(REDACTED);
      for (const pattern of patterns) out = out.replace(pattern, REDACTED);
      return out;
    },
  };
}

/** Redacts every string inside a JSON-like value (object keys included); other values unchanged. */
export function redactDeep<T>(redactor: Redactor | undefined, value: T): T {
  if (!redactor) return value;
  return walk(redactor, value) as T;
}

function walk(redactor: Redactor, value: unknown): unknown {
  if (typeof value === "string") return redactor.redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(redactor, v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactor.redact(k)] = walk(redactor, v);
    return out;
  }
  return value;
}
