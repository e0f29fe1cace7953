import { randomBytes } from "node:crypto";

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
  const bytes = randomBytes(16);
  let rand = "";
  for (const b of bytes) rand += alphabet[b % 32]!;
  return `${prefix}_${time}${rand}`;
}
