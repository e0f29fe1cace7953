import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { listAuditEntries } from "@/lib/dal/audit";
import { formatUtc } from "@/lib/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

const searchSchema = z.object({
  cursor: z.string().max(200).optional().catch(undefined),
  target: z.string().regex(/^[a-z_]{1,40}$/).optional().catch(undefined),
});

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await authorizePage("audit:read");
  const params = searchSchema.parse(await searchParams);
  const page = await listAuditEntries({ cursor: params.cursor, targetType: params.target, limit: 50 });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change anyone made, newest first: who, what, to which thing, with the values before and after."
      />
      {page.entries.length === 0 ? (
        <EmptyState title={params.cursor ? "No older entries" : "No changes recorded yet"}>
          Each change to users, API keys, budgets, rollouts, breakers and simulator settings is
          recorded here as it happens.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs text-slate-500 uppercase">
              <tr>
                <th className="px-4 py-2 font-medium">When</th>
                <th className="px-4 py-2 font-medium">Who</th>
                <th className="px-4 py-2 font-medium">Action</th>
                <th className="px-4 py-2 font-medium">Target</th>
                <th className="px-4 py-2 font-medium">Before → after</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.entries.map((e) => (
                <tr key={e.id} className="align-top">
                  <td className="px-4 py-2 whitespace-nowrap text-slate-600">
                    <time dateTime={e.createdAt}>{formatUtc(e.createdAt)}</time>
                  </td>
                  <td className="px-4 py-2">{e.actorEmail}</td>
                  <td className="px-4 py-2 font-mono text-xs">{e.action}</td>
                  <td className="px-4 py-2">
                    <Link href={`/audit?target=${e.targetType}`} className="text-indigo-700 underline">
                      {e.targetType}
                    </Link>{" "}
                    <span className="font-mono text-xs text-slate-500">{e.targetId}</span>
                  </td>
                  <td className="max-w-sm px-4 py-2 font-mono text-xs break-all text-slate-700">
                    {e.before !== null ? <div>{JSON.stringify(e.before)}</div> : null}
                    {e.after !== null ? <div>→ {JSON.stringify(e.after)}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="mt-4 flex gap-4 text-sm" aria-label="Pagination">
        {params.cursor || params.target ? (
          <Link href="/audit" className="text-indigo-700 underline">
            Newest, all targets
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link
            href={`/audit?${new URLSearchParams({ cursor: page.nextCursor, ...(params.target ? { target: params.target } : {}) }).toString()}`}
            className="text-indigo-700 underline"
          >
            Older entries →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
