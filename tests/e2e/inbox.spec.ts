import { expect, type APIRequestContext, test } from "@playwright/test";
import { demo, InboxPage, LoginPage } from "./pages/console";

// Each API call on a connection of its own: a kept-alive one that idled past the server's 5 s
// keep-alive timeout can be closed just as the next call goes out (ECONNRESET).
const auth = { Authorization: "Bearer sy_demo_switchyard", Connection: "close" };

async function startConversation(request: APIRequestContext, message: string): Promise<string> {
  const created = await request.post("/api/v1/conversations", {
    headers: auth,
    data: { message, customerId: "cust-e2e-inbox" },
  });
  expect(created.status()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

async function customerView(request: APIRequestContext, id: string) {
  const res = await request.get(`/api/v1/conversations/${id}`, { headers: auth });
  expect(res.status()).toBe(200);
  return (await res.json()) as { status: string; messages: { role: string; content: string }[] };
}

test("a support lead claims, reads, approves a refund, replies and resolves", async ({
  page,
  request,
}) => {
  const orderId = `ORD-${String(Date.now()).slice(-6)}`;
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  const inbox = new InboxPage(page);
  await inbox.goto();

  // The escalation arrives while the inbox is open: it appears without a reload.
  const id = await startConversation(
    request,
    `Please refund $250 on order ${orderId}, the standing desk arrived broken.`,
  );
  await expect(inbox.row(orderId)).toBeVisible({ timeout: 20_000 });
  await expect(inbox.row(orderId)).toContainText("Tool call awaits approval");
  await expect(inbox.row(orderId).getByTestId("sla-countdown")).toHaveText(/\d+:\d\d left/);
  await expect(inbox.badge()).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: "docs/screenshots/inbox.png", fullPage: true });

  await inbox.open(orderId);
  await inbox.claim();
  // Stored as jsonb, so the keys come back in jsonb's order.
  await expect(page.getByTestId("pending-args")).toContainText(`"orderId":"${orderId}"`);
  await expect(page.getByTestId("pending-args")).toContainText('"amount":250');
  await expect(inbox.transcript()).toContainText(`order ${orderId}`);
  await expect(page.getByTestId("run-summary")).toContainText("Model calls");

  await inbox.approve();
  // The agents continue from the checkpoint; the page follows them until they answer.
  await expect(inbox.transcript()).toContainText(
    `refund of $250 on order ${orderId} has been issued`,
    { timeout: 20_000 },
  );
  await expect(page.getByTestId("tool-activity").filter({ hasText: "refund" })).toContainText(
    '"status":"issued"',
  );
  await page.screenshot({ path: "docs/screenshots/escalation.png", fullPage: true });

  await expect(inbox.actions()).toContainText("Back with the agents");
  await inbox.reply("Sam from support here: the refund is on its way to you.");
  await expect(inbox.transcript()).toContainText("Sam from support here");
  await inbox.resolve();

  const view = await customerView(request, id);
  expect(view.status).toBe("resolved");
  expect(view.messages.filter((m) => m.content.includes("has been issued"))).toHaveLength(1);
  expect(view.messages.at(-1)).toMatchObject({
    role: "human",
    content: "Sam from support here: the refund is on its way to you.",
  });
});

test("a support lead replies to and resolves a customer who asked for a person", async ({
  page,
  request,
}) => {
  const marker = `case-${Date.now()}`;
  const id = await startConversation(
    request,
    `I want to talk to a human, please. Reference ${marker}.`,
  );
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  const inbox = new InboxPage(page);
  await inbox.goto();
  await expect(inbox.row(marker)).toContainText("Customer asked for a person", { timeout: 20_000 });
  await inbox.open(marker);
  await inbox.claim();
  await inbox.reply("Hi, this is Sam from support. I'm looking into it now.");
  await expect(inbox.transcript()).toContainText("Hi, this is Sam from support.");
  await inbox.resolve();

  const view = await customerView(request, id);
  expect(view.status).toBe("resolved");
  expect(view.messages.at(-1)).toMatchObject({
    role: "human",
    content: "Hi, this is Sam from support. I'm looking into it now.",
  });
});

test("customer HTML and script payloads show as text in the inbox and the escalation view; none runs", async ({
  page,
  request,
}) => {
  const marker = `xss-${Date.now()}`;
  const payload = `I want to talk to a human, please ${marker} <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"><b>bold</b>`;
  await startConversation(request, payload);
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  const inbox = new InboxPage(page);
  await inbox.goto();

  const row = inbox.row(marker);
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row.getByTestId("customer-preview")).toContainText(
    "<script>window.__xss = 1</script>",
  );
  await expect(row.locator("script, img, b")).toHaveCount(0);

  await inbox.open(marker);
  await expect(inbox.transcript()).toContainText(
    `<img src=x onerror="window.__xss = 2"><b>bold</b>`,
  );
  await expect(inbox.transcript().locator("script, img, b")).toHaveCount(0);
  expect(
    await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
  ).toBeUndefined();
});
