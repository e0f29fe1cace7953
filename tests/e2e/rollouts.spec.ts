import { expect, test } from "@playwright/test";
import { demo, LoginPage, RolloutsPage } from "./pages/console";

test("an admin drafts a version, starts a 10% canary, watches the guard and rolls it back", async ({ page }) => {
  test.setTimeout(120_000);
  await new LoginPage(page).signInExpectingConsole(demo.admin);
  const rollouts = new RolloutsPage(page);
  await rollouts.goto();
  const version = await rollouts.createVersion("general", "friendlier tone");

  await rollouts.startCanary(`general@${version}`, "10, 50, 100");
  const card = rollouts.rollout("general");
  await expect(card).toBeVisible();
  await expect(card.getByTestId("canary-split")).toHaveText("canary 10%");
  await expect(card.getByTestId("rollout-status")).toHaveText("running");
  await expect(card.getByTestId("decision-start")).toContainText("admin@example.com");
  // Watching: the page refreshes itself and the guard's first reading arrives within seconds.
  await expect(card.getByTestId("guard-reading")).toContainText(/Guard: hold/, { timeout: 30_000 });
  await page.screenshot({ path: "docs/screenshots/rollouts.png", fullPage: true });

  await rollouts.rollBack("general");
  const finished = rollouts.finished();
  await expect(finished.getByText(`general v${version} against v1`)).toBeVisible();
  await expect(finished.getByTestId("rollout-status").first()).toHaveText("rolled back");

  await page.goto("/audit");
  await expect(page.getByRole("cell", { name: "rollout.rollback" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "rollout.start" }).first()).toBeVisible();
});

test("an engineer replays recent conversations against a draft and sees both answers side by side", async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await (await browser.newContext()).newPage();
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  await page.goto("/rollouts");
  // Engineers create versions but cannot start rollouts.
  await expect(page.getByRole("form", { name: "Start a canary" })).toHaveCount(0);
  const version = await new RolloutsPage(page).createVersion("technical", "cite more precisely");

  await page.goto("/evaluations");
  const form = page.getByRole("form", { name: "Replay conversations" });
  await form.getByLabel("Candidate version").selectOption(`technical@${version}`);
  await form.getByLabel("or a filter").selectOption("all_24h");
  await form.getByLabel("At most").fill("3");
  await form.getByRole("button", { name: "Replay" }).click();
  await expect(form.getByRole("status")).toContainText(/Queued \d replay/);
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/Replayed with v\d+/).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByText(/^Recorded \(v1\)/).first()).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/evaluations.png", fullPage: true });
});
