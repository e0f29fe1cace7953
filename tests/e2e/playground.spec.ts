import { expect, type Page, test } from "@playwright/test";
import { demo, LoginPage } from "./pages/console";

/** Page object for the playground: start a conversation, read its steps and transcript, reply. */
class Playground {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/playground");
    await expect(this.page.getByRole("heading", { name: "Playground" })).toBeVisible();
  }

  startForm() {
    return this.page.getByRole("form", { name: "Start a playground conversation" });
  }

  async start(message: string) {
    const form = this.startForm();
    await expect(form.getByLabel("Chain")).toHaveValue("support");
    await form.getByLabel("Your message as the customer").fill(message);
    await form.getByRole("button", { name: "Send" }).click();
    await expect(this.page).toHaveURL(/\/playground\?c=cnv_/);
  }

  step(type: string) {
    return this.page.locator(`[data-step-type="${type}"]`);
  }

  transcript() {
    return this.page.getByTestId("playground-transcript");
  }

  replyForm() {
    return this.page.getByRole("form", { name: "Reply as the customer" });
  }
}

test("an engineer watches a refund run unfold step by step in the playground and replies", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const playground = new Playground(page);
  await playground.goto();
  await expect(page.getByText("Simulator:", { exact: true })).toBeVisible();

  const polls: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/console/conversations/")) polls.push(r.url());
  });
  await playground.start("Please refund $40 on order ORD-1234");

  // The steps arrive as the worker commits them: routing, the refund tool call, then the answer.
  await expect(playground.step("handoff").first()).toBeVisible({ timeout: 30_000 });
  await expect(playground.step("handoff").first()).toContainText("billing");
  await expect(playground.step("tool_call").first()).toContainText("refund");
  await expect(playground.step("completed").first()).toBeVisible({ timeout: 30_000 });
  await expect(playground.transcript().getByText(/refund of \$40 on order ORD-1234 has been issued/)).toBeVisible();
  await expect(page.getByText("Waiting for customer").first()).toBeVisible();
  // Wherever a model name shows, the simulator says it is one.
  const llm = playground.step("llm_call").first();
  await expect(llm).toContainText(/simulator\/(fast|standard|strong)/);
  await expect(llm.getByText("Simulator", { exact: true })).toBeVisible();
  await expect(llm).toContainText(/\d+\+\d+ tokens/);
  await expect(llm).toContainText(/\d+ ms/);
  expect(polls.length).toBeGreaterThan(0);
  await page.screenshot({ path: "docs/screenshots/playground.png", fullPage: true });

  // Keyboard: Ctrl+Enter sends the next customer message; polling resumes for the second turn.
  const reply = playground.replyForm().getByRole("textbox");
  await reply.fill("Thanks! And how do I install the desktop app?");
  await reply.press("Control+Enter");
  await expect(page.getByRole("region", { name: "Turn 2" })).toBeVisible({ timeout: 30_000 });
  await expect(playground.transcript().getByText(/kb-310/)).toBeVisible({ timeout: 30_000 });
  // Later polls only ask for what is new.
  expect(polls.some((u) => u.includes("afterRun=run_") && u.includes("afterSeq="))).toBe(true);
});

test("the playground renders customer HTML as text and refuses an empty message", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const playground = new Playground(page);
  await playground.goto();
  await playground.startForm().getByRole("button", { name: "Send" }).click();
  await expect(playground.startForm().getByText("Write a message.")).toBeVisible();

  const payload = `<img src=x onerror="window.__xss=1"> do you ship to Canada?`;
  await playground.start(payload);
  await expect(playground.transcript().getByText(payload).first()).toBeVisible();
  // Whatever the team makes of it (an answer or a handoff to a person), the run settles.
  await expect(page.getByText(/Run settled/)).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test("a support lead cannot open the playground", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  const response = await page.goto("/playground");
  expect(response?.status()).toBe(403);
});
