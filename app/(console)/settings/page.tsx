import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { listApiKeys } from "@/lib/dal/api-keys";
import { listUsers } from "@/lib/dal/users";
import { ApiKeyTable } from "./_components/api-key-table";
import { CreateApiKeyForm } from "./_components/create-api-key-form";
import { InviteUserForm } from "./_components/invite-user-form";
import { SimulatorSection } from "./_components/simulator-section";
import { TrafficSection } from "./_components/traffic-section";
import { UserRow } from "./_components/user-row";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await authorizePage("settings:read");
  const [users, apiKeys] = await Promise.all([
    can(actor.role, "users:read") ? listUsers() : null,
    can(actor.role, "api_keys:read") ? listApiKeys() : null,
  ]);
  const canWriteKeys = can(actor.role, "api_keys:write");
  return (
    <>
      <PageHeader title="Settings" description="Users and roles, public-API keys, and the model simulator." />
      {users ? (
        <section className="mb-10" aria-labelledby="users-heading">
          <h2 id="users-heading" className="mb-3 text-lg font-semibold">Users</h2>
          <div className="mb-4 rounded-xl border border-slate-200 bg-white p-4">
            <InviteUserForm />
          </div>
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs text-slate-500 uppercase">
                <tr>
                  <th className="px-4 py-2 font-medium">User</th>
                  <th className="px-4 py-2 font-medium">Role</th>
                  <th className="px-4 py-2 font-medium">Status</th>
                  <th className="px-4 py-2 font-medium">Last sign-in</th>
                  <th className="px-4 py-2 font-medium">Access</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {users.map((u) => (
                  <UserRow key={u.id} {...u} isSelf={u.id === actor.id} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {apiKeys ? (
        <section className="mb-10" aria-labelledby="keys-heading">
          <h2 id="keys-heading" className="mb-3 text-lg font-semibold">API keys</h2>
          <p className="mb-3 max-w-3xl text-sm text-slate-600">
            Keys for the public API (a chat widget or help-desk integration), sent as{" "}
            <code className="font-mono">Authorization: Bearer …</code>. Each key is shown once when it is
            created and stored only as a hash; revoking one takes effect immediately.
          </p>
          {canWriteKeys ? (
            <div className="mb-4 rounded-xl border border-slate-200 bg-white p-4">
              <CreateApiKeyForm />
            </div>
          ) : null}
          {apiKeys.length > 0 ? (
            <ApiKeyTable apiKeys={apiKeys} canRevoke={canWriteKeys} />
          ) : (
            <EmptyState title="No API keys yet">
              Create a key above to let an integration start conversations through the public API.
            </EmptyState>
          )}
        </section>
      ) : null}
      <SimulatorSection actor={actor} />
      <TrafficSection actor={actor} />
    </>
  );
}
