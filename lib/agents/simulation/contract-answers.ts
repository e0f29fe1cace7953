import { z } from "zod";
import {
  classificationSchema,
  type ContractFields,
  contractFieldsSchema,
  type contractSummarySchema,
  validationSchema,
} from "../contracts-team";
import { extractContractFields } from "./contract-fields";

/**
 * What the SIMULATOR answers for the contract pipeline's agents: deterministic rules over the
 * document and the earlier stages' outputs (the pipeline accumulates them), each answer valid
 * against its stage's schema.
 */

type Classification = z.infer<typeof classificationSchema>;
type Validation = z.infer<typeof validationSchema>;
type Risk = Validation["risks"][number];

const contextSchema = z.object({ input: z.string(), outputs: z.record(z.string(), z.unknown()) });

/** The pipeline context of a later stage; a bare document when a stage is run on its own. */
function contextOf(text: string): { document: string; outputs: Record<string, unknown> } {
  try {
    const parsed = contextSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { document: parsed.data.input, outputs: parsed.data.outputs };
  } catch {
    // Not JSON: the stage got the document itself.
  }
  return { document: text, outputs: {} };
}

export function classifyContract(document: string): Classification {
  const title = (document.split("\n").find((line) => line.trim()) ?? "Untitled document")
    .trim()
    .slice(0, 200);
  const rules: [RegExp, Classification["contractType"]][] = [
    [/non-disclosure|\bNDA\b/i, "nda"],
    [/master services agreement/i, "msa"],
    [/order form|subscription (?:term|fee)/i, "saas_order_form"],
  ];
  const heading = rules.find(([pattern]) => pattern.test(title));
  const body = rules.find(([pattern]) => pattern.test(document));
  if (heading) return { contractType: heading[1], confidence: 0.94, title };
  if (body) return { contractType: body[1], confidence: 0.72, title };
  return { contractType: "other", confidence: 0.45, title };
}

export function extractFromContext(text: string): ContractFields {
  return extractContractFields(contextOf(text).document);
}

export function validateFromContext(text: string): Validation {
  const { document, outputs } = contextOf(text);
  const fields = contractFieldsSchema.safeParse(outputs.extractor);
  const type = classificationSchema.safeParse(outputs.classifier);
  if (!fields.success) {
    return {
      consistent: false,
      missing: ["extracted fields"],
      risks: [],
      checks: ["no extracted fields to check"],
    };
  }
  return validateFields(fields.data, type.success ? type.data.contractType : "other", document);
}

function validateFields(
  f: ContractFields,
  type: Classification["contractType"],
  document: string,
): Validation {
  const checks: string[] = [];
  const risks: Risk[] = [];
  const required: [keyof ContractFields, boolean][] = [
    ["parties", f.parties.length >= 2],
    ["effectiveDate", f.effectiveDate !== null],
    ["term", f.term !== null],
    ["governingLaw", f.governingLaw !== null],
    ["terminationNoticeDays", f.terminationNoticeDays !== null],
    ["fees", type === "nda" || f.fees !== null],
  ];
  const missing = required.filter(([, present]) => !present).map(([name]) => name);
  checks.push(
    `required fields for ${type}: ${missing.length === 0 ? "all present" : `missing ${missing.join(", ")}`}`,
  );
  let consistent = true;
  if (f.effectiveDate && f.endDate && f.termMonths) {
    const months = monthsBetween(f.effectiveDate, f.endDate);
    checks.push(
      `term ${f.termMonths} months vs dates ${f.effectiveDate} → ${f.endDate} (${months} months)`,
    );
    if (months !== f.termMonths) {
      consistent = false;
      risks.push({
        clause: "term",
        severity: "high",
        note: `The stated term (${f.term}) does not match the dates, which span ${months} months.`,
      });
    }
  }
  if (type === "nda" && f.fees) {
    consistent = false;
    checks.push("an NDA that charges fees");
  }
  if (f.autoRenews) {
    const days = f.renewalNoticeDays;
    checks.push(`auto-renewal with ${days ?? "no stated"} days' notice`);
    if (days === null || days < 30)
      risks.push({
        clause: "renewal",
        severity: "high",
        note: `Renews automatically; non-renewal notice is only ${days ?? "not"} ${days === null ? "stated" : "days"}.`,
      });
    else if (days >= 60)
      risks.push({
        clause: "renewal",
        severity: "medium",
        note: `Renews automatically unless notice is given ${days} days before the term ends.`,
      });
  }
  const uplift = /increase[^.]*?by (?:up to |no more than )?(\d+)%/i.exec(document);
  if (uplift && Number(uplift[1]) > 5)
    risks.push({
      clause: "pricing",
      severity: "medium",
      note: `Prices may rise by up to ${uplift[1]}%.`,
    });
  if (f.liability && /unlimited|uncapped/i.test(f.liability))
    risks.push({
      clause: "liability",
      severity: "high",
      note: "One party's liability is unlimited.",
    });
  if (!f.governingLaw)
    risks.push({
      clause: "governing_law",
      severity: "medium",
      note: "No governing law is stated.",
    });
  if (f.terminationNoticeDays !== null && f.terminationNoticeDays < 15)
    risks.push({
      clause: "termination",
      severity: "medium",
      note: `Termination on only ${f.terminationNoticeDays} days' notice.`,
    });
  return { consistent, missing, risks, checks };
}

export function summarizeFromContext(text: string): z.infer<typeof contractSummarySchema> {
  const { outputs } = contextOf(text);
  const type = classificationSchema.safeParse(outputs.classifier);
  const fields = contractFieldsSchema.safeParse(outputs.extractor);
  const validation = validationSchema.safeParse(outputs.validator);
  const contractType = type.success ? type.data.contractType : "other";
  const risks = validation.success ? validation.data.risks : [];
  const riskLevel = risks.some((r) => r.severity === "high")
    ? "high"
    : risks.some((r) => r.severity === "medium")
      ? "medium"
      : "low";
  if (!fields.success) {
    return {
      reply: "I could not read the key terms of this document; a person will review it.",
      contractType,
      riskLevel: "high",
      keyTerms: [],
    };
  }
  const f = fields.data;
  const keyTerms = [
    f.effectiveDate && `effective ${f.effectiveDate}`,
    f.term && `term ${f.term}`,
    f.fees && `fees ${f.fees}`,
    f.autoRenews && `auto-renews (${f.renewalNoticeDays ?? "?"} days' notice)`,
    f.governingLaw && `${f.governingLaw} law`,
    f.terminationNoticeDays !== null && `termination notice ${f.terminationNoticeDays} days`,
  ].filter((t): t is string => typeof t === "string");
  const who = f.parties.length > 0 ? ` between ${f.parties.join(" and ")}` : "";
  const watch = risks.filter((r) => r.severity !== "low").map((r) => r.note);
  const reply = [
    `This is ${labels[contractType]}${who}`.replace(/\.?$/, "."),
    keyTerms.length > 0 ? `Key terms: ${keyTerms.join("; ")}.` : "",
    watch.length > 0 ? `Before signing, check: ${watch.join(" ")}` : "Nothing unusual stands out.",
  ]
    .filter(Boolean)
    .join(" ");
  return { reply: reply.slice(0, 2000), contractType, riskLevel, keyTerms };
}

const labels: Record<Classification["contractType"], string> = {
  nda: "a non-disclosure agreement",
  msa: "a master services agreement",
  saas_order_form: "a SaaS order form",
  other: "a contract",
};

function monthsBetween(startIso: string, endIso: string): number {
  const start = new Date(`${startIso}T00:00:00Z`);
  const end = new Date(`${endIso}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1); // an end date is inclusive
  return (
    (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth()
  );
}
