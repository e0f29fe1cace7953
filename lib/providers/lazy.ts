import type { Model } from "@/lib/runtime";
import type { Embedder } from "./embedding";

// The AI SDK and its providers add about 20 MiB to a process's resident set. A process on the
// simulator (the default, the benchmarks, most workers in a test setup) never needs them, so
// lib/providers imports them on the first call instead of at start-up.

/** A model whose implementation is loaded by its first `generate`. */
export function lazyModel(load: () => Promise<Model>): Model {
  const model = loadOnce(load);
  return {
    generate: async (request) => (await model()).generate(request),
  };
}

/** An embedder likewise; `model` names its vector space before anything is loaded. */
export function lazyEmbedder(model: string, load: () => Promise<Embedder>): Embedder {
  const embedder = loadOnce(load);
  return {
    model,
    embed: async (text, signal) => (await embedder()).embed(text, signal),
  };
}

/**
 * `load` once, shared by the calls that wait for it. A failed load is not kept: an import that
 * failed once (a file replaced mid-deploy, a full disk) would otherwise fail every model call
 * until the process restarts, so the next call tries again.
 */
function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}
