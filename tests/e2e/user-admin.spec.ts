import { expect, test, type Browser } from "@playwright/test";
import { ConsoleShell, demo, LoginPage, UsersAdmin } from "./pages/console";

async function signedInPage(browser: Browser, email: string, password?: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signInExpectingConsole(email, password);
  return page;
}

test("an admin invites a user, demotes them (their next request is refused) and disables them (they cannot sign in)", async ({ browser }) => {
  const admin = await signedInPage(browser, demo.admin);
  const users = new UsersAdmin(admin);
  await users.goto();
  const email = `e2e-${Date.now()}@example.com`;
  const password = await users.invite(email, "E2E Engineer", "engineer");
  await admin.screenshot({ path: "docs/screenshots/settings-users-admin.png", fullPage: true });

  const invited = await signedInPage(browser, email, password);
  expect(await new ConsoleShell(invited).navLabels()).toContain("Traces");
  expect((await invited.goto("/traces"))?.status()).toBe(200);

  await users.setRole(email, "support_lead");
  await expect(users.row(email).getByLabel(`Role of ${email}`)).toHaveValue("support_lead");
  expect((await invited.goto("/traces"))?.status()).toBe(403);
  expect(await new ConsoleShell(invited).navLabels()).toEqual(["Overview", "Inbox", "Conversations"]);

  await users.disable(email);
  await invited.goto("/");
  await expect(invited).toHaveURL(/\/login/);
  const login = new LoginPage(invited);
  await login.signIn(email, password);
  await expect(login.error()).toHaveText(/disabled/);

  await admin.goto("/audit");
  await expect(admin.getByRole("cell", { name: "user.disable" }).first()).toBeVisible();
  await expect(admin.getByRole("cell", { name: "user.role_change" }).first()).toBeVisible();
  await expect(admin.getByRole("cell", { name: "user.invite" }).first()).toBeVisible();
  await admin.screenshot({ path: "docs/screenshots/audit-log.png", fullPage: true });
});

test("the invite form shows field errors and saves nothing on bad input", async ({ page }) => {
  await new LoginPage(page).signInExpectingConsole(demo.admin);
  const users = new UsersAdmin(page);
  await users.goto();
  const form = page.getByRole("form", { name: "Invite a user" });
  await form.getByLabel("Email").fill("not-an-email");
  await form.getByRole("button", { name: "Invite" }).click();
  await expect(form.getByText("Enter a valid email address.")).toBeVisible();
  await expect(form.getByText("Enter a name.")).toBeVisible();
  await expect(page.getByTestId("user-not-an-email")).toHaveCount(0);
});
