/**
 * The dynamic-pricing demo's SIMULATED market: a small catalog with unit costs, competitor prices
 * and price history, all derived from the SKU so that every run is reproducible.
 */

export interface CatalogItem {
  readonly sku: string;
  readonly listPrice: number;
  readonly unitCost: number;
}

const items: readonly CatalogItem[] = [
  { sku: "MUG-101", listPrice: 14, unitCost: 5.5 },
  { sku: "TEE-220", listPrice: 25, unitCost: 11 },
  { sku: "BAG-330", listPrice: 60, unitCost: 41 },
  { sku: "LAMP-440", listPrice: 89, unitCost: 30 },
];

export const DEFAULT_SKU = "MUG-101";

/** A stable number in [0, 1) per text. */
function unit(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0) / 2 ** 32;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function catalogItem(sku: string): CatalogItem {
  const known = items.find((i) => i.sku === sku);
  if (known) return known;
  const listPrice = round(10 + unit(sku) * 90);
  return { sku, listPrice, unitCost: round(listPrice * (0.3 + unit(`${sku}:cost`) * 0.4)) };
}

export function competitorPrices(sku: string): { name: string; price: number }[] {
  const { listPrice } = catalogItem(sku);
  return ["Northwind", "Contoso", "Fabrikam"].map((name) => ({
    name,
    price: round(listPrice * (0.85 + unit(`${sku}:${name}`) * 0.35)),
  }));
}

export function priceHistory(sku: string): { week: number; price: number }[] {
  const { listPrice } = catalogItem(sku);
  return [1, 2, 3, 4].map((week) => ({
    week,
    price: round(listPrice * (0.9 + unit(`${sku}:w${week}`) * 0.2)),
  }));
}

export const average = (xs: readonly number[]) =>
  xs.length === 0 ? 0 : round(xs.reduce((a, b) => a + b, 0) / xs.length);
