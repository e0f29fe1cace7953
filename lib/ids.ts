import { randomFillSync } from "node:crypto";

/**
 * Prefixed, time-sortable text ids (`usr_…`, `aud_…`): 10 base32 chars of milliseconds then
 * 16 of randomness, so ids sort by creation time and make cursor pagination stable.
 */
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

export function newId(prefix: string, now: number = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const at = takeRandom16();
  let rand = "";
  for (let i = 0; i < 16; i++) rand += alphabet[pool[at + i]! % 32]!;
  return `${prefix}_${time}${rand}`;
}

/** A W3C trace id: 32 hex characters of randomness, from the same pool as `newId`. */
export function newTraceId(): string {
  const at = takeRandom16();
  return pool.toString("hex", at, at + 16);
}

// Randomness is drawn from the CSPRNG 4 KB at a time and handed out 16 bytes per id, as Node's
// own randomUUID does: a separate randomBytes(16) per id cost more than the rest of newId, and a
// step's commit makes ids on the hot path (docs/benchmarks.md, eighth pass). Each byte is used
// once.
const pool = Buffer.alloc(4096);
let pos = pool.length;

/** The offset in `pool` of 16 fresh random bytes. */
function takeRandom16(): number {
  if (pos + 16 > pool.length) {
    randomFillSync(pool);
    pos = 0;
  }
  const at = pos;
  pos += 16;
  return at;
}
