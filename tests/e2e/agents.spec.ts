import { expect, type APIRequestContext, type Page, test } from "@playwright/test";
import { demo, LoginPage } from "./pages/console";

// Each API call on a connection of its own: a kept-alive one that idled past the server's 5 s
// keep-alive timeout can be closed just as the next call goes out (ECONNRESET).
const auth = { Authorization: "Bearer sy_demo_switchyard", Connection: "close" };

/** Starts a conversation through the public API and waits until the agents have answered it. */
async function answeredConversation(request: APIRequestContext, message: string) {
  const created = await request.post("/api/v1/conversations", { headers: auth, data: { message, customerId: "cust-e2e-metrics" } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/conversations/${id}`, { headers: auth });
        return ((await res.json()) as { status: string }).status;
      },
      { timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .not.toBe("running");
  return id;
}

/** Page object for /agents. */
class AgentsPage {
  constructor(private readonly page: Page) {}

  async goto(range?: string) {
    await this.page.goto(range ? `/agents?range=${range}` : "/agents");
    await expect(this.page.getByRole("heading", { name: "Agents", level: 1 })).toBeVisible();
  }

  range(label: string) {
    return this.page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: label, exact: true });
  }

  metricsTable() {
    return this.page.getByRole("table", { name: "Metrics by agent version" });
  }

  chart(id: string) {
    return this.page.getByTestId(`chart-${id}`);
  }
}

test("an engineer reads per-agent metrics and charts and changes the time range", async ({ page, request }) => {
  await answeredConversation(request, "My sync failed with an error on my laptop");
  await answeredConversation(request, "Please refund $20 on order ORD-1234, I was charged twice");

  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const agents = new AgentsPage(page);
  await agents.goto();
  await expect(agents.range("24h")).toHaveAttribute("aria-current", "page");
  await expect(agents.metricsTable()).toBeVisible();
  // The conversations just answered went through triage and a specialist.
  await expect(agents.metricsTable().getByRole("rowheader", { name: "triage" }).first()).toBeVisible();
  const triage = page.getByTestId("agent-row-triage").first();
  await expect(triage.getByRole("cell").first()).toHaveText(/^v\d+$/);
  // Triage made calls, so its fallback rate is a percentage (0 % unless a call fell back): the
  // 10th cell, after version, calls, p50, p95, p99, tokens, cost, success and retry.
  await expect(agents.metricsTable().getByRole("columnheader").nth(10)).toHaveText("Fallback");
  await expect(triage.getByRole("cell").nth(9)).toHaveText(/^\d+(\.\d)?%$/);
  for (const id of ["latency_p95", "calls", "cost", "error_rate"]) {
    await expect(agents.chart(id)).toBeVisible();
    // A flat line (an error rate of 0 %) has no height, so count the drawn curves instead.
    await expect(agents.chart(id).locator("svg .recharts-line-curve")).not.toHaveCount(0);
  }
  await expect(page.getByRole("table", { name: "Agent definitions" }).getByRole("rowheader", { name: "reviewer" })).toBeVisible();

  await agents.range("7d").click();
  await expect(page).toHaveURL(/\/agents\?range=7d$/);
  await expect(agents.range("7d")).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("heading", { name: /By agent version · last 7 days/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Over time · per day/ })).toBeVisible();
  await expect(agents.chart("calls").locator("svg .recharts-line-curve")).not.toHaveCount(0);

  await agents.range("1h").click();
  await expect(page.getByRole("heading", { name: /Over time · per hour/ })).toBeVisible();
  await expect(agents.metricsTable().getByRole("rowheader", { name: "triage" }).first()).toBeVisible();

  await agents.goto("24h");
  await expect(agents.chart("error_rate").locator("svg .recharts-line-curve")).not.toHaveCount(0);
  await page.screenshot({ path: "docs/screenshots/agents.png", fullPage: true });
});

test("the overview shows the last 24 hours with sparklines and links only where the role may go", async ({ page, request }) => {
  await answeredConversation(request, "How do I install the desktop app?");

  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  await expect(page.getByText(/Welcome, .*signed in as engineer/)).toBeVisible();
  for (const id of ["conversations", "resolution_rate", "escalation_rate", "turn_latency_p95", "spend", "errors"]) {
    const card = page.getByTestId(`headline-${id}`);
    await expect(card).toBeVisible();
    await expect(card.getByRole("link")).toHaveCount(1);
  }
  await expect(page.getByTestId("headline-conversations").locator("p").first()).toHaveText(/^[1-9][\d,]*$/);
  await expect(page.getByTestId("headline-spend").locator(".recharts-line-curve")).toHaveCount(1);
  await page.getByTestId("headline-turn_latency_p95").getByRole("link", { name: /Traces/ }).click();
  await expect(page).toHaveURL(/\/traces$/);
  await page.goto("/");
  await expect(page.getByTestId("headline-spend").locator(".recharts-line-curve")).toHaveCount(1);
  await page.screenshot({ path: "docs/screenshots/overview-metrics.png", fullPage: true });

  // A support lead sees the same numbers, but no link into areas the role cannot open.
  await page.context().clearCookies();
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  await expect(page.getByTestId("headline-conversations").getByRole("link", { name: /Conversations/ })).toBeVisible();
  await expect(page.getByTestId("headline-escalation_rate").getByRole("link", { name: /Inbox/ })).toBeVisible();
  for (const id of ["turn_latency_p95", "spend", "errors"]) {
    await expect(page.getByTestId(`headline-${id}`)).toBeVisible();
    await expect(page.getByTestId(`headline-${id}`).getByRole("link")).toHaveCount(0);
  }
  expect((await page.goto("/agents"))?.status()).toBe(403);
});

test("an engineer sees the model router's decisions and their cost effect", async ({ page, request }) => {
  // Both go to a specialist with a tier range: a common billing question and a product problem.
  await answeredConversation(request, "Where can I download last month's invoice?");
  await answeredConversation(request, "My sync failed with an error on my laptop this morning.");

  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  await new AgentsPage(page).goto();
  const section = page.getByTestId("routing-section");
  await expect(section.getByRole("heading", { name: /Model routing · last 24 hours/ })).toBeVisible();
  const table = section.getByRole("table", { name: "Routing decisions by agent" });
  await expect(table.getByRole("rowheader", { name: "billing" })).toBeVisible();
  await expect(table.getByRole("rowheader", { name: "technical" })).toBeVisible();
  const technical = section.getByTestId("routing-row-technical");
  await expect(technical.getByRole("cell").first()).toHaveText("fast..strong");
  // Share per tier, actual cost and the same calls on the top tier.
  await expect(technical).toContainText("%");
  await expect(technical).toContainText("(strong)");
  await expect(section.getByTestId("routing-effect")).toContainText(/The router made [\d,]+ calls costing \$/);
  await expect(section.getByTestId("routing-effect")).toContainText(/Routing (saved|cost) \$[\d.,]+/);
  const decisions = section.getByRole("list", { name: "Recent routing decisions" }).getByTestId("routing-decision");
  await expect(decisions.first()).toContainText(/Simulated router: /);
  await decisions.first().getByRole("link", { name: "trace" }).click();
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]{32}$/);
  await expect(page.getByText(/route (billing|technical) → (fast|standard|strong)/).first()).toBeVisible();
  await page.goto("/agents");
  await page.getByTestId("routing-section").screenshot({ path: "docs/screenshots/agents-routing.png" });
});
