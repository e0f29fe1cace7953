import { vi } from "vitest";

/**
 * Stands in for the next-auth session cookie: the test says who is signed in, everything after
 * that (role lookup, permission check, the action itself) is the real code. Use with
 * `vi.mock("@/lib/auth/session", () => sessionMock)` at the top of a test file.
 */
let current: string | null = null;

export const sessionMock = {
  getSessionUserId: vi.fn(() => Promise.resolve(current)),
};

export function signInAs(userId: string | null): void {
  current = userId;
}
