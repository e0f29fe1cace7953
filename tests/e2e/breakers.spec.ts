import { expect, test } from "@playwright/test";
import { BreakersPage, demo, LoginPage } from "./pages/console";

test("an admin trips the billing breaker and billing traffic falls back to the general agent", async ({
  page,
}) => {
  await new LoginPage(page).signInExpectingConsole(demo.admin);
  const breakers = new BreakersPage(page);
  await breakers.goto();
  await expect(breakers.row("agent:billing")).toHaveAttribute("data-status", "closed");
  await breakers.trip("agent:billing");
  await expect(breakers.row("agent:billing")).toContainText("Open (forced)");
  await expect(breakers.transitions()).toContainText(`agent:billing Closed → Open`);
  await expect(breakers.transitions()).toContainText(`by ${demo.admin}`);

  // A refund question is routed to billing, whose breaker now refuses the call: the general
  // agent (the next rung of the support team's ladder) takes over, without a billing model call.
  await page.goto("/playground");
  const form = page.getByRole("form", { name: "Start a playground conversation" });
  await form.getByLabel("Your message as the customer").fill("Please refund $40 on order ORD-1234");
  await form.getByRole("button", { name: "Send" }).click();
  const fallback = page.locator('[data-step-type="fallback"]').first();
  await expect(fallback).toBeVisible({ timeout: 30_000 });
  await expect(fallback).toContainText("billing → general");
  await expect(fallback).toContainText("breaker_open");
  await expect(
    page.locator('[data-step-type="llm_call"]').filter({ hasText: "general" }).first(),
  ).toBeVisible({ timeout: 30_000 });

  await breakers.goto();
  await expect(breakers.row("agent:billing")).toHaveAttribute("data-status", "open");
  await page.screenshot({ path: "docs/screenshots/breakers.png", fullPage: true });
  await breakers.reset("agent:billing");
  await expect(breakers.transitions()).toContainText("reset by hand");
});

test("an engineer sees the breakers but cannot trip or reset them", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const breakers = new BreakersPage(page);
  await breakers.goto();
  await expect(breakers.row("model:simulator/fast")).toBeVisible();
  await expect(page.getByRole("button", { name: /^(Trip|Reset) / })).toHaveCount(0);
});
