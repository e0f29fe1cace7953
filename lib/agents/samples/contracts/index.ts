import { analyticsOrderForm } from "./analytics-order-form";
import { masterServicesAgreement } from "./master-services-agreement";
import { mutualNda } from "./mutual-nda";
import { saasOrderForm } from "./saas-order-form";

/** A shipped sample document for the contract pipeline, with what a reader should find in it. */
export interface SampleContract {
  id: string;
  title: string;
  text: string;
  expected: {
    contractType: "nda" | "msa" | "saas_order_form";
    parties: string[];
    governingLaw: string | null;
    /** Risk the validator should flag, by clause. */
    riskyClauses: string[];
  };
}

export const sampleContracts: readonly SampleContract[] = [
  {
    id: "mutual-nda",
    title: "Mutual NDA — Northwind / Lumen",
    text: mutualNda,
    expected: {
      contractType: "nda",
      parties: ["Northwind Analytics, Inc.", "Lumen Health LLC"],
      governingLaw: "Delaware",
      riskyClauses: [],
    },
  },
  {
    id: "master-services-agreement",
    title: "MSA — Brightline / Kestrel",
    text: masterServicesAgreement,
    expected: {
      contractType: "msa",
      parties: ["Brightline Logistics Corp.", "Kestrel Systems Ltd"],
      governingLaw: "New York",
      riskyClauses: ["renewal"],
    },
  },
  {
    id: "saas-order-form",
    title: "SaaS order form — CloudLedger / Harbor & Finch",
    text: saasOrderForm,
    expected: {
      contractType: "saas_order_form",
      parties: ["CloudLedger, Inc.", "Harbor & Finch Ltd"],
      governingLaw: "California",
      riskyClauses: ["renewal", "pricing"],
    },
  },
  {
    id: "analytics-order-form",
    title: "Order form — Signalhouse / Pinecrest",
    text: analyticsOrderForm,
    expected: {
      contractType: "saas_order_form",
      parties: ["Signalhouse Analytics GmbH", "Pinecrest Retail Group, Inc."],
      governingLaw: null,
      riskyClauses: ["renewal", "liability", "governing_law", "term", "termination"],
    },
  },
];
