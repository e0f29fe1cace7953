import { handlers } from "@/lib/auth/config";

// next-auth's own endpoints (CSRF token, callback, session, sign-out); it guards them itself.
export const { GET, POST } = handlers;
