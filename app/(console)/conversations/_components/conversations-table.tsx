import Link from "next/link";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge } from "@/components/ui/status-badge";
import { MESSAGE_COUNT_CAP, type ConversationListRowDto } from "@/lib/dal/conversations";

export function ConversationsTable({ rows }: { rows: ConversationListRowDto[] }) {
  const now = Date.now();
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs text-slate-500 uppercase">
          <tr>
            <th className="px-3 py-2 font-medium">Conversation</th>
            <th className="px-3 py-2 font-medium">Status</th>
            <th className="px-3 py-2 font-medium">Customer</th>
            <th className="px-3 py-2 font-medium">Chain</th>
            <th className="px-3 py-2 text-right font-medium">Messages</th>
            <th className="px-3 py-2 font-medium">Last message</th>
            <th className="px-3 py-2 font-medium">Updated</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((c) => (
            <tr key={c.id} className="align-top hover:bg-slate-50">
              <td className="px-3 py-2 whitespace-nowrap">
                <Link href={`/conversations/${encodeURIComponent(c.id)}`} className="font-mono text-xs text-indigo-700 underline">
                  {c.id}
                </Link>
              </td>
              <td className="px-3 py-2">
                <StatusBadge status={c.status} />
              </td>
              <td className="max-w-48 truncate px-3 py-2 text-slate-700" title={c.customerId ?? undefined}>
                {c.customerId ?? <span className="text-slate-400">—</span>}
              </td>
              <td className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-600">{c.chain}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                {c.messageCount > MESSAGE_COUNT_CAP ? `${MESSAGE_COUNT_CAP}+` : c.messageCount}
              </td>
              <td className="w-full min-w-56 px-3 py-2 text-slate-700">
                {c.lastMessagePreview === null ? (
                  <span className="text-slate-400">No messages</span>
                ) : (
                  <p className="line-clamp-2 break-words" title={c.lastMessagePreview}>
                    {c.lastMessagePreview}
                  </p>
                )}
              </td>
              <td className="px-3 py-2 text-slate-600">
                <RelativeTime iso={c.updatedAt} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
