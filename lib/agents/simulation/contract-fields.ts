import type { ContractFields } from "../contracts-team";

/**
 * The SIMULATOR's contract reading: regular expressions over the document, good enough for the
 * shipped samples and documents written like them. It is what the simulated extractor answers,
 * not a model: a real provider reads the contract itself.
 */
export function extractContractFields(text: string): ContractFields {
  const term = termIn(text);
  const renewal = /automatically renews?[^.]*\./i.exec(text)?.[0] ?? null;
  return {
    parties: partiesIn(text),
    effectiveDate: isoDate(
      /(?:as of|Effective Date:|Subscription Start Date:|Start Date:)\s*([A-Z][a-z]+ \d{1,2}, \d{4})/.exec(
        text,
      )?.[1],
    ),
    endDate: isoDate(/End Date:\s*([A-Z][a-z]+ \d{1,2}, \d{4})/.exec(text)?.[1]),
    term: term?.text ?? null,
    termMonths: term?.months ?? null,
    fees: feesIn(text),
    autoRenews: renewal !== null,
    renewal: renewal ? renewal.trim().slice(0, 300) : null,
    renewalNoticeDays: renewal ? daysIn(renewal) : null,
    governingLaw:
      /governed by (?:and construed in accordance with )?the laws of (?:the State of )?([A-Z][A-Za-z ]+?)(?=[,.;]| without)/.exec(
        text,
      )?.[1] ?? null,
    terminationNoticeDays: daysIn(
      /terminat[^.]*?\d+\)? days'? (?:prior )?written notice/i.exec(text)?.[0] ?? "",
    ),
    liability: liabilityIn(text),
  };
}

function partiesIn(text: string): string[] {
  const between =
    /between\s+(.+?),\s+an?\s[^(]*\("[^"]+"\),?\s+and\s+(.+?),\s+an?\s[^(]*\("[^"]+"\)/.exec(text);
  if (between?.[1] && between[2]) return [between[1].trim(), between[2].trim()];
  const listed = [...text.matchAll(/^(?:Provider|Customer|Vendor|Client):\s*(.+)$/gm)];
  return listed.map((m) => (m[1] ?? "").trim()).filter(Boolean);
}

const numberWords: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

function termIn(text: string): { text: string; months: number } | null {
  const m = /(?:term of|Term:)\s*(?:([a-z]+) \((\d+)\)|(\d+))\s*(year|month)s?/i.exec(text);
  if (!m) return null;
  const count = Number(m[2] ?? m[3] ?? numberWords[(m[1] ?? "").toLowerCase()] ?? NaN);
  if (!Number.isFinite(count)) return null;
  const unit = (m[4] ?? "month").toLowerCase();
  return {
    text: `${count} ${unit}${count === 1 ? "" : "s"}`,
    months: unit === "year" ? count * 12 : count,
  };
}

function feesIn(text: string): string | null {
  if (/no fees are payable/i.test(text)) return null;
  const m = /\$[\d,]+(?:\.\d{2})?(?: per (?:month|year|annum))?/.exec(text);
  return m?.[0] ?? null;
}

function liabilityIn(text: string): string | null {
  const sentence =
    /[^.]*liability[^.]*(?:shall not exceed|is unlimited|limited to|capped at)[^.]*\./gi;
  const found = [...text.matchAll(sentence)].map((m) => m[0].replace(/^\s*\d+\.\s*/, "").trim());
  return found.length > 0 ? found.join(" ").slice(0, 300) : null;
}

function daysIn(sentence: string): number | null {
  const m = /(\d+)\)? days/.exec(sentence);
  return m ? Number(m[1]) : null;
}

const months = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

function isoDate(text: string | undefined): string | null {
  const m = text ? /^([A-Za-z]+) (\d{1,2}), (\d{4})$/.exec(text) : null;
  const month = m ? months.indexOf((m[1] ?? "").toLowerCase()) + 1 : 0;
  if (!m || month === 0) return null;
  return `${m[3]}-${String(month).padStart(2, "0")}-${(m[2] ?? "").padStart(2, "0")}`;
}
