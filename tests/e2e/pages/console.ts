import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "switchyard-demo";

export const demo = {
  admin: "admin@example.com",
  engineer: "engineer@example.com",
  support_lead: "lead@example.com",
} as const;

/** Page object for the sign-in page. */
export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/login");
  }

  async signIn(email: string, password: string) {
    await this.goto();
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async signInExpectingConsole(email: string, password = DEMO_PASSWORD) {
    await this.signIn(email, password);
    await expect(this.page.getByRole("heading", { name: "Overview" })).toBeVisible();
  }

  error() {
    return this.page.locator("main form").getByRole("alert");
  }
}

/** Page object for the console shell (navigation, sign-out). */
export class ConsoleShell {
  constructor(private readonly page: Page) {}

  navLabels() {
    return this.page.getByRole("navigation", { name: "Console" }).getByRole("link").allInnerTexts();
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/login/);
  }
}

/** Page object for the users section of the settings page. */
export class UsersAdmin {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/settings");
    await expect(this.page.getByRole("heading", { name: "Users" })).toBeVisible();
  }

  async invite(email: string, name: string, role: "admin" | "engineer" | "support_lead") {
    const form = this.page.getByRole("form", { name: "Invite a user" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Role").selectOption(role);
    await form.getByRole("button", { name: "Invite" }).click();
    const password = this.page.getByTestId("temporary-password");
    await expect(password).toBeVisible();
    return password.innerText();
  }

  row(email: string) {
    return this.page.getByTestId(`user-${email}`);
  }

  async setRole(email: string, role: "admin" | "engineer" | "support_lead") {
    const row = this.row(email);
    await row.getByLabel(`Role of ${email}`).selectOption(role);
    await row.getByRole("button", { name: "Save role" }).click();
  }

  async disable(email: string) {
    await this.row(email).getByRole("button", { name: "Disable" }).click();
    await expect(this.row(email).getByRole("button", { name: "Enable" })).toBeVisible();
  }
}

/** Page object for the circuit breakers page. */
export class BreakersPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/breakers");
    await expect(this.page.getByRole("heading", { name: "Circuit breakers" })).toBeVisible();
  }

  row(key: string) {
    return this.page.getByTestId(`breaker-${key}`);
  }

  async trip(key: string) {
    await this.page.getByRole("button", { name: `Trip ${key}` }).click();
    await expect(this.row(key)).toHaveAttribute("data-status", "open");
  }

  async reset(key: string) {
    await this.page.getByRole("button", { name: `Reset ${key}` }).click();
    await expect(this.row(key)).toHaveAttribute("data-status", "closed");
  }

  transitions() {
    return this.page.getByRole("list", { name: "Recent breaker transitions" });
  }
}
