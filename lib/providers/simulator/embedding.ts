import { type Embedder, normalise } from "../embedding";

export const SIMULATOR_EMBEDDING_DIMENSIONS = 256;

/**
 * The SIMULATOR's embedding: not a language model. A hashed bag of words (lower-cased, crudely
 * stemmed, function words weighted down) in 256 dimensions, deterministic and free, so the
 * semantic cache works with no provider: a rewording that keeps the content words lands close,
 * a question about something else does not. A real provider's embedding model replaces it when
 * configured (lib/providers/ai-sdk/embedding.ts).
 */
export const simulatorEmbedder: Embedder = {
  model: `simulator/bag-of-words-${SIMULATOR_EMBEDDING_DIMENSIONS}`,
  embed: (text) => Promise.resolve(bagOfWords(text)),
};

const functionWords = new Set(
  "a an and are as at be but by can could do does for from have how i if in is it me my of on or our please so that the this to was we what when where which who why will with would you your".split(" "),
);
const FUNCTION_WORD_WEIGHT = 0.4;

export function bagOfWords(text: string, dimensions = SIMULATOR_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const token = stem(word);
    const hash = fnv1a(token);
    const sign = hash & 1 ? 1 : -1;
    vector[(hash >>> 1) % dimensions]! += sign * (functionWords.has(word) ? FUNCTION_WORD_WEIGHT : 1);
  }
  return normalise(vector);
}

/** Folds the commonest English inflections together (ships, shipping, shipped → ship). */
function stem(word: string): string {
  if (word.length <= 4) return word;
  const undouble = (base: string) => (base.length > 3 && base.at(-1) === base.at(-2) ? base.slice(0, -1) : base);
  if (word.endsWith("ing")) return undouble(word.slice(0, -3));
  if (word.endsWith("ed")) return undouble(word.slice(0, -2));
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (/(s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
