import { describe, expect, it } from "vitest";
import { navItems } from "@/components/shell/nav-items";
import { allPermissions, can, type roles } from "@/lib/auth/permissions";

const visible = (role: (typeof roles)[number]) => navItems.filter((i) => can(role, i.permission)).map((i) => i.label);

describe("role policy (DESIGN.md: who may use what)", () => {
  it("gives support leads the overview, conversations and the inbox only", () => {
    expect(visible("support_lead")).toEqual(["Overview", "Inbox", "Conversations"]);
  });

  it("gives engineers every area but keeps budget, rollout, user, key and breaker changes for admins", () => {
    expect(visible("engineer")).toEqual(navItems.map((i) => i.label));
    for (const p of ["budgets:write", "rollouts:write", "users:write", "api_keys:write", "breakers:write"] as const) {
      expect([p, can("engineer", p)]).toEqual([p, false]);
    }
    expect(can("engineer", "agents:write")).toBe(true);
    expect(can("engineer", "simulator:write")).toBe(true);
  });

  it("gives admins every permission", () => {
    expect(allPermissions.filter((p) => !can("admin", p))).toEqual([]);
  });

  it("grants each lower role a subset of the next, but approvals only to leads and admins", () => {
    expect(allPermissions.filter((p) => can("support_lead", p) && !can("engineer", p))).toEqual(["approvals:write"]);
    expect(can("admin", "approvals:write")).toBe(true);
    expect(allPermissions.filter((p) => can("engineer", p) && !can("admin", p))).toEqual([]);
  });
});
