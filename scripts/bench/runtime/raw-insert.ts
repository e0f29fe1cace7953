import postgres from "postgres";
import { drive } from "./measure";

/**
 * The unit of every target: a single-row insert of a 1 KB JSONB document with postgres.js, one
 * durable commit each. Used by the ceiling child and, interleaved with the conversations, by
 * every framework's child, so that D and the insert rate are measured in the same seconds as the
 * framework (fsync time on a shared machine drifts by several times within minutes).
 */
export class RawInserter {
  private readonly sql: postgres.Sql;
  // 1,024 bytes as JSON text: about one step's event payload.
  private readonly document = (() => {
    const doc = { kind: "bench", text: "" };
    doc.text = "x".repeat(1024 - JSON.stringify(doc).length);
    return doc;
  })();

  constructor(url: string, max: number) {
    // Idle connections close after 2 s: between bursts they would only crowd the shared server.
    this.sql = postgres(url, { max, idle_timeout: 2, onnotice: () => {} });
  }

  get documentBytes(): number {
    return JSON.stringify(this.document).length;
  }

  async setup(): Promise<void> {
    await this.sql`create table if not exists raw_ceiling (id bigserial primary key, payload jsonb not null)`;
  }

  /** One durable insert; resolves with its time in ms. */
  async insert(): Promise<number> {
    const start = performance.now();
    await this.sql`insert into raw_ceiling (payload) values (${this.sql.json(this.document)})`;
    return performance.now() - start;
  }

  /** `count` inserts at `concurrency`; resolves with the rate per second. */
  async rate(count: number, concurrency: number): Promise<number> {
    const wallMs = await drive(count, concurrency, async () => void (await this.insert()));
    return count / (wallMs / 1000);
  }

  end(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}
