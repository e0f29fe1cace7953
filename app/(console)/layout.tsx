import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { getActor } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { countOpenEscalations } from "@/lib/dal/inbox";
import { QueryProvider } from "@/lib/query/provider";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  // Only a convenience redirect: every page and action authorizes itself as well.
  const actor = await getActor();
  if (!actor) redirect("/login");
  const inboxCount = can(actor.role, "inbox:read") ? await countOpenEscalations() : undefined;
  return (
    <QueryProvider>
      <div className="flex min-h-screen">
        <Sidebar user={{ name: actor.name, email: actor.email, role: actor.role }} inboxCount={inboxCount} />
        <main className="min-w-0 flex-1 px-8 py-6">{children}</main>
      </div>
    </QueryProvider>
  );
}
