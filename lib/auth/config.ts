import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { log, logUnexpected } from "@/lib/log";
import { getAuthSecret } from "./secret";
import { signInSchema, verifyCredentials } from "./credentials";

class DisabledAccount extends CredentialsSignin {
  code = "disabled";
}

// The lazy form keeps secret loading and database access out of `next build`.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: getAuthSecret(),
  // Switchyard is self-hosted behind whatever host name its operators choose.
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/login" },
  logger: {
    // A refused sign-in is an expected outcome, not a server error: one line, no stack. Checked by
    // class and `type`, because a production build minifies `name`.
    error(error) {
      const refused =
        error instanceof CredentialsSignin || (error as { type?: string }).type === "CredentialsSignin";
      if (refused) log("warn", "sign-in refused");
      else logUnexpected(error, { source: "next-auth" });
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw) {
        const parsed = signInSchema.safeParse(raw);
        if (!parsed.success) return null;
        const result = await verifyCredentials(parsed.data.email, parsed.data.password);
        if (!result.ok) {
          if (result.reason === "disabled") throw new DisabledAccount();
          return null;
        }
        // Only the id goes into the token: the role is re-read on every request (authorize.ts).
        return { id: result.user.id, email: result.user.email, name: result.user.name };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
