import { expect, test } from "@playwright/test";
import { demo, LoginPage } from "./pages/console";

test("an engineer talks to the live agent team as a test customer and reads every step", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  await page.goto("/conversations");
  const start = page.getByRole("form", { name: "Start a test conversation as a customer" });
  await start.getByRole("textbox").fill("My sync failed with an error on my laptop");
  await start.getByRole("button", { name: "Send" }).click();
  await expect(page).toHaveURL(/\/conversations\/cnv_/);

  // The worker answers; the page refreshes itself until the run is done.
  await expect(page.getByText(/kb-204/).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Waiting for customer").first()).toBeVisible();
  await expect(page.getByText("handoff", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("tool_call", { exact: true }).first()).toBeVisible();
  await expect(page.getByText(/simulator\//).first()).toBeVisible();

  const reply = page.getByRole("form", { name: "Reply as the customer" });
  await reply.getByRole("textbox").fill("Thanks! And how do I install the desktop app?");
  await reply.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText(/kb-310/).first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: "docs/screenshots/conversation-detail.png", fullPage: true });

  await page.goto("/conversations");
  await expect(page.getByRole("link", { name: /cnv_/ }).first()).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/conversations.png", fullPage: true });
});

test("a customer's HTML is shown as text, and a support lead reads but cannot act as a customer", async ({ page, request }) => {
  const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> refund please`;
  const created = await request.post("/api/v1/conversations", {
    headers: { Authorization: "Bearer sy_demo_switchyard" },
    data: { message: payload, customerId: "cust-e2e" },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  await page.goto(`/conversations/${id}`);
  await expect(page.getByText(payload).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await page.goto("/conversations");
  await expect(page.getByRole("form", { name: "Start a test conversation as a customer" })).toHaveCount(0);
});

test("an admin creates an API key that is shown once and works on the public API", async ({ page, request }) => {
  await new LoginPage(page).signInExpectingConsole(demo.admin);
  await page.goto("/settings");
  const name = `e2e ${Date.now()}`;
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toBeVisible();
  const key = (await shown.innerText()).trim();
  expect(key).toMatch(/^sy_live_/);
  await page.screenshot({ path: "docs/screenshots/settings-api-keys.png", fullPage: true });

  const res = await request.post("/api/v1/conversations", {
    headers: { Authorization: `Bearer ${key}` },
    data: { message: "hello from the new key" },
  });
  expect(res.status()).toBe(201);
  const bad = await request.post("/api/v1/conversations", {
    headers: { Authorization: "Bearer sy_live_wrong" },
    data: { message: "hello" },
  });
  expect(bad.status()).toBe(401);
  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
});
