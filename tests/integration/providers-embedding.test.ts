import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAiEmbedder } from "@/lib/providers/ai-sdk";
import { ProviderError } from "@/lib/runtime";

/** A loopback server speaking OpenAI's POST /v1/embeddings; each test sets the next answer. */
let answer: (body: Record<string, unknown>) => { status: number; body: unknown } = () => ({ status: 500, body: {} });
const requests: Record<string, unknown>[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let raw = "";
  req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
  req.on("end", () => {
    const body = JSON.parse(raw || "{}") as Record<string, unknown>;
    requests.push({ path: req.url, ...body });
    const { status, body: out } = answer(body);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(out));
  });
});
let baseURL = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ok = (embedding: number[]) => () => ({
  status: 200,
  body: { object: "list", data: [{ object: "embedding", index: 0, embedding }], model: "m", usage: { prompt_tokens: 3, total_tokens: 3 } },
});

describe("OpenAI-compatible embedder", () => {
  it("embeds through the endpoint and returns a unit vector named after the model", async () => {
    answer = ok([3, 4]);
    const embedder = createOpenAiEmbedder({ provider: "openai", baseURL, timeoutMs: 5_000 }, "nomic-embed-text");
    expect(embedder.model).toBe("openai/nomic-embed-text");
    const vector = await embedder.embed("Do you ship to Canada?");
    expect(vector[0]).toBeCloseTo(0.6, 6);
    expect(vector[1]).toBeCloseTo(0.8, 6);
    expect(requests.at(-1)).toMatchObject({ path: "/v1/embeddings", model: "nomic-embed-text", input: ["Do you ship to Canada?"] });
    // Only OpenAI's own v3 models are asked for fewer dimensions.
    expect(requests.at(-1)).not.toHaveProperty("dimensions");
  });

  it("asks text-embedding-3 models for 256 dimensions", async () => {
    answer = ok([1, 0]);
    await createOpenAiEmbedder({ provider: "openai", apiKey: "sk-test", baseURL, timeoutMs: 5_000 }).embed("hours?");
    expect(requests.at(-1)).toMatchObject({ model: "text-embedding-3-small", dimensions: 256 });
  });

  it("classifies a failure like a model call, without the key in the message", async () => {
    answer = () => ({ status: 503, body: { error: { message: "overloaded sk-secret-123", type: "server_error" } } });
    const embedder = createOpenAiEmbedder({ provider: "openai", apiKey: "sk-secret-123", baseURL, timeoutMs: 5_000 });
    const error = await embedder.embed("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("server_error");
    expect((error as ProviderError).message).not.toContain("sk-secret-123");
  });
});
