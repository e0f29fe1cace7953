import type { Permission } from "@/lib/auth/permissions";

/**
 * The access policy of every server action and route handler, checked by
 * tests/integration/policy.test.ts against the code. A new action or route without a row here
 * fails that test, so nobody can add an entry point without deciding who may call it.
 *
 * `validInput` builds a form that would succeed for an allowed caller: denied callers send it,
 * and the test checks that nothing changed, so a missing check cannot hide behind validation.
 */
export interface PolicyContext {
  victimUserId: string;
  unique: string;
  /** An active API key a refused caller tries to revoke. */
  victimApiKeyId: string;
  /** A console conversation waiting for the customer, which refused callers try to write to. */
  victimConversationId: string;
}

export type Access =
  | { kind: "public"; why: string }
  | { kind: "permission"; permission: Permission };

/** A well-formed escalation id that names no escalation. */
const policyEscalationId = "esc_0000000000policyprobe00000";

export interface ActionPolicy {
  access: Access;
  validInput?: (ctx: PolicyContext) => Record<string, string>;
}

export const actionPolicy: Record<string, ActionPolicy> = {
  "app/(console)/conversations/actions.ts#startTestConversationAction": {
    access: { kind: "permission", permission: "playground:use" },
    validInput: (c) => ({ message: `policy probe ${c.unique}` }),
  },
  "app/(console)/conversations/actions.ts#sendTestMessageAction": {
    access: { kind: "permission", permission: "playground:use" },
    validInput: (c) => ({ conversationId: c.victimConversationId, message: "policy probe" }),
  },
  "app/(console)/playground/actions.ts#startPlaygroundConversationAction": {
    access: { kind: "permission", permission: "playground:use" },
    validInput: (c) => ({ chain: "support", message: `policy probe ${c.unique}` }),
  },
  "app/(console)/settings/traffic-actions.ts#setDemoTrafficAction": {
    access: { kind: "permission", permission: "simulator:write" },
    validInput: () => ({ enabled: "false" }),
  },
  // Inbox actions: a well-formed id stands in here; tests/integration/inbox-actions.test.ts sends
  // each of them for a real, claimed escalation as every refused caller and checks nothing changed.
  "app/(console)/inbox/actions.ts#claimEscalationAction": {
    access: { kind: "permission", permission: "inbox:write" },
    validInput: () => ({ id: policyEscalationId }),
  },
  "app/(console)/inbox/actions.ts#releaseEscalationAction": {
    access: { kind: "permission", permission: "inbox:write" },
    validInput: () => ({ id: policyEscalationId }),
  },
  "app/(console)/inbox/actions.ts#replyToCustomerAction": {
    access: { kind: "permission", permission: "inbox:write" },
    validInput: (c) => ({ id: policyEscalationId, message: `policy probe ${c.unique}` }),
  },
  "app/(console)/inbox/actions.ts#decideRequestAction": {
    access: { kind: "permission", permission: "approvals:write" },
    validInput: () => ({ id: policyEscalationId, interruptionId: "run_x:2:0:approval", decision: "approve" }),
  },
  "app/(console)/inbox/actions.ts#handBackEscalationAction": {
    access: { kind: "permission", permission: "inbox:write" },
    validInput: () => ({ id: policyEscalationId, note: "policy probe" }),
  },
  "app/(console)/inbox/actions.ts#resolveEscalationAction": {
    access: { kind: "permission", permission: "inbox:write" },
    validInput: () => ({ id: policyEscalationId }),
  },
  "app/(console)/breakers/actions.ts#forceOpenBreakerAction": {
    access: { kind: "permission", permission: "breakers:write" },
    // tests/integration/breakers-dal.test.ts checks that a refused caller leaves it closed.
    validInput: () => ({ key: "agent:billing" }),
  },
  "app/(console)/breakers/actions.ts#resetBreakerAction": {
    access: { kind: "permission", permission: "breakers:write" },
    validInput: () => ({ key: "agent:billing" }),
  },
  "app/(auth)/login/actions.ts#signInAction": {
    access: { kind: "public", why: "signing in is what an anonymous visitor does" },
  },
  "app/(console)/actions.ts#signOutAction": {
    access: { kind: "public", why: "clears the caller's own cookie; nothing else changes" },
  },
  "app/(console)/settings/actions.ts#inviteUserAction": {
    access: { kind: "permission", permission: "users:write" },
    validInput: (c) => ({ email: `invited-${c.unique}@test.switchyard.dev`, name: "Invited", role: "admin" }),
  },
  "app/(console)/settings/actions.ts#changeUserRoleAction": {
    access: { kind: "permission", permission: "users:write" },
    validInput: (c) => ({ userId: c.victimUserId, role: "admin" }),
  },
  "app/(console)/settings/actions.ts#setUserDisabledAction": {
    access: { kind: "permission", permission: "users:write" },
    validInput: (c) => ({ userId: c.victimUserId, disabled: "true" }),
  },
  "app/(console)/settings/actions.ts#createApiKeyAction": {
    access: { kind: "permission", permission: "api_keys:write" },
    validInput: (c) => ({ name: `policy-${c.unique}` }),
  },
  "app/(console)/settings/actions.ts#revokeApiKeyAction": {
    access: { kind: "permission", permission: "api_keys:write" },
    // A well-formed id stands in when the test has no victim key; tests/integration/api-keys.test.ts
    // revokes a real key as every refused caller and checks it stays active.
    validInput: (c) => ({ apiKeyId: c.victimApiKeyId }),
  },
  "app/(console)/settings/simulator-actions.ts#updateSimulatorSettingsAction": {
    access: { kind: "permission", permission: "simulator:write" },
    // Would make every call fail with a 429; tests/integration/simulator-settings.test.ts checks
    // that a refused caller leaves the stored settings and the audit log untouched.
    validInput: () => ({
      seed: "1",
      "latency.medianMs": "0",
      "latency.p95Ms": "0",
      "latency.maxMs": "0",
      timeoutMs: "0",
      "faults.0.target.agent": "all",
      "faults.0.target.tier": "all",
      "faults.0.rates.rate_limit": "100",
      "faults.0.retryAfterMs": "1000",
    }),
  },
  "app/(console)/budgets/actions.ts#addModelPriceAction": {
    access: { kind: "permission", permission: "budgets:write" },
    validInput: (c) => ({ model: `policy-model-${c.unique}`, inputPerMTok: "1", outputPerMTok: "2", cachedInputPerMTok: "0.5" }),
  },
  "app/(console)/budgets/actions.ts#setBudgetAction": {
    access: { kind: "permission", permission: "budgets:write" },
    // tests/integration/budgets.test.ts checks refused callers leave budgets and the audit log alone.
    validInput: () => ({ scope: "daily:global", limitUsd: "0.01" }),
  },
  "app/(console)/budgets/actions.ts#removeBudgetAction": {
    access: { kind: "permission", permission: "budgets:write" },
    validInput: () => ({ scope: "conversation:default" }),
  },
  "app/(console)/budgets/alert-actions.ts#acknowledgeAlertAction": {
    access: { kind: "permission", permission: "budgets:write" },
    // A well-formed id stands in; tests/integration/anomaly-alerts.test.ts sends a real open alert
    // as every refused caller and checks it stays open with no audit row.
    validInput: () => ({ id: "alr_0000000000policyprobe00000" }),
  },
};

// Issue #9: agent versions, rollouts, replays.
const unknownId = (prefix: string) => `${prefix}_${"0".repeat(26)}`;

Object.assign(actionPolicy, {
  "app/(console)/agents/actions.ts#createAgentVersionAction": {
    access: { kind: "permission", permission: "agents:write" },
    validInput: (c) => ({
      agent: "billing",
      instructions: `policy probe ${c.unique}: answer billing questions.`,
      modelTier: "fast",
      "tool.lookup_order": "on",
    }),
  },
  "app/(console)/agents/actions.ts#updateAgentVersionAction": {
    access: { kind: "permission", permission: "agents:write" },
    // tests/integration/agent-versions.test.ts edits a real draft as a refused caller.
    validInput: (c) => ({ versionId: unknownId("agv"), instructions: `policy probe ${c.unique} edit`, modelTier: "fast" }),
  },
  "app/(console)/rollouts/actions.ts#startRolloutAction": {
    access: { kind: "permission", permission: "rollouts:write" },
    // tests/integration/rollouts.test.ts starts one with a real version as every refused role.
    validInput: () => ({ version: "billing@2", stages: "10, 50, 100", minSample: "30" }),
  },
  "app/(console)/rollouts/actions.ts#changeRolloutAction": {
    access: { kind: "permission", permission: "rollouts:write" },
    validInput: () => ({ rolloutId: unknownId("rol"), command: "rollback" }),
  },
  "app/(console)/evaluations/actions.ts#startReplayAction": {
    access: { kind: "permission", permission: "evaluations:write" },
    validInput: (c) => ({ version: "billing@2", conversationId: c.victimConversationId }),
  },
} satisfies Record<string, ActionPolicy>);

export interface RoutePolicy {
  /**
   * `api_key`: the public API, authenticated only by a Bearer API key; a console session (any
   * role) without one must get a 401.
   */
  access:
    | Access
    | { kind: "framework"; why: string }
    | { kind: "api_key" }
    /**
     * `bearer_token`: open while the token's environment variable is unset; once it is set, only
     * `Authorization: Bearer <token>` gets in and every other caller (any console role) gets a 401.
     */
    | { kind: "bearer_token"; env: "SWITCHYARD_METRICS_TOKEN"; why: string };
  /** A path that exercises the handler (dynamic segments filled in). */
  samplePath: string;
}

/** Keyed by `METHOD /path/pattern`. */
export const routePolicy: Record<string, RoutePolicy> = {
  "GET /api/metrics": {
    access: {
      kind: "bearer_token",
      env: "SWITCHYARD_METRICS_TOKEN",
      why: "Prometheus scrape endpoint: aggregate counts only, no customer data; token-protected when configured",
    },
    samplePath: "/api/metrics",
  },
  "GET /api/health": {
    access: { kind: "public", why: "load-balancer probe; reveals only up/down" },
    samplePath: "/api/health",
  },
  "GET /api/auth/[...nextauth]": {
    access: { kind: "framework", why: "next-auth's own endpoints (session, CSRF), guarded by next-auth" },
    samplePath: "/api/auth/session",
  },
  "POST /api/auth/[...nextauth]": {
    access: { kind: "framework", why: "next-auth's own sign-in/sign-out callbacks, CSRF-protected by next-auth" },
    samplePath: "/api/auth/signout",
  },
  "GET /api/console/conversations/[id]/live": {
    access: { kind: "permission", permission: "conversations:read" },
    samplePath: "/api/console/conversations/cnv_policy_sample/live",
  },
  "GET /api/console/inbox": {
    access: { kind: "permission", permission: "inbox:read" },
    samplePath: "/api/console/inbox?reason=tool_approval",
  },
  "GET /api/console/inbox/count": {
    access: { kind: "permission", permission: "inbox:read" },
    samplePath: "/api/console/inbox/count",
  },
  "GET /api/console/breakers": {
    access: { kind: "permission", permission: "breakers:read" },
    samplePath: "/api/console/breakers",
  },
  "POST /api/v1/conversations": {
    access: { kind: "api_key" },
    samplePath: "/api/v1/conversations",
  },
  "GET /api/v1/conversations/[id]": {
    access: { kind: "api_key" },
    samplePath: "/api/v1/conversations/cnv_policy_sample",
  },
  "POST /api/v1/conversations/[id]/messages": {
    access: { kind: "api_key" },
    samplePath: "/api/v1/conversations/cnv_policy_sample/messages",
  },
};
