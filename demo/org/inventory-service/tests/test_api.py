import json
import unittest

from inventory.api import handle_total


class ApiTests(unittest.TestCase):
    def test_total_of_an_order(self):
        status, answer = handle_total(
            json.dumps({"lines": [{"sku": "SKU-APPLE", "quantity": 3}]}).encode()
        )
        self.assertEqual((status, answer), (200, {"total_cents": 360}))

    def test_a_bad_line_is_a_400(self):
        status, answer = handle_total(b'{"lines": [{"sku": "SKU-NOPE", "quantity": 1}]}')
        self.assertEqual(status, 400)
        self.assertIn("SKU-NOPE", answer["error"])
