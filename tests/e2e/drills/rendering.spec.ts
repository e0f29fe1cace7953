import { expect, type APIRequestContext, type Page, test } from "@playwright/test";
import { drillScale, figuresTable, recordDrill, sized } from "../../drills/report";
import { type XssPayload, xssClasses, xssCorpus } from "../../drills/payloads/xss";
import config from "../../../playwright.config";
import { demo, LoginPage } from "../pages/console";

/**
 * Drill 7 (issue 10): XSS and markdown-exfiltration payloads, as a customer's message and as a tool's
 * output (kb_search echoes its query), rendered in the inbox list and entry, the conversation view
 * and the trace view's tool span. Bounds: no script runs, no request leaves the app's host, and every
 * page carries a nonce-based Content-Security-Policy without 'unsafe-inline' for scripts.
 */
const apiKey = { Authorization: "Bearer sy_demo_switchyard" };
// CI: two of every class (the whole spec then takes a few minutes on a shared 2-core machine).
const COUNT = sized({ ci: 24, full: 200 });
const tag = `r${Date.now().toString(36)}`;
const PAGES = 3;

interface Seeded {
  payload: XssPayload;
  marker: string;
  conversationId: string;
  traceId: string;
  status: string;
}

/** What the browser saw across every page of the drill. */
interface Observed {
  pages: number;
  executed: string[];
  dialogs: string[];
  violations: string[];
  outsideRequests: string[];
  missingPolicy: string[];
  weakPolicy: string[];
  pageErrors: string[];
  injected: string[];
  rendered: Record<"inboxList" | "inboxEntry" | "conversation" | "traceTool", Set<string>>;
}

/** Text as the browser shows it: whitespace collapsed, a NUL replaced by the parser. */
const flat = (text: string) =>
  text
    .replaceAll(String.fromCharCode(0), " ")
    .replace(/[\s\uFFFD]+/g, " ")
    .trim();

const message = (s: { marker: string; payload: XssPayload }) => `Broken [${s.marker}]: ${s.payload.text}`;

async function seed(request: APIRequestContext, payloads: XssPayload[]): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  // A few at a time: the app's worker and the simulated demo traffic share the machine.
  for (let i = 0; i < payloads.length; i += 8) {
    const batch = payloads.slice(i, i + 8).map(async (payload) => {
      const marker = `${tag}-${payload.id}`;
      // One retry on a dropped connection; the Idempotency-Key makes it safe (no second conversation).
      const post = () =>
        request.post("/api/v1/conversations", {
          headers: { ...apiKey, "Idempotency-Key": marker },
          data: { message: message({ marker, payload }), customerId: "cust-drill-rendering" },
        });
      const res = await post().catch(post);
      expect(res.status(), `create ${payload.id}`).toBe(201);
      const { id, traceId } = (await res.json()) as { id: string; traceId: string };
      return { payload, marker, conversationId: id, traceId, status: "running" };
    });
    seeded.push(...(await Promise.all(batch)));
  }
  for (const s of seeded) {
    await expect
      .poll(
        async () => {
          const res = await request.get(`/api/v1/conversations/${s.conversationId}`, { headers: apiKey });
          s.status = ((await res.json()) as { status: string }).status;
          return s.status;
        },
        { timeout: 60_000, intervals: [250, 500] },
      )
      .not.toBe("running");
  }
  return seeded;
}

/** Wires the detectors into a page: dialogs, page errors, outside requests, CSP violations. */
function watch(page: Page, appHost: string, seen: Observed) {
  page.on("dialog", (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on("pageerror", (e) => seen.pageErrors.push(e.message));
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith("http") && url.host !== appHost) seen.outsideRequests.push(r.url());
  });
  void page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

/** Opens one page, waits until `marker` is on it, and reads the flags a payload would set. */
async function visit(page: Page, url: string, marker: string, seen: Observed): Promise<boolean> {
  const response = await page.goto(url);
  seen.pages++;
  const policy = response?.headers()["content-security-policy"];
  if (!policy) seen.missingPolicy.push(url);
  else {
    const script = /script-src ([^;]*)/.exec(policy)?.[1] ?? "";
    if (script.includes("'unsafe-inline'") || !/'nonce-[A-Za-z0-9+/=]{16,}'/.test(script)) seen.weakPolicy.push(url);
  }
  const shown = await page
    .getByText(marker)
    .first()
    .waitFor({ timeout: 15_000 })
    .then(() => true, () => false);
  // Let late handlers (onload, ontoggle, autofocus, timers) have their chance to fire.
  await page.waitForTimeout(100);
  const flags = await page.evaluate(() => {
    const w = window as unknown as { __pwned?: unknown; __violations?: string[] };
    // Markup of a payload that reached the DOM as elements, whether or not the policy stopped it.
    const risky = /^(on.+|src|srcset|href|data|action|formaction|style|background|srcdoc)$/i;
    const injected = [...document.querySelectorAll("*")].filter((el) =>
      [...el.attributes].some((a) => risky.test(a.name) && /evil\.test|__pwned|javascript:|alert\(/i.test(a.value)),
    ).length;
    return { pwned: w.__pwned === undefined ? null : JSON.stringify(w.__pwned) ?? typeof w.__pwned, violations: w.__violations ?? [], injected };
  });
  if (flags.pwned !== null) seen.executed.push(`${url}: ${flags.pwned}`);
  if (flags.injected > 0) seen.injected.push(`${url}: ${flags.injected}`);
  seen.violations.push(...flags.violations.map((v) => `${url}: ${v}`));
  return shown;
}

/** Every escalation row on every page of the technical agent's inbox: escalation id per marker. */
async function walkInbox(page: Page, seeded: Seeded[], seen: Observed): Promise<Map<string, string>> {
  const byMarker = new Map<string, string>();
  let url: string | null = "/inbox?agent=technical";
  for (let guard = 0; url && guard < 200; guard++) {
    await visit(page, url, "Inbox", seen);
    await expect(page.getByRole("heading", { name: "Inbox" })).toBeVisible();
    for (const row of await page.getByTestId("inbox-row").all()) {
      const text = await row.innerText();
      const s = seeded.find((x) => text.includes(`[${x.marker}]`));
      const esc = await row.getAttribute("data-escalation");
      if (!s || !esc) continue;
      byMarker.set(s.marker, esc);
      // The preview is the customer's own words, shown as text.
      if (flat(text).includes(flat(s.payload.text).slice(0, 40))) seen.rendered.inboxList.add(s.marker);
    }
    const next = page.getByRole("link", { name: "Next page →" });
    url = (await next.count()) ? await next.getAttribute("href") : null;
  }
  return byMarker;
}

/** One payload in the inbox entry, the conversation view and the trace view's tool span. */
async function checkPayload(page: Page, s: Seeded, esc: string | undefined, seen: Observed) {
  if (esc && (await visit(page, `/inbox/${esc}`, s.marker, seen))) {
    // The entry shows the tool's activity: the echoed query is the payload as tool output.
    const tools = page.getByTestId("tool-activity").filter({ hasText: "kb_search" });
    const activity = (await tools.count()) ? await tools.first().innerText() : "";
    if (activity.split("out:")[1]?.includes(s.marker)) seen.rendered.inboxEntry.add(s.marker);
  }
  if (await visit(page, `/conversations/${s.conversationId}`, s.marker, seen)) seen.rendered.conversation.add(s.marker);
  await visit(page, `/traces/${s.traceId}`, "Waterfall", seen);
  const span = await page.locator('li[data-kind="tool"]').first().getAttribute("data-span-id");
  if (span && (await visit(page, `/traces/${s.traceId}?span=${span}`, s.marker, seen))) {
    const detail = await page.getByTestId("span-payload").innerText();
    if (detail.includes('"output"') && detail.split(s.marker).length > 2) seen.rendered.traceTool.add(s.marker);
  }
}

// Nothing leaves the machine even if the policy failed: every payload's host is under .evil.test,
// and Chromium resolves no name but the app's (attempts are still seen by the request detector).
// Not page.route: routing disables the HTTP cache and sends every request through the test
// runner, which over a thousand page visits costs more than the app and the browser together. Nor
// a Playwright trace, which snapshots the DOM at every action. The figures are the drill's record.
const base = config.use?.launchOptions ?? {};
test.use({
  trace: "off",
  launchOptions: { ...base, args: [...(base.args ?? []), "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"] },
});

test("drill 7: XSS and markdown exfiltration payloads render as text under a strict CSP", async ({ page, request, baseURL }) => {
  test.setTimeout(sized({ ci: 8, full: 40 }) * 60_000);
  const payloads = xssCorpus(COUNT);
  const appHost = new URL(baseURL!).host;
  const seen: Observed = {
    pages: 0,
    executed: [],
    dialogs: [],
    violations: [],
    outsideRequests: [],
    missingPolicy: [],
    weakPolicy: [],
    pageErrors: [],
    injected: [],
    rendered: { inboxList: new Set(), inboxEntry: new Set(), conversation: new Set(), traceTool: new Set() },
  };
  const seeded = await seed(request, payloads);
  watch(page, appHost, seen);
  await new LoginPage(page).signInExpectingConsole(demo.engineer);

  const escalations = await walkInbox(page, seeded, seen);
  // A few pages at once: each visit mostly waits on the server, so they overlap well.
  const extra = await Promise.all(
    Array.from({ length: PAGES - 1 }, async () => {
      const p = await page.context().newPage();
      watch(p, appHost, seen);
      return p;
    }),
  );
  const queue = [...seeded];
  await Promise.all(
    [page, ...extra].map(async (p) => {
      for (let s = queue.shift(); s; s = queue.shift()) await checkPayload(p, s, escalations.get(s.marker), seen);
    }),
  );
  await Promise.all(extra.map((p) => p.close()));
  const shot = seeded.find((s) => s.payload.cls === "event handler") ?? seeded[0]!;
  await page.goto(`/conversations/${shot.conversationId}`);
  await page.screenshot({ path: `${drillScale() === "full" ? "docs/screenshots" : "test-results"}/drill-rendering.png`, fullPage: true });

  const controls = await detectorControls(page, payloads.slice(0, 24), appHost);
  const n = seeded.length;
  const all = (set: Set<string>) => ({ measured: `${set.size} of ${n}`, ok: set.size === n });
  const zero = (figure: string, list: string[]) => ({ figure, bound: "0", measured: list.length, ok: list.length === 0 });
  const figures = [
    { figure: "payloads (classes)", bound: `≥ ${COUNT} (${xssClasses.length})`, measured: `${n} (${new Set(payloads.map((p) => p.cls)).size})`, ok: n >= COUNT && new Set(payloads.map((p) => p.cls)).size === xssClasses.length },
    { figure: "shown as text in the inbox list", bound: "all", ...all(seen.rendered.inboxList) },
    { figure: "shown in the inbox entry, with the tool output", bound: "all", ...all(seen.rendered.inboxEntry) },
    { figure: "shown in the conversation view", bound: "all", ...all(seen.rendered.conversation) },
    { figure: "shown in the trace view's tool span (input and output)", bound: "all", ...all(seen.rendered.traceTool) },
    { figure: "pages rendered", bound: "—", measured: seen.pages, ok: true },
    zero("scripts run (window flag set)", seen.executed),
    zero("dialogs (alert, confirm, prompt)", seen.dialogs),
    zero("requests to outside hosts", seen.outsideRequests),
    zero("pages with payload markup as elements (src, href, on… naming the payload)", seen.injected),
    zero("CSP violations reported (injected markup reached the DOM)", seen.violations),
    zero("page errors", seen.pageErrors),
    zero("pages without a Content-Security-Policy", seen.missingPolicy),
    zero("pages whose script-src has 'unsafe-inline' or no nonce", seen.weakPolicy),
    { figure: "detector control: the same payloads unescaped, no CSP, run / leak", bound: "> 0 / > 0", measured: `${controls.executed} / ${controls.outside}`, ok: controls.executed > 0 && controls.outside > 0 },
  ];
  recordDrill(
    "rendering",
    "Drill 7: rendering (XSS and markdown exfiltration)",
    `${n} payloads in ${xssClasses.length} classes (${xssClasses.join(", ")}), each sent as a customer message that the technical agent's kb_search echoes back as tool output, rendered in Chromium in the inbox list and entry, the conversation view and the trace view's tool span. The control renders the first payloads as raw HTML on a page without the policy, to show the detectors do fire.\n\n${figuresTable(figures)}`,
  );
  for (const f of figures) expect.soft(f.ok, `${f.figure}: ${f.measured}`).toBe(true);
  expect(seen.executed.concat(seen.dialogs, seen.outsideRequests, seen.violations, seen.injected, seen.missingPolicy, seen.weakPolicy)).toEqual([]);
});

/**
 * The drill's own control: the payloads written into a blank page as HTML, with no policy, must
 * set the flag and try to reach an outside host, or the detectors above could be blind.
 */
async function detectorControls(page: Page, payloads: XssPayload[], appHost: string) {
  const control = await page.context().newPage();
  let outside = 0;
  let dialogs = 0;
  control.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  await control.route("**/*", (route) => {
    if (new URL(route.request().url()).host !== appHost) outside++;
    return route.abort();
  });
  await control.setContent(`<html><body>${payloads.map((p) => `<div>${p.text}</div>`).join("\n")}</body></html>`);
  await control.waitForTimeout(500);
  const pwned = await control.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned !== undefined);
  await control.close();
  return { executed: (pwned ? 1 : 0) + dialogs, outside };
}
