import type { PriceRowDto } from "@/lib/dal/prices";
import { formatUtc } from "@/lib/format";

const usd = (v: number) => `$${v.toLocaleString("en-US", { maximumFractionDigits: 4 })}`;

/** The price in force per model, with how many versions it has had. */
export function PriceTable({ prices }: { prices: PriceRowDto[] }) {
  const current = prices.filter((p) => p.inForce);
  const versions = new Map<string, number>();
  for (const p of prices) versions.set(p.model, (versions.get(p.model) ?? 0) + 1);
  return (
    <table className="w-full text-sm" aria-label="Prices in force">
      <thead className="text-left text-xs text-slate-500">
        <tr>
          <th className="py-2 pr-4 font-medium">Model</th>
          <th className="py-2 pr-4 text-right font-medium">Input $/M</th>
          <th className="py-2 pr-4 text-right font-medium">Output $/M</th>
          <th className="py-2 pr-4 text-right font-medium">Cached input $/M</th>
          <th className="py-2 pr-4 font-medium">Version</th>
          <th className="py-2 font-medium">In force since</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {current.map((p) => (
          <tr key={p.model} data-testid={`price-${p.model}`}>
            <td className="py-1.5 pr-4 font-mono text-xs">
              {p.model}
              {p.model.startsWith("simulator/") ? <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 font-sans text-[11px] text-amber-800">simulator demo price</span> : null}
            </td>
            <td className="py-1.5 pr-4 text-right tabular-nums">{usd(p.inputPerMTok)}</td>
            <td className="py-1.5 pr-4 text-right tabular-nums">{usd(p.outputPerMTok)}</td>
            <td className="py-1.5 pr-4 text-right tabular-nums">{usd(p.cachedInputPerMTok)}</td>
            <td className="py-1.5 pr-4 tabular-nums">
              v{p.version}
              {versions.get(p.model)! > 1 ? <span className="text-slate-500"> of {versions.get(p.model)}</span> : null}
            </td>
            <td className="py-1.5 text-xs text-slate-600">
              {p.version === 1 && !p.createdByEmail ? "built-in" : `${formatUtc(p.validFrom, "minutes")}${p.createdByEmail ? ` · ${p.createdByEmail}` : ""}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
