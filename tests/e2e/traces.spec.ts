import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { demo, LoginPage } from "./pages/console";

// Each API call on a connection of its own: a kept-alive one that idled past the server's 5 s
// keep-alive timeout can be closed just as the next call goes out (ECONNRESET).
const apiKey = { Authorization: "Bearer sy_demo_switchyard", Connection: "close" };

/** Starts a conversation through the public API and waits until the agents have answered it. */
async function answeredConversation(request: APIRequestContext, message: string) {
  const created = await request.post("/api/v1/conversations", { headers: apiKey, data: { message } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  let view: { status: string; traceId: string } = { status: "running", traceId: "" };
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/conversations/${id}`, { headers: apiKey });
        view = (await res.json()) as typeof view;
        return view.status;
      },
      { timeout: 30_000, intervals: [250] },
    )
    .not.toBe("running");
  expect(view.traceId).toMatch(/^[0-9a-f]{32}$/);
  return { id, traceId: view.traceId };
}

/** Page object for the trace list and the trace waterfall. */
class TracesPage {
  constructor(private readonly page: Page) {}

  async gotoList(query = "") {
    await this.page.goto(`/traces${query}`);
    await expect(this.page.getByRole("heading", { name: "Traces", level: 1 })).toBeVisible();
  }

  async openTrace(traceId: string) {
    await this.page.getByRole("link", { name: `Open trace ${traceId}` }).click();
    await expect(this.page).toHaveURL(new RegExp(`/traces/${traceId}$`));
    await expect(this.page.getByRole("heading", { name: "Waterfall" })).toBeVisible();
  }

  spans() {
    return this.page.getByRole("list", { name: "Spans" }).getByRole("listitem");
  }

  async openSpan(kind: string) {
    const row = this.page.locator(`li[data-kind="${kind}"]`).first();
    await row.getByRole("link").first().click();
    return this.page.getByTestId("span-detail");
  }
}

test("an engineer opens a conversation's trace from the list, reads the waterfall and a span's payload", async ({ page, request }) => {
  const { id, traceId } = await answeredConversation(request, "My sync failed with an error on my laptop");
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const traces = new TracesPage(page);

  await traces.gotoList();
  await expect(page.getByRole("link", { name: `Open trace ${traceId}` })).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/traces.png", fullPage: true });

  // Filters live in the URL; an agent that did not take part hides the trace, one that did keeps it.
  await traces.gotoList("?agent=technical&range=1h");
  await expect(page.getByRole("link", { name: `Open trace ${traceId}` })).toBeVisible();
  await traces.gotoList("?agent=nobody-at-all");
  await expect(page.getByRole("heading", { name: "No traces match" })).toBeVisible();
  // Nonsense in the URL is ignored, not an error page.
  await traces.gotoList("?range=forever&minCost=-3&status=exploded&cursor=garbage");
  await expect(page.getByRole("link", { name: `Open trace ${traceId}` })).toBeVisible();

  await traces.gotoList();
  await traces.openTrace(traceId);
  await expect(page.getByRole("link", { name: id })).toHaveAttribute("href", `/conversations/${id}`);
  await expect(traces.spans().first()).toHaveAttribute("data-kind", "run");
  await expect(page.locator('li[data-kind="llm"]').first()).toBeVisible();
  await expect(page.locator('li[data-kind="handoff"]').first()).toBeVisible();

  // Collapsing the root hides everything under it; expanding brings it back.
  const total = await traces.spans().count();
  expect(total).toBeGreaterThan(4);
  await page.getByRole("button", { name: /^Collapse run / }).click();
  await expect(traces.spans()).toHaveCount(1);
  await page.getByRole("button", { name: /^Expand run / }).click();
  await expect(traces.spans()).toHaveCount(total);

  // A tool span opens with its attributes and, loaded only now, its inputs and outputs.
  await expect(page.getByTestId("span-payload")).toHaveCount(0);
  const detail = await traces.openSpan("tool");
  await expect(page).toHaveURL(/\?span=[0-9a-f]{16}$/);
  await expect(detail.getByText("gen_ai.tool.name")).toBeVisible();
  const payload = detail.getByTestId("span-payload");
  await expect(payload).toContainText('"input"');
  await expect(payload).toContainText('"output"');
  await page.screenshot({ path: "docs/screenshots/trace-detail.png", fullPage: true });

  // An LLM span shows the GenAI attributes its row does not store: derived from its columns.
  const llm = await traces.openSpan("llm");
  await expect(llm.getByText("gen_ai.request.model")).toBeVisible();
  await expect(llm.getByText("gen_ai.usage.input_tokens")).toBeVisible();
  await expect(llm.getByText("switchyard.attempt")).toBeVisible();

  // The keyboard reaches the span links and the collapse buttons (no div with onClick).
  await detail.getByRole("link", { name: "Close" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("span-detail")).toHaveCount(0);
});

test("a support lead cannot open a trace", async ({ page, request }) => {
  const { traceId } = await answeredConversation(request, "Where is my invoice?");
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  const response = await page.goto(`/traces/${traceId}`);
  expect(response?.status()).toBe(403);
});
