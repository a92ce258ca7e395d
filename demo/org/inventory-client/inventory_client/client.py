"""A small client for inventory-service's HTTP API."""

import json
import urllib.request

DEFAULT_BASE_URL = "http://inventory-service:8080"


class InventoryClient:
    """Asks inventory-service for order totals."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, opener=urllib.request.urlopen):
        self.base_url = base_url.rstrip("/")
        self._open = opener

    def order_total(self, lines: list[tuple[str, int]]) -> int:
        """The total of an order in cents, computed by the service."""
        body = {"lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines]}
        return self._post("/orders/total", body)["total_cents"]

    def _post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with self._open(request, timeout=5) as response:
            return json.loads(response.read())
