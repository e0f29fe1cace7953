import { signOutAction } from "@/app/(console)/actions";
import { can, roleLabels, type Role } from "@/lib/auth/permissions";
import { InboxBadge } from "./inbox-badge";
import { navItems } from "./nav-items";
import { NavLink } from "./nav-link";

export function Sidebar({
  user,
  inboxCount,
}: {
  user: { name: string; email: string; role: Role };
  /** Escalations waiting for a person; undefined for a role without the inbox. */
  inboxCount?: number;
}) {
  const items = navItems.filter((item) => can(user.role, item.permission));
  return (
    <aside className="flex w-56 shrink-0 flex-col bg-slate-900 text-slate-100">
      <div className="px-4 py-4">
        <span className="text-lg font-semibold tracking-tight">Switchyard</span>
      </div>
      <nav aria-label="Console" className="flex-1 space-y-0.5 px-2">
        {items.map((item) => (
          <NavLink
            key={item.href}
            href={item.href}
            label={item.label}
            badge={item.href === "/inbox" && inboxCount !== undefined ? <InboxBadge initialCount={inboxCount} /> : undefined}
          />
        ))}
      </nav>
      <div className="border-t border-slate-800 px-4 py-3 text-sm">
        <p className="truncate font-medium" title={user.email}>
          {user.name}
        </p>
        <p className="text-xs text-slate-400" data-testid="current-role">
          {roleLabels[user.role]}
        </p>
        <form action={signOutAction} className="mt-2">
          <button type="submit" className="text-xs text-slate-300 underline hover:text-white">
            Sign out
          </button>
        </form>
      </div>
    </aside>
  );
}
