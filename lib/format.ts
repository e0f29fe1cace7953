/** Display formatting shared by console pages (server and client components alike). */

/** "2031-01-01 12:00:01 UTC", or to the minute, from an ISO string. */
export function formatUtc(iso: string, precision: "seconds" | "minutes" = "seconds"): string {
  return `${iso.replace("T", " ").slice(0, precision === "seconds" ? 19 : 16)} UTC`;
}

/** "12:00:01.234" (UTC) from an ISO string, for timelines within one run. */
export function formatClock(iso: string): string {
  return iso.slice(11, 23);
}

/** Pretty JSON for a details panel; never throws. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? "undefined";
  } catch {
    return String(value);
  }
}
