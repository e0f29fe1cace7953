/**
 * Text embeddings for the semantic response cache (lib/cache). `model` names the vector space:
 * vectors of different models are never compared.
 */
export interface Embedder {
  readonly model: string;
  /** A unit-length vector. */
  embed(text: string, signal?: AbortSignal): Promise<number[]>;
}

/** Scales a vector to unit length (a zero vector stays zero), so a dot product is the cosine. */
export function normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector.map(() => 0) : vector.map((x) => x / norm);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) dot += a[i]! * b[i]!;
  return dot;
}
