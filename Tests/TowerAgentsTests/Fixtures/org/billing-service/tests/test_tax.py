import unittest

from billing_service.tax import compute_vat


class ComputeVatTests(unittest.TestCase):
    def test_germany_standard_rate(self):
        self.assertEqual(compute_vat(10000, "DE"), 1900)

    def test_unknown_country(self):
        with self.assertRaises(ValueError):
            compute_vat(100, "XX")
