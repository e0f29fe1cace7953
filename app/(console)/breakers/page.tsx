import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Circuit breakers" };

export default async function Page() {
  await authorizePage("breakers:read");
  return (
    <>
      <PageHeader title="Circuit breakers" description="Live state of every breaker per agent, tool and model, with recent transitions. Admins can trip or reset a breaker." />
      <EmptyState title="No breakers yet">
        A breaker appears here for each agent, tool and model the first time it is called, closed, open or half-open, with its failure counts and a timeline of transitions.
      </EmptyState>
    </>
  );
}
