import { expect, test } from "@playwright/test";
import { BudgetsPage, demo, LoginPage } from "./pages/console";

test("an admin lowers the daily budget and sees the progress bar and the chart follow", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.admin);
  const budgets = new BudgetsPage(page);
  await budgets.goto();
  // The demo's live traffic spends something today within seconds of the start.
  await expect
    .poll(async () => {
      await page.reload();
      return budgets.spentToday().innerText();
    }, { timeout: 30_000 })
    .not.toBe("$0.00");

  const bar = budgets.bar("daily:global");
  await expect(bar).toHaveAttribute("aria-valuetext", /of \$2\.00/);
  await expect(budgets.chart("cost-by-agent")).toHaveAttribute("data-budget-usd", "2");
  const before = Number(await bar.getAttribute("aria-valuenow"));
  expect(before).toBeLessThan(100);

  // Invalid input is refused with a form error and changes nothing.
  await budgets.setLimit("daily:global", "-3");
  await expect(budgets.row("daily:global").getByRole("alert")).toHaveText(/more than \$0/);
  await page.reload();
  await expect(bar).toHaveAttribute("aria-valuetext", /of \$2\.00/);

  await budgets.setLimit("daily:global", "0.0001");
  await expect(bar).toHaveAttribute("aria-valuetext", /of \$0\.0001/);
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(budgets.chart("cost-by-agent")).toHaveAttribute("data-budget-usd", "0.0001");
  await expect(budgets.chart("cost-by-model")).toHaveAttribute("data-budget-usd", "0.0001");
  await expect(budgets.chart("cost-by-agent").getByText("daily budget $0.0001")).toBeVisible();

  // A budget near the demo's daily spend makes the chart readable for the screenshot.
  await budgets.setLimit("daily:global", "0.3");
  await expect(bar).toHaveAttribute("aria-valuetext", /of \$0\.30/);
  await page.screenshot({ path: "docs/screenshots/budgets.png", fullPage: true });
  // Back to the demo's own budget, so the specs after this one run unthrottled.
  await budgets.setLimit("daily:global", "2");
  await expect(bar).toHaveAttribute("aria-valuetext", /of \$2\.00/);

  await page.goto("/audit");
  await expect(page.getByRole("cell", { name: "budget.update" }).first()).toBeVisible();
});

test("an engineer sees the budgets but cannot change them", async ({ page }) => {
  test.setTimeout(120_000);
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const budgets = new BudgetsPage(page);
  await budgets.goto();
  await expect(budgets.bar("daily:global")).toBeVisible();
  await expect(budgets.alerts()).toBeVisible();
  // The demo's general agent caches its answers: its lookups reach the page as traffic arrives.
  await expect
    .poll(async () => {
      await page.reload();
      return budgets.cacheDetail().innerText();
    }, { timeout: 90_000, intervals: [2_000] })
    .toMatch(/of [1-9][\d,]* lookups/);
  await expect(page.getByRole("form", { name: /Edit budget/ })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Add a price version" })).toHaveCount(0);
});
