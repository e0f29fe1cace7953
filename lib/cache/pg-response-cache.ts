import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/db/client";
import { utcDay } from "@/lib/costs/spend-gate";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import type { Embedder } from "@/lib/providers/embedding";
import { queryRows } from "@/lib/runs/sql";
import type { CachedAnswer, CacheRequest, ResponseCache } from "@/lib/runtime";
import { CONSOLE_SCOPE, normaliseRequest, requestHash } from "./key";
import { hasVectorExtension } from "./vector";

export interface PgResponseCacheOptions {
  /** How many of the newest entries of a scope's agent version a semantic lookup compares. */
  candidates?: number;
  /** Force the similarity implementation (tests); by default pgvector when it is installed. */
  vector?: boolean;
}

interface HitRow {
  output: unknown;
  model: string;
  cost_usd: number;
  age_ms: number;
  similarity: number;
}

/**
 * The ResponseCache over PostgreSQL (either driver). Every statement finds the tenant itself from
 * the run (`scope`: the conversation's API key, or `console`), so no caller can ask across scopes,
 * and a run that is not stored finds and stores nothing.
 *
 * A lookup is at most two statements: the exact key, then (for agents with a similarity
 * threshold) the most similar of the newest `candidates` entries of the scope's agent version.
 * That candidate set is bounded, so the plain-SQL similarity (a dot product over `unnest` of two
 * unit vectors) stays cheap without pgvector; with pgvector installed the same comparison is its
 * cosine distance. An approximate index would not help: every search is filtered to one tenant's
 * agent version first. The hit, its counters and the day's statistics are written by the same
 * statement that finds it.
 */
export class PgResponseCache implements ResponseCache {
  private readonly candidates: number;
  private vector: Promise<boolean> | undefined;
  /** The embedding of the last requests: a miss is looked up and then stored with the same one. */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly db: Database,
    private readonly embedder: Embedder,
    private readonly options: PgResponseCacheOptions = {},
  ) {
    this.candidates = options.candidates ?? 200;
  }

  async lookup(request: CacheRequest): Promise<CachedAnswer | null> {
    const semantic = request.policy.minSimilarity !== null;
    const exact = await this.exact(request, !semantic);
    if (exact || !semantic) return exact;
    return this.similar(request, await this.embed(request.input));
  }

  async store(request: CacheRequest, answer: { output: unknown; model: string; costUsd: number | null }): Promise<void> {
    const embedding = request.policy.minSimilarity === null ? null : await this.embed(request.input);
    const keyHash = requestHash(request.input);
    // Expired entries of the agent go with the next store; the key being stored is upserted
    // instead (one statement must not delete and update the same row).
    await this.db.execute(sql`
      with s as (${scopeOf(request.runId)}),
      expired as (
        delete from response_cache c using s
        where c.scope = s.scope and c.agent = ${request.agent} and c.expires_at < now() and c.key_hash <> ${keyHash}
      )
      insert into response_cache (id, scope, agent, agent_version, key_hash, output, model, cost_usd,
        embedding, embedding_model, created_at, expires_at)
      select ${newId("rch")}, s.scope, ${request.agent}, ${request.version}, ${keyHash},
        ${JSON.stringify(answer.output)}::jsonb, ${answer.model}, ${answer.costUsd ?? 0},
        ${embedding ? vectorLiteral(embedding) : sql`null::real[]`}, ${embedding ? this.embedder.model : null},
        now(), now() + ${request.policy.ttlMs} * interval '1 millisecond'
      from s
      on conflict (scope, agent, agent_version, key_hash) do update set
        output = excluded.output, model = excluded.model, cost_usd = excluded.cost_usd,
        embedding = excluded.embedding, embedding_model = excluded.embedding_model,
        created_at = excluded.created_at, expires_at = excluded.expires_at`);
  }

  private async exact(request: CacheRequest, countMiss: boolean): Promise<CachedAnswer | null> {
    const found = sql`
      select c.id, 1::float8 as similarity from response_cache c, s
      where c.scope = s.scope and c.agent = ${request.agent} and c.agent_version = ${request.version}
        and c.key_hash = ${requestHash(request.input)} and c.expires_at > now()`;
    return this.take(request, found, countMiss, "exact");
  }

  private async similar(request: CacheRequest, embedding: number[] | null): Promise<CachedAnswer | null> {
    const threshold = request.policy.minSimilarity ?? 1;
    const similarity = embedding ? await this.similarity(embedding) : null;
    const found = similarity
      ? sql`
        select id, similarity from (
          select c.id, ${similarity} as similarity from response_cache c, s
          where c.scope = s.scope and c.agent = ${request.agent} and c.agent_version = ${request.version}
            and c.embedding_model = ${this.embedder.model} and c.embedding is not null and c.expires_at > now()
          order by c.created_at desc
          limit ${this.candidates}
        ) n
        where similarity >= ${threshold}
        order by similarity desc
        limit 1`
      : sql`select null::text as id, null::float8 as similarity where false`;
    return this.take(request, found, true, "semantic");
  }

  /**
   * Serves the entry `found` selects (at most one row: id, similarity), counting the hit on it
   * and the lookup in the day's statistics, all in one statement.
   */
  private async take(request: CacheRequest, found: SQL, countMiss: boolean, match: CachedAnswer["match"]): Promise<CachedAnswer | null> {
    const [row] = await queryRows<HitRow>(
      this.db,
      sql`
      with s as (${scopeOf(request.runId)}),
      f as (${found}),
      hit as (
        update response_cache c set hits = c.hits + 1, saved_usd = c.saved_usd + c.cost_usd, last_hit_at = now()
        from f where c.id = f.id
        returning c.output, c.model, c.cost_usd, c.created_at, f.similarity
      ),
      counted as (
        insert into response_cache_stats as t (day, scope, agent, lookups, hits, saved_usd)
        select ${utcDay(Date.now())}::date, s.scope, ${request.agent}, 1, count(hit.model), coalesce(sum(hit.cost_usd), 0)
        from s left join hit on true
        group by s.scope
        having count(hit.model) > 0 or ${countMiss}
        on conflict (day, scope, agent) do update set lookups = t.lookups + 1,
          hits = t.hits + excluded.hits, saved_usd = t.saved_usd + excluded.saved_usd
      )
      select output, model, cost_usd, similarity,
        (extract(epoch from now() - created_at) * 1000)::float8 as age_ms
      from hit`,
    );
    if (!row) return null;
    return {
      match,
      similarity: Number(row.similarity),
      output: row.output,
      model: row.model,
      savedUsd: Number(row.cost_usd),
      ageMs: Math.max(0, Number(row.age_ms)),
    };
  }

  /** Cosine similarity of an entry's embedding to `embedding` (both unit vectors). */
  private async similarity(embedding: number[]): Promise<SQL> {
    // A failed check is not remembered: one database blip must not break every later lookup.
    this.vector ??= (
      this.options.vector !== undefined ? Promise.resolve(this.options.vector) : hasVectorExtension(this.db)
    ).catch((error: unknown) => {
      this.vector = undefined;
      throw error;
    });
    const query = vectorLiteral(embedding);
    if (await this.vector) return sql`(1 - (c.embedding::vector <=> ${query}::vector))::float8`;
    return sql`(select sum(a * b) from unnest(c.embedding, ${query}) as v(a, b))::float8`;
  }

  /**
   * The request's embedding, or null when the embedding model failed (a provider outage): the
   * lookup is then exact only and the entry is stored without a vector, instead of the
   * conversation failing on an optional optimisation.
   */
  private async embed(input: string): Promise<number[] | null> {
    const key = normaliseRequest(input);
    const known = this.recent.get(key);
    if (known) return known;
    try {
      const embedding = await this.embedder.embed(input);
      if (this.recent.size >= 256) this.recent.delete(this.recent.keys().next().value!);
      this.recent.set(key, embedding);
      return embedding;
    } catch (error) {
      log("warn", "embedding failed; semantic cache skipped for this request", {
        model: this.embedder.model,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
  }
}

/** The run's tenant: its conversation's API key, or the console's own scope. */
function scopeOf(runId: string): SQL {
  return sql`select coalesce(cv.api_key_id, ${CONSOLE_SCOPE}) as scope
    from runs r join conversations cv on cv.id = r.conversation_id where r.id = ${runId}`;
}

function vectorLiteral(embedding: readonly number[]): SQL {
  return sql`${`{${embedding.map((x) => (Number.isFinite(x) ? x : 0)).join(",")}}`}::real[]`;
}
