import { hash32, inSample } from "@/lib/runtime/rollout";

const SALT = "eval";

/**
 * Which conversations get evaluated, batch after batch: every one whose id hashes into the share
 * (a function of the id, stable across processes and restarts), topped up with the lowest-hashing
 * others only when the running total falls below the share of everything seen. Topping up each
 * batch on its own would round every small batch up to one pick: with batches of a few runs every
 * five seconds, that judged most conversations instead of 5%.
 */
export class SampleQuota {
  private seen = 0;
  private picked = 0;

  constructor(private readonly share: number) {}

  /** Picks from ids not offered before. */
  take(ids: readonly string[]): Set<string> {
    const unique = [...new Set(ids)];
    const picked = new Set(unique.filter((id) => inSample(id, SALT, this.share)));
    this.seen += unique.length;
    const needed = Math.floor(this.share * this.seen) - this.picked;
    const rest = unique.filter((id) => !picked.has(id)).sort((a, b) => hash32(`${SALT}:${a}`) - hash32(`${SALT}:${b}`));
    for (const id of rest) {
      if (picked.size >= needed) break;
      picked.add(id);
    }
    this.picked += picked.size;
    return picked;
  }
}
