import { listAgentDefinitions } from "@/lib/dal/metrics";

const list = (items: readonly string[]) => (items.length ? items.join(", ") : "—");

/** The agents this deployment runs, as defined in code (read-only). */
export async function AgentDefinitions() {
  const defs = await listAgentDefinitions();
  return (
    <section aria-labelledby="definitions" className="mt-10">
      <h2 id="definitions" className="mb-2 text-sm font-medium text-slate-700">Agent definitions</h2>
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full text-sm" aria-label="Agent definitions">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              {["Chain", "Agent", "Version", "Model tier", "Tools", "Hands off to"].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-medium">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {defs.map((d) => (
              <tr key={`${d.chain}/${d.name}@${d.version}`}>
                <td className="px-3 py-2 text-slate-600">
                  {d.chain} <span className="text-xs text-slate-400">({d.pattern.replace(/_/g, " ")})</span>
                </td>
                <th scope="row" className="px-3 py-2 text-left font-medium">{d.name}</th>
                <td className="px-3 py-2">v{d.version}</td>
                <td className="px-3 py-2">{d.tier}</td>
                <td className="px-3 py-2 font-mono text-xs">{list(d.tools)}</td>
                <td className="px-3 py-2 text-xs">{list(d.handoffs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
