import { describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { invalidatePriceBooks, priceBookSource, type PriceVersion } from "@/lib/costs/price-book";

const tiers = { fast: "m", standard: "m", strong: "m" } as const;
const version = (n: number, inputPerMTok: number): PriceVersion => ({
  model: "m",
  version: n,
  inputPerMTok,
  outputPerMTok: 1,
  cachedInputPerMTok: 0,
  validFrom: 0,
});

/**
 * A stand-in for the database: each read of the price table waits until the test answers it, with
 * the table as it is at that moment, so a test can hold a read "under way" across a write.
 */
function heldTable(initial: PriceVersion[]) {
  let table = initial;
  const pending: (() => void)[] = [];
  const db = {
    select: () => ({
      from: () => ({
        orderBy: () =>
          new Promise<unknown[]>((resolve) => {
            // The read saw the table as it was when it started.
            const seen = table;
            pending.push(() => resolve(seen.map((v) => ({ ...v, validFrom: new Date(v.validFrom) }))));
          }),
      }),
    }),
  } as unknown as Database;
  const answer = async () => {
    while (pending.length === 0) await new Promise((r) => setTimeout(r, 1));
    pending.shift()!();
  };
  return { db, answer, write: (next: PriceVersion[]) => (table = next), reads: () => pending.length };
}

describe("price book refresh", () => {
  it("does not answer a refresh with a read that started before it was asked for", async () => {
    const t = heldTable([version(1, 1)]);
    const book = priceBookSource(t.db, { tierModels: tiers, ttlMs: 60_000 });
    try {
      await t.answer();
      await book.ready;
      const underway = book.refresh();
      t.write([version(1, 1), version(2, 5)]);
      const afterWrite = book.refresh();
      const second = book.refresh();
      await t.answer();
      await underway;
      expect(book.priceOf("m")?.inputPerMTok).toBe(1);
      // Both later callers share one more read, which sees the write.
      await t.answer();
      await Promise.all([afterWrite, second]);
      expect(book.priceOf("m")?.inputPerMTok).toBe(5);
      expect(t.reads()).toBe(0);
    } finally {
      book.stop();
    }
  });

  it("re-reads every live book of the process on invalidation, and forgets stopped ones", async () => {
    const a = heldTable([version(1, 1)]);
    const b = heldTable([version(1, 1)]);
    const bookA = priceBookSource(a.db, { tierModels: tiers, ttlMs: 60_000 });
    const bookB = priceBookSource(b.db, { tierModels: tiers, ttlMs: 60_000 });
    await Promise.all([a.answer(), b.answer()]);
    bookB.stop();
    try {
      a.write([version(2, 7)]);
      const invalidated = invalidatePriceBooks();
      await a.answer();
      await invalidated;
      expect(bookA.priceOf("m")?.inputPerMTok).toBe(7);
      expect(b.reads()).toBe(0);
    } finally {
      bookA.stop();
    }
  });
});
