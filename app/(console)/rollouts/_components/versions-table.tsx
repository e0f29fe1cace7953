import { RelativeTime } from "@/components/ui/relative-time";
import type { AgentVersionDto } from "@/lib/dal/agent-versions";

/** Console-created versions; instructions are shown as text (they are trusted, but never HTML). */
export function VersionsTable({ versions }: { versions: AgentVersionDto[] }) {
  if (versions.length === 0) return <p className="text-sm text-slate-500">No console-created versions yet.</p>;
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full text-sm" aria-label="Agent versions">
        <thead className="bg-slate-50 text-left text-xs text-slate-500">
          <tr>
            {["Version", "Tier", "Tools", "Status", "What changed", "Created"].map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {versions.map((v) => (
            <tr key={v.id}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {v.agent} v{v.version} <span className="text-xs font-normal text-slate-500">from v{v.baseVersion}</span>
              </th>
              <td className="px-3 py-2">{v.modelTier}</td>
              <td className="px-3 py-2 font-mono text-xs">{v.tools.join(", ") || "—"}</td>
              <td className="px-3 py-2 text-xs">
                {v.status}
                {v.used ? " · immutable" : ""}
              </td>
              <td className="max-w-md px-3 py-2 text-xs text-slate-600" title={v.instructions}>{v.note || v.instructions.slice(0, 120)}</td>
              <td className="px-3 py-2 text-xs text-slate-500">
                <RelativeTime iso={v.createdAt} />
                {v.createdByEmail ? ` by ${v.createdByEmail}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
