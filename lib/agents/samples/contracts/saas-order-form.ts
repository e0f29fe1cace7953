/** A SaaS order form with a short non-renewal window and an uplift on renewal. */
export const saasOrderForm = `ORDER FORM — CLOUDLEDGER PLATFORM SUBSCRIPTION

Provider: CloudLedger, Inc.
Customer: Harbor & Finch Ltd
Order Date: May 20, 2025
Subscription Start Date: June 1, 2025
Subscription End Date: May 31, 2026
Subscription Term: 12 months
Subscription Fee: $24,000 per year, payable annually in advance
Plan: Business, 40 named users

Renewal. This subscription automatically renews for successive 12-month terms unless either party gives at least fifteen (15) days' notice of non-renewal before the end of the current term. Renewal pricing may increase by up to 9% over the prior term.

Termination. Customer may terminate for Provider's uncured material breach on thirty (30) days' written notice. Fees paid are non-refundable except as stated in the Terms of Service.

This Order Form is subject to the CloudLedger Terms of Service, which are governed by the laws of the State of California.`;
