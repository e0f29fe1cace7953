/** Number formats shared by the trace list and the waterfall; a missing value is a dash, not 0. */

/** "0 ms", "850 ms", "1.25 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const abs = Math.max(0, ms);
  if (abs < 1) return abs === 0 ? "0 ms" : "<1 ms";
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${trimZeros((abs / 1000).toFixed(abs < 10_000 ? 2 : 1))} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  if (minutes >= 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** "$0", "$0.000123", "$0.0123", "$1.23"; never scientific notation. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "—";
  const abs = Math.abs(usd);
  if (abs === 0) return "$0";
  if (abs < 0.000001) return "<$0.000001";
  const text = abs >= 1 ? abs.toFixed(2) : trimZeros(abs.toFixed(abs >= 0.01 ? 4 : 6));
  return `${usd < 0 ? "-" : ""}$${text}`;
}

/** "1,234". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return new Intl.NumberFormat("en-US").format(n);
}

/**
 * An attribute's value as recorded, but a fraction without its binary rounding noise
 * (0.000041700000000000004 → 0.0000417): 12 significant digits is more than any recorded figure
 * carries. Small values stay out of exponent notation where `String` would switch to it.
 */
export function formatAttribute(value: string | number | boolean): string {
  if (typeof value !== "number" || Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(12));
  const text = String(rounded);
  return text.includes("e-") ? trimZeros(rounded.toFixed(20)) : text;
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}
