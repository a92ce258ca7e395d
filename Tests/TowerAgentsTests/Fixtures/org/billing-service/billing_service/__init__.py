"""The billing service: invoices, tax, payment webhooks."""
