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
    // The label alone: the inbox link also carries a live count.
    return this.page.getByRole("navigation", { name: "Console" }).locator("[data-nav-label]").allInnerTexts();
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
    // The select shows the chosen role before the server has saved it: wait for the action's answer.
    const saved = this.page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/settings",
    );
    await row.getByRole("button", { name: "Save role" }).click();
    await saved;
    await expect(row.getByRole("status")).toHaveText("Saved");
  }

  async disable(email: string) {
    await this.row(email).getByRole("button", { name: "Disable" }).click();
    await expect(this.row(email).getByRole("button", { name: "Enable" })).toBeVisible();
  }
}

/** Page object for the escalation inbox and one escalation's view. */
export class InboxPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/inbox");
    await expect(this.page.getByRole("heading", { name: "Inbox" })).toBeVisible();
  }

  /** The live list's row whose customer message contains `text` (appears without a reload). */
  row(text: string) {
    return this.page.getByTestId("inbox-row").filter({ hasText: text });
  }

  badge() {
    return this.page.getByTestId("inbox-badge");
  }

  async open(text: string) {
    await this.row(text).getByRole("link").first().click();
    await expect(this.page.getByRole("region", { name: "Actions" })).toBeVisible();
  }

  actions() {
    return this.page.getByRole("region", { name: "Actions" });
  }

  transcript() {
    return this.page.getByRole("region", { name: "Transcript" });
  }

  async claim() {
    await this.actions().getByRole("button", { name: "Claim" }).click();
    await expect(this.actions().getByRole("button", { name: "Release claim" })).toBeVisible();
  }

  async approve() {
    await this.actions().getByRole("form", { name: "Approve" }).getByRole("button", { name: "Approve" }).click();
  }

  async reply(text: string) {
    const form = this.actions().getByRole("form", { name: "Reply to the customer" });
    await form.getByLabel("Reply to the customer").fill(text);
    await form.getByRole("button", { name: "Send reply" }).click();
  }

  async resolve() {
    await this.actions().getByRole("button", { name: "Resolve" }).click();
    await expect(this.actions().getByText("Resolved.")).toBeVisible();
  }
}

/** Page object for the budgets page. */
export class BudgetsPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/budgets");
    await expect(this.page.getByRole("heading", { level: 1, name: "Budgets" })).toBeVisible();
  }

  row(scope: string) {
    return this.page.getByTestId(`budget-${scope}`);
  }

  bar(scope: string) {
    return this.row(scope).getByRole("progressbar");
  }

  chart(id: "cost-by-agent" | "cost-by-model") {
    return this.page.getByTestId(`chart-${id}`);
  }

  spentToday() {
    return this.page.getByTestId("stat-today").locator("p").first();
  }

  /** "N of M lookups · $x saved" under the response cache's hit rate. */
  cacheDetail() {
    return this.page.getByTestId("stat-cache").locator("p").nth(1);
  }

  alerts() {
    return this.page.getByRole("region", { name: /Anomaly alerts/ });
  }

  async setLimit(scope: string, limit: string) {
    const row = this.row(scope);
    await row.getByRole("textbox").fill(limit);
    await row.getByRole("button", { name: "Save" }).click();
  }
}

/** Page object for /rollouts: agent versions, starting a canary, watching and steering it. */
export class RolloutsPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/rollouts");
    await expect(this.page.getByRole("heading", { name: "Rollouts", level: 1 })).toBeVisible();
  }

  /** Drafts a version of `agent` with the base's instructions; returns its version number. */
  async createVersion(agent: string, note: string): Promise<number> {
    const form = this.page.getByRole("form", { name: "New agent version" });
    await form.getByLabel("Agent").selectOption(agent);
    await form.getByLabel("What changed").fill(note);
    await form.getByRole("button", { name: "Save draft" }).click();
    const saved = form.getByRole("status");
    await expect(saved).toHaveText(new RegExp(`Saved ${agent} v\\d+ as a draft`));
    return Number(/v(\d+)/.exec(await saved.innerText())![1]);
  }

  async startCanary(version: string, stages: string) {
    const form = this.page.getByRole("form", { name: "Start a canary" });
    await form.getByLabel("Canary version").selectOption(version);
    await form.getByLabel("Stages (%)").fill(stages);
    await form.getByRole("button", { name: "Start canary" }).click();
  }

  rollout(agent: string) {
    return this.page.getByRole("article", { name: `Rollout of ${agent}` });
  }

  async rollBack(agent: string) {
    await this.rollout(agent).getByRole("button", { name: "Roll back" }).click();
    await expect(this.rollout(agent)).toHaveCount(0);
  }

  finished() {
    return this.page.getByRole("region", { name: "Finished rollouts" });
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
