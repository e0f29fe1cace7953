import { z } from "zod";
import { defineAgent, pipeline } from "@/lib/runtime";

/** The kinds of contract the classifier tells apart. */
export const contractTypes = ["nda", "msa", "saas_order_form", "other"] as const;

export const classificationSchema = z.object({
  contractType: z.enum(contractTypes),
  confidence: z.number().min(0).max(1),
  title: z.string().min(1).max(200),
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Key terms; null where the document does not say. Dates are ISO (yyyy-mm-dd). */
export const contractFieldsSchema = z.object({
  parties: z.array(z.string().min(1).max(200)).max(6),
  effectiveDate: isoDate.nullable(),
  endDate: isoDate.nullable(),
  term: z.string().max(200).nullable(),
  termMonths: z.number().int().positive().nullable(),
  fees: z.string().max(200).nullable(),
  autoRenews: z.boolean(),
  renewal: z.string().max(300).nullable(),
  renewalNoticeDays: z.number().int().nonnegative().nullable(),
  governingLaw: z.string().max(100).nullable(),
  terminationNoticeDays: z.number().int().nonnegative().nullable(),
  liability: z.string().max(300).nullable(),
});
export type ContractFields = z.infer<typeof contractFieldsSchema>;

export const riskSeverities = ["low", "medium", "high"] as const;

export const validationSchema = z.object({
  consistent: z.boolean(),
  missing: z.array(z.string()),
  risks: z.array(
    z.object({
      clause: z.string().min(1),
      severity: z.enum(riskSeverities),
      note: z.string().min(1).max(500),
    }),
  ),
  checks: z.array(z.string()),
});

export const contractSummarySchema = z.object({
  /** The short summary the customer reads. */
  reply: z.string().min(1).max(2000),
  contractType: z.enum(contractTypes),
  riskLevel: z.enum(riskSeverities),
  keyTerms: z.array(z.string()).max(12),
});

const classifier = defineAgent({
  name: "classifier",
  version: 1,
  modelTier: "fast",
  instructions:
    "Classify the contract in the user message as an NDA, a master services agreement (msa), a SaaS order form, or other. Give a short title and your confidence.",
  outputSchema: classificationSchema,
  limits: { maxTurns: 1 },
});

const extractor = defineAgent({
  name: "extractor",
  version: 1,
  modelTier: "standard",
  instructions:
    "From the contract in `input`, extract the parties, effective and end dates (ISO), term, fees, renewal, governing law, termination notice and liability terms. Use null for anything the document does not state; never guess.",
  outputSchema: contractFieldsSchema,
  limits: { maxTurns: 1 },
});

const validator = defineAgent({
  name: "validator",
  version: 1,
  modelTier: "strong",
  instructions:
    "Check the extracted fields against the contract in `input`: dates consistent with the term, required clauses present for the contract type, and risky terms (short non-renewal windows, uncapped liability, price increases, missing governing law). Report what you checked.",
  outputSchema: validationSchema,
  limits: { maxTurns: 1 },
});

const synthesizer = defineAgent({
  name: "synthesizer",
  version: 1,
  modelTier: "standard",
  instructions:
    "Write a short, plain-language summary of the contract for the customer from the classification, fields and validation: what it is, who it binds, the key terms and anything they should look at before signing.",
  outputSchema: contractSummarySchema,
  limits: { maxTurns: 1 },
});

/** Classifier (fast) → extractor → validator (strong) → synthesizer; every stage sees the document. */
export const contractsChain = pipeline({
  name: "contracts",
  stages: [classifier, extractor, validator, synthesizer],
  accumulate: true,
  limits: { maxSteps: 8, maxHandoffs: 0, budgetMs: 120_000 },
});
