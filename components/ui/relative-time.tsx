import { formatUtc } from "@/lib/format";

/**
 * "3 min ago" with the exact UTC time on hover. Rendered on the server at request time, so the
 * pages that use it are dynamic; `now` is injectable for tests.
 */
export function RelativeTime({ iso, now = Date.now() }: { iso: string; now?: number }) {
  const utc = formatUtc(iso);
  return (
    <time dateTime={iso} title={utc} className="whitespace-nowrap">
      {formatRelative(Date.parse(iso), now)}
    </time>
  );
}

const units: [limit: number, size: number, unit: string][] = [
  [60, 1, "s"],
  [3600, 60, "min"],
  [86_400, 3600, "h"],
  [30 * 86_400, 86_400, "d"],
];

export function formatRelative(at: number, now: number): string {
  if (Number.isNaN(at)) return "—";
  const seconds = Math.round((now - at) / 1000);
  if (Math.abs(seconds) < 5) return "just now";
  const abs = Math.abs(seconds);
  for (const [limit, size, unit] of units) {
    if (abs < limit) {
      const n = Math.floor(abs / size);
      return seconds > 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return new Date(at).toISOString().slice(0, 10);
}
