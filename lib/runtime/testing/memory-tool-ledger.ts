import { SystemFailure } from "../errors";
import { type LedgerEntry, type ToolLedger } from "../ports";
import { type ToolOutcome } from "../state";

/** An in-memory ToolLedger; entries are copied in and out as a database would. */
export class MemoryToolLedger implements ToolLedger {
  private readonly entries = new Map<string, LedgerEntry>();

  async begin(
    key: string,
    intent: { tool: string; input: unknown; at: number },
  ): Promise<LedgerEntry> {
    await Promise.resolve();
    const existing = this.entries.get(key);
    const entry: LedgerEntry = existing
      ? { ...existing, attempts: existing.attempts + 1 }
      : {
          key,
          tool: intent.tool,
          input: structuredClone(intent.input),
          status: "started",
          attempts: 1,
          startedAt: intent.at,
        };
    this.entries.set(key, entry);
    return structuredClone(entry);
  }

  async complete(key: string, result: ToolOutcome, at: number): Promise<void> {
    await Promise.resolve();
    const entry = this.entries.get(key);
    if (!entry) throw new SystemFailure(`ledger: complete without begin for ${key}`);
    this.entries.set(key, {
      ...entry,
      status: "completed",
      result: structuredClone(result),
      finishedAt: at,
    });
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    await Promise.resolve();
    const entry = this.entries.get(key);
    return entry ? structuredClone(entry) : undefined;
  }

  /** All keys, in insertion order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
