import { expect, test } from "@playwright/test";
import { ConsoleShell, demo, LoginPage } from "./pages/console";

const allAreas = [
  "Overview", "Inbox", "Conversations", "Playground", "Traces", "Agents", "Breakers",
  "Budgets", "Rollouts", "Evaluations", "Audit log", "Settings",
];

const expectedNav = {
  admin: allAreas,
  engineer: allAreas,
  support_lead: ["Overview", "Inbox", "Conversations"],
} as const;

for (const role of ["admin", "engineer", "support_lead"] as const) {
  test(`${role} signs in and sees the navigation the role allows`, async ({ page }) => {
    await new LoginPage(page).signInExpectingConsole(demo[role]);
    expect(await new ConsoleShell(page).navLabels()).toEqual([...expectedNav[role]]);
    await page.screenshot({ path: `docs/screenshots/overview-${role}.png`, fullPage: true });
  });
}

test("a support lead who opens an engineer's page directly gets a 403", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.support_lead);
  for (const path of ["/traces", "/settings", "/audit", "/budgets"]) {
    const response = await page.goto(path);
    expect([path, response?.status()]).toEqual([path, 403]);
    await expect(page.getByRole("heading", { name: "Your role cannot open this page" })).toBeVisible();
  }
});

test("a wrong password gets a clear error and no session", async ({ page, context }) => {
  const login = new LoginPage(page);
  await login.signIn(demo.admin, "not-the-password");
  await expect(login.error()).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
  const cookies = await context.cookies();
  expect(cookies.filter((c) => c.name.includes("session-token"))).toEqual([]);
  const response = await page.goto("/");
  expect(response?.url()).toMatch(/\/login$/);
});

test("the session cookie is HttpOnly and SameSite=Lax", async ({ page, context }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  const session = (await context.cookies()).find((c) => c.name.includes("session-token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
});

test("signing out ends the session", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.engineer);
  await new ConsoleShell(page).signOut();
  await page.goto("/traces");
  await expect(page).toHaveURL(/\/login/);
});
