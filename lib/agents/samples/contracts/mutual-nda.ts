/** A short mutual NDA: no fees, fixed term, low risk. */
export const mutualNda = `MUTUAL NON-DISCLOSURE AGREEMENT

This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of March 3, 2025 (the "Effective Date") by and between Northwind Analytics, Inc., a Delaware corporation ("Northwind"), and Lumen Health LLC, a Massachusetts limited liability company ("Lumen").

1. Purpose. The parties wish to evaluate a possible data-analytics partnership (the "Purpose") and may disclose Confidential Information to each other for that Purpose only.

2. Confidential Information. "Confidential Information" means any non-public business, technical or financial information disclosed by one party to the other, whether orally or in writing, that is marked confidential or would reasonably be understood to be confidential.

3. Obligations. The receiving party shall protect Confidential Information with at least the care it uses for its own, and no less than reasonable care, and shall disclose it only to employees and advisers who need to know it for the Purpose.

4. Term. This Agreement has a term of two (2) years from the Effective Date. Obligations of confidentiality survive for three (3) years after expiry or termination.

5. Termination. Either party may terminate this Agreement at any time upon thirty (30) days' written notice to the other party.

6. Fees. No fees are payable under this Agreement.

7. Governing Law. This Agreement is governed by the laws of the State of Delaware, without regard to its conflict-of-laws rules.

Signed by authorised representatives of Northwind Analytics, Inc. and Lumen Health LLC.`;
