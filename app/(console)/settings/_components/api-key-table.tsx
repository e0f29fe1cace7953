import type { ApiKeyDto } from "@/lib/dal/api-keys";
import { formatUtc } from "@/lib/format";
import { RevokeApiKeyButton } from "./revoke-api-key-button";

function formatTime(iso: string | null, fallback: string): string {
  return iso ? formatUtc(iso, "minutes") : fallback;
}

/** Server-rendered list; only the revoke button is a client component. */
export function ApiKeyTable({ apiKeys, canRevoke }: { apiKeys: ApiKeyDto[]; canRevoke: boolean }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs text-slate-500 uppercase">
          <tr>
            <th className="px-4 py-2 font-medium">Name</th>
            <th className="px-4 py-2 font-medium">Key</th>
            <th className="px-4 py-2 font-medium">Created</th>
            <th className="px-4 py-2 font-medium">Last used</th>
            <th className="px-4 py-2 font-medium">Status</th>
            {canRevoke ? <th className="px-4 py-2 font-medium">Access</th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {apiKeys.map((k) => (
            <tr key={k.id} className={k.revokedAt ? "bg-slate-50 text-slate-400" : undefined} data-testid={`api-key-${k.prefix}`}>
              <td className="px-4 py-2 font-medium">{k.name}</td>
              <td className="px-4 py-2 font-mono text-xs">{k.prefix}…</td>
              <td className="px-4 py-2 text-xs text-slate-500">{formatTime(k.createdAt, "")}</td>
              <td className="px-4 py-2 text-xs text-slate-500">{formatTime(k.lastUsedAt, "Never")}</td>
              <td className="px-4 py-2 text-sm">{k.revokedAt ? `Revoked ${formatTime(k.revokedAt, "")}` : "Active"}</td>
              {canRevoke ? (
                <td className="px-4 py-2">{k.revokedAt ? null : <RevokeApiKeyButton id={k.id} name={k.name} />}</td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
