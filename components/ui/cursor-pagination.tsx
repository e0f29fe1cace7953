import Link from "next/link";

/** Keyset paging links: back to the newest page, and on to older rows when there are any. */
export function CursorPagination({
  newestHref,
  newestLabel = "Newest",
  olderHref,
  olderLabel = "Older →",
}: {
  newestHref?: string | null;
  newestLabel?: string;
  olderHref?: string | null;
  olderLabel?: string;
}) {
  if (!newestHref && !olderHref) return null;
  return (
    <nav className="mt-4 flex gap-4 text-sm" aria-label="Pagination">
      {newestHref ? (
        <Link href={newestHref} className="text-indigo-700 underline">
          {newestLabel}
        </Link>
      ) : null}
      {olderHref ? (
        <Link href={olderHref} className="text-indigo-700 underline">
          {olderLabel}
        </Link>
      ) : null}
    </nav>
  );
}
