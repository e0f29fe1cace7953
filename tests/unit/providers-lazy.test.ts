import { describe, expect, it } from "vitest";
import type { Env } from "@/lib/env";
import { createEmbedder, createModel } from "@/lib/providers";
import { lazyModel } from "@/lib/providers/lazy";
import { simulatorEmbedder } from "@/lib/providers/simulator/embedding";
import {
  ConfigurationError,
  type Model,
  type ModelRequest,
  type ModelResponse,
} from "@/lib/runtime";

function env(overrides: Partial<Env>): Env {
  return {
    PGLITE_DATA_DIR: "memory://",
    DATABASE_POOL_MAX: 10,
    DATA_DIR: ".data",
    SWITCHYARD_PROVIDER: "sim",
    SWITCHYARD_MODEL_TIMEOUT_MS: 60_000,
    SWITCHYARD_DEMO_TRAFFIC: "auto",
    SWITCHYARD_WORKER_CONCURRENCY: 16,
    PORT: 3000,
    NODE_ENV: "test",
    ...overrides,
  };
}

describe("providers loaded on first use", () => {
  it("still refuses a provider without a key when the model is created", () => {
    expect(() => createModel(env({ SWITCHYARD_PROVIDER: "anthropic" }))).toThrow(
      ConfigurationError,
    );
  });

  it("names the embedding space before the AI SDK is loaded", () => {
    const key = { SWITCHYARD_PROVIDER: "openai", OPENAI_API_KEY: "sk-test" } as const;
    expect(createEmbedder(env(key)).model).toBe("openai/text-embedding-3-small");
    expect(
      createEmbedder(env({ ...key, SWITCHYARD_EMBEDDING_MODEL: "nomic-embed-text" })).model,
    ).toBe("openai/nomic-embed-text");
    expect(createEmbedder(env({ SWITCHYARD_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "k" }))).toBe(
      simulatorEmbedder,
    );
  });

  it("loads the model once, on the first call, and answers every call with it", async () => {
    let loads = 0;
    const inner: Model = {
      generate: (request: ModelRequest): Promise<ModelResponse> =>
        Promise.resolve({
          text: request.agent.name,
          usage: { inputTokens: 1, outputTokens: 1 },
          model: "m",
          latencyMs: 0,
        }),
    };
    const model = lazyModel(() => {
      loads += 1;
      return Promise.resolve(inner);
    });
    expect(loads).toBe(0);
    const request = (name: string) => ({ agent: { name } }) as unknown as ModelRequest;
    const answers = await Promise.all([model.generate(request("a")), model.generate(request("b"))]);
    expect(answers.map((a) => a.text)).toEqual(["a", "b"]);
    expect(loads).toBe(1);
  });

  it("tries the load again on the next call after it failed, and keeps it once it succeeds", async () => {
    let loads = 0;
    const inner: Model = {
      generate: (): Promise<ModelResponse> =>
        Promise.resolve({ text: "ok", usage: { inputTokens: 1, outputTokens: 1 }, model: "m", latencyMs: 0 }),
    };
    const model = lazyModel(() => {
      loads += 1;
      return loads === 1 ? Promise.reject(new Error("import failed")) : Promise.resolve(inner);
    });
    const request = { agent: { name: "a" } } as unknown as ModelRequest;
    await expect(model.generate(request)).rejects.toThrow("import failed");
    expect((await model.generate(request)).text).toBe("ok");
    expect((await model.generate(request)).text).toBe("ok");
    expect(loads).toBe(2);
  });
});
