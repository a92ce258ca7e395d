import os
import time

import requests
from shared_models.invoice import Invoice

BASE_URL = os.environ.get("BILLING_SERVICE_URL", "http://billing-service:8000")
MAX_RETRIES = 3


class BillingClient:
    """Calls the billing service's HTTP API."""

    def __init__(self, base_url: str = BASE_URL, session=None):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()

    def get_invoice(self, number: str) -> Invoice:
        return Invoice.from_dict(self._request("GET", f"/invoices/{number}"))

    def void_invoice(self, number: str) -> Invoice:
        return Invoice.from_dict(self._request("POST", f"/invoices/{number}/void"))

    def _request(self, method: str, path: str):
        response = self.session.request(method, self.base_url + path, timeout=10)
        response.raise_for_status()
        return response.json()
