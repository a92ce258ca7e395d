import unittest

from inventory.pricing import line_total, order_total


class PricingTests(unittest.TestCase):
    def test_line_total_multiplies_the_unit_price(self):
        self.assertEqual(line_total("SKU-BREAD", 3), 1047)

    def test_unknown_sku_is_refused(self):
        with self.assertRaises(ValueError):
            line_total("SKU-NOPE", 1)

    def test_order_total_adds_the_lines(self):
        self.assertEqual(order_total([("SKU-APPLE", 2), ("SKU-COFFEE", 1)]), 1339)
