/**
 * Roles and `resource:action` permissions (DESIGN.md "Who may use what"). This file is the
 * single policy: navigation, pages, server actions and route handlers all ask `can()`.
 * It is plain data so the client can import it to hide what a role cannot use.
 */
export const roles = ["admin", "engineer", "support_lead"] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  admin: "Admin",
  engineer: "Engineer",
  support_lead: "Support lead",
};

const sharedWithEngineers = [
  "overview:read",
  "conversations:read",
  "conversations:write",
  "inbox:read",
  "inbox:write",
] as const;

// Approving or rejecting a parked high-impact tool call (a refund) is a support lead's decision,
// not an engineer's: separation of duties, so the one exception to "each role includes the last".
const supportLead = [...sharedWithEngineers, "approvals:write"] as const;

const engineer = [
  ...sharedWithEngineers,
  "playground:use",
  "traces:read",
  "agents:read",
  "agents:write",
  "breakers:read",
  "budgets:read",
  "rollouts:read",
  "evaluations:read",
  "evaluations:write",
  "audit:read",
  "settings:read",
  "simulator:write",
] as const;

const admin = [
  ...engineer,
  "approvals:write",
  "breakers:write",
  "budgets:write",
  "rollouts:write",
  "users:read",
  "users:write",
  "api_keys:read",
  "api_keys:write",
] as const;

export type Permission = (typeof admin)[number];

const grants: Record<Role, ReadonlySet<Permission>> = {
  support_lead: new Set(supportLead),
  engineer: new Set(engineer),
  admin: new Set(admin),
};

export const allPermissions: readonly Permission[] = admin;

export function can(role: Role, permission: Permission): boolean {
  return grants[role].has(permission);
}
