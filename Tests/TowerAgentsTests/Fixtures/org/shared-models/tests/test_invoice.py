import unittest

from shared_models.invoice import Invoice


class InvoiceModelTests(unittest.TestCase):
    def test_total(self):
        self.assertEqual(Invoice("A-1", "acme", 100, 19, "EUR").total, 119)
