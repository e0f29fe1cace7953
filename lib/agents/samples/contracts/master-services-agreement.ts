/** A master services agreement with auto-renewal and a liability cap. */
export const masterServicesAgreement = `MASTER SERVICES AGREEMENT

This Master Services Agreement (the "Agreement") is made as of January 15, 2025 (the "Effective Date") by and between Brightline Logistics Corp., a New York corporation ("Client"), and Kestrel Systems Ltd, a company registered in England and Wales ("Provider").

1. Services. Provider will perform the route-optimisation and support services described in each Statement of Work ("SOW") signed by both parties. Each SOW is governed by this Agreement.

2. Fees and Payment. Client shall pay Provider fees of $18,500 per month, invoiced monthly in advance and payable within thirty (30) days of the invoice date. Provider may increase fees once per year by no more than 5%.

3. Term and Renewal. This Agreement has an initial term of three (3) years from the Effective Date and automatically renews for successive one (1) year periods unless either party gives at least ninety (90) days' notice of non-renewal before the end of the then-current term.

4. Termination. Either party may terminate this Agreement for convenience upon sixty (60) days' written notice. Either party may terminate immediately if the other materially breaches it and fails to cure the breach within thirty (30) days.

5. Limitation of Liability. Each party's total liability under this Agreement shall not exceed the fees paid by Client in the twelve (12) months before the claim.

6. Governing Law. This Agreement is governed by the laws of the State of New York.

IN WITNESS WHEREOF, the parties have executed this Agreement as of the Effective Date.`;
