import type { Model } from "@/lib/runtime";
import type { Embedder } from "./embedding";

// The AI SDK and its providers add about 20 MiB to a process's resident set. A process on the
// simulator (the default, the benchmarks, most workers in a test setup) never needs them, so
// lib/providers imports them on the first call instead of at start-up.

/** A model whose implementation is loaded by its first `generate`, once. */
export function lazyModel(load: () => Promise<Model>): Model {
  let model: Promise<Model> | undefined;
  return {
    generate: async (request) => (await (model ??= load())).generate(request),
  };
}

/** An embedder likewise; `model` names its vector space before anything is loaded. */
export function lazyEmbedder(model: string, load: () => Promise<Embedder>): Embedder {
  let embedder: Promise<Embedder> | undefined;
  return {
    model,
    embed: async (text, signal) => (await (embedder ??= load())).embed(text, signal),
  };
}
