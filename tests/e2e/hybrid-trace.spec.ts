import { expect, type Page, test } from "@playwright/test";
import { demo, LoginPage } from "./pages/console";

/** Starts a pricing conversation (the hybrid demo chain) in the playground and waits for its answer. */
async function answeredPricingConversation(page: Page, message: string) {
  await page.goto("/playground");
  const form = page.getByRole("form", { name: "Start a playground conversation" });
  await form.getByLabel("Chain").selectOption("pricing");
  await form.getByLabel("Your message as the customer").fill(message);
  await form.getByRole("button", { name: "Send" }).click();
  await expect(page).toHaveURL(/\/playground\?c=cnv_/);
  await expect(page.locator('[data-step-type="completed"]').first()).toBeVisible({ timeout: 30_000 });
}

test("the trace of a hybrid conversation shows its orchestrated and peer-group parts apart", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  await answeredPricingConversation(page, "Should we change the price of LAMP-440? It sells at $89 and is popular.");
  // The peers' messages, the conflict vote and the answer are in the run's own timeline too.
  await expect(page.locator('[data-step-type="conflict_resolved"]').first()).toContainText("majority");

  await page.goto("/traces?agent=recommender&range=1h");
  await page.getByRole("link", { name: /^Open trace / }).first().click();
  await expect(page.getByRole("heading", { name: "Waterfall" })).toBeVisible();

  const parts = page.getByRole("list", { name: "Coordination parts" });
  await expect(parts.locator('[data-part="orchestrated"]')).toContainText("pricing-lead, recommender");
  await expect(parts.locator('[data-part="peer_group"]')).toContainText("Peer group analysts");
  // The peers are listed in the order of their first span; peers that start in the same
  // millisecond may come in either order, so only who is listed is pinned.
  const peerPart = await parts.locator('[data-part="peer_group"]').innerText();
  expect(peerPart.split(" · ")[1]?.split(", ").sort()).toEqual(["demand", "margin", "market"]);

  const spans = page.getByRole("list", { name: "Spans" });
  const orchestrated = spans.locator('li[data-part="orchestrated"]');
  const peers = spans.locator('li[data-part="peer_group"][data-group="analysts"]');
  // Each part's LLM calls belong to its agents, and nothing of one part is labelled as the other.
  const orchestratedAgents = await spans.locator('li[data-part="orchestrated"][data-kind="llm"]').allInnerTexts();
  expect(orchestratedAgents.join(" ")).toMatch(/pricing-lead@v1/);
  expect(orchestratedAgents.join(" ")).not.toMatch(/market@|demand@|margin@/);
  const peerAgents = await spans.locator('li[data-part="peer_group"][data-kind="llm"]').allInnerTexts();
  // The market peer calls its tool first, so it makes two calls; every peer made at least one.
  for (const peer of ["market", "demand", "margin"]) expect(peerAgents.join(" ")).toContain(`${peer}@v1`);
  expect(peerAgents.join(" ")).not.toMatch(/pricing-lead@|recommender@/);
  await expect(peers.filter({ hasText: "peer group · analysts" }).first()).toBeVisible();
  await expect(orchestrated.filter({ hasText: "orchestrated" }).first()).toBeVisible();
  // The bus is visible: the hand-over to the group, the peers' messages and the vote.
  await expect(spans.locator('li[data-kind="message"]').filter({ hasText: "hand to peer group analysts" })).toBeVisible();
  await expect(spans.locator('li[data-kind="message"]').filter({ hasText: "publish signal" })).toHaveCount(3);
  await expect(spans.locator('li[data-kind="conflict"]')).toContainText("majority");

  await page.screenshot({ path: "docs/screenshots/hybrid-trace.png", fullPage: true });
});
