from .client import BillingClient
