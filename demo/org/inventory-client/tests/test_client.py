import io
import json
import unittest

from inventory_client import InventoryClient


class FakeService:
    """Stands in for urlopen: records each request and answers with a JSON body."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append(request)
        return io.BytesIO(json.dumps(self.answer).encode())


class ClientTests(unittest.TestCase):
    def test_order_total_posts_the_lines(self):
        service = FakeService({"total_cents": 1339})
        client = InventoryClient("http://inventory.test/", opener=service)
        self.assertEqual(client.order_total([("SKU-APPLE", 2), ("SKU-COFFEE", 1)]), 1339)
        request = service.requests[0]
        self.assertEqual(request.full_url, "http://inventory.test/orders/total")
        self.assertEqual(
            json.loads(request.data),
            {"lines": [{"sku": "SKU-APPLE", "quantity": 2}, {"sku": "SKU-COFFEE", "quantity": 1}]},
        )
