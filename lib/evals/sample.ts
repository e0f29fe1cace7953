import { hash32, inSample } from "@/lib/runtime/rollout";

const SALT = "eval";

/**
 * Which conversations of a batch get evaluated: every one whose id hashes into the share (so the
 * choice is a function of the id, stable across processes and restarts), topped up with the
 * lowest-hashing others until the batch reaches at least `share` of its size (a pure hash share
 * would fall below it in half of all small batches).
 */
export function pickSample(ids: readonly string[], share: number): Set<string> {
  const unique = [...new Set(ids)];
  const picked = new Set(unique.filter((id) => inSample(id, SALT, share)));
  const needed = Math.ceil(share * unique.length);
  const rest = unique.filter((id) => !picked.has(id)).sort((a, b) => hash32(`${SALT}:${a}`) - hash32(`${SALT}:${b}`));
  for (const id of rest) {
    if (picked.size >= needed) break;
    picked.add(id);
  }
  return picked;
}
