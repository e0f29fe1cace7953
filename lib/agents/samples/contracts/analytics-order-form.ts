/** An order form with inconsistent dates, no governing law and uncapped liability. */
export const analyticsOrderForm = `ORDER FORM — SIGNALHOUSE ANALYTICS

Provider: Signalhouse Analytics GmbH
Customer: Pinecrest Retail Group, Inc.
Subscription Start Date: April 1, 2025
Subscription End Date: March 31, 2026
Subscription Term: 24 months
Subscription Fee: $3,200 per month

Renewal. The subscription automatically renews for successive 24-month terms unless the Customer gives at least ten (10) days' notice of non-renewal.

Liability. Customer's liability under this Order Form is unlimited. Provider's liability shall not exceed $5,000.

Termination. Provider may suspend or terminate the service on five (5) days' written notice if any invoice is overdue.`;
