import type { Permission } from "@/lib/auth/permissions";

export interface NavItem {
  href: string;
  label: string;
  /** The permission that opens the page; the page checks it again itself. */
  permission: Permission;
}

/** Every console area of DESIGN.md, in the order people reach for them. */
export const navItems: readonly NavItem[] = [
  { href: "/", label: "Overview", permission: "overview:read" },
  { href: "/inbox", label: "Inbox", permission: "inbox:read" },
  { href: "/conversations", label: "Conversations", permission: "conversations:read" },
  { href: "/playground", label: "Playground", permission: "playground:use" },
  { href: "/traces", label: "Traces", permission: "traces:read" },
  { href: "/agents", label: "Agents", permission: "agents:read" },
  { href: "/breakers", label: "Breakers", permission: "breakers:read" },
  { href: "/budgets", label: "Budgets", permission: "budgets:read" },
  { href: "/rollouts", label: "Rollouts", permission: "rollouts:read" },
  { href: "/evaluations", label: "Evaluations", permission: "evaluations:read" },
  { href: "/audit", label: "Audit log", permission: "audit:read" },
  { href: "/settings", label: "Settings", permission: "settings:read" },
];
