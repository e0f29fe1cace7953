import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { listBreakers } from "@/lib/dal/breakers";
import { BreakersBoard } from "./_components/breakers-board";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Circuit breakers" };

export default async function Page() {
  const actor = await authorizePage("breakers:read");
  const initial = await listBreakers();
  return (
    <>
      <PageHeader
        title="Circuit breakers"
        description="Live state of every breaker per model, agent and tool, shared by every worker. An open breaker fails fast and its calls fall down the fallback ladder (specialist → general agent → help-center template → a person); after the cooldown one probe decides whether it closes."
      />
      <BreakersBoard initial={initial} canWrite={can(actor.role, "breakers:write")} />
    </>
  );
}
