import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { newId } from "@/lib/ids";
import { builtInPrices } from "./prices";

/**
 * Adds version 1 of every built-in price that the table does not have yet. Idempotent and safe
 * when several processes start at once (the unique (model, version) index settles races); an
 * admin's later versions are never touched.
 */
export async function ensureBuiltInPrices(db: Database): Promise<void> {
  const rows = Object.entries(builtInPrices).map(([model, p]) => ({
    id: newId("prc"),
    model,
    input: p.inputPerMTok,
    output: p.outputPerMTok,
    cached: p.cachedInputPerMTok,
  }));
  await db.execute(sql`
    insert into model_prices (id, model, version, input_per_mtok, output_per_mtok, cached_input_per_mtok, valid_from)
    select x.id, x.model, 1, x.input, x.output, x.cached, 'epoch'::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(id text, model text, input double precision, output double precision, cached double precision)
    on conflict (model, version) do nothing`);
}
