import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { db, schema } from "@/db";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { type PriceInput, priceInputSchema } from "@/lib/costs/inputs";
import { invalidatePriceBooks } from "@/lib/costs/price-book";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAudit } from "./audit";

export interface PriceRowDto {
  model: string;
  version: number;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number;
  validFrom: string;
  createdByEmail: string | null;
  /** The version every new call of this model is charged at. */
  inForce: boolean;
}

const p = schema.modelPrices;

/** Every version of every model's price, newest first per model. */
export async function listPrices(): Promise<PriceRowDto[]> {
  await authorize("budgets:read");
  const rows = await db()
    .select({
      model: p.model,
      version: p.version,
      inputPerMTok: p.inputPerMTok,
      outputPerMTok: p.outputPerMTok,
      cachedInputPerMTok: p.cachedInputPerMTok,
      validFrom: p.validFrom,
      createdByEmail: schema.users.email,
    })
    .from(p)
    .leftJoin(schema.users, eq(schema.users.id, p.createdBy))
    .orderBy(p.model, desc(p.version))
    .limit(2_000);
  const now = Date.now();
  const inForce = new Map<string, number>();
  for (const r of rows) {
    if (r.validFrom.getTime() <= now) inForce.set(r.model, Math.max(inForce.get(r.model) ?? 0, r.version));
  }
  return rows.map((r) => ({
    ...r,
    validFrom: r.validFrom.toISOString(),
    createdByEmail: r.createdByEmail ?? null,
    inForce: inForce.get(r.model) === r.version,
  }));
}

/**
 * Adds the next version of a model's price, in force from now; earlier versions are kept, so calls
 * already made keep the price they were charged at. Audited in the same transaction. Returns once
 * this process's price books have re-read the table, so its next call is charged the new price.
 */
export async function addPriceVersion(actor: Actor, input: PriceInput): Promise<{ model: string; version: number }> {
  const price = priceInputSchema.parse(input);
  let added: { model: string; version: number };
  try {
    added = await db().transaction(async (tx) => {
      const [latest] = await tx
        .select({
          version: p.version,
          inputPerMTok: p.inputPerMTok,
          outputPerMTok: p.outputPerMTok,
          cachedInputPerMTok: p.cachedInputPerMTok,
        })
        .from(p)
        .where(eq(p.model, price.model))
        .orderBy(desc(p.version))
        .limit(1);
      const version = (latest?.version ?? 0) + 1;
      await tx.insert(p).values({ id: newId("prc"), ...price, version, createdBy: actor.id, validFrom: sql`now()` });
      await recordAudit(tx, actor, {
        action: "price.add_version",
        targetType: "model_price",
        targetId: price.model,
        before: latest ?? null,
        after: { version, inputPerMTok: price.inputPerMTok, outputPerMTok: price.outputPerMTok, cachedInputPerMTok: price.cachedInputPerMTok },
      });
      return { model: price.model, version };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "Someone changed this price at the same moment; reload and try again.");
    }
    throw error;
  }
  // After the commit: a read inside the transaction's lifetime would still see the old table.
  await invalidatePriceBooks();
  return added;
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
