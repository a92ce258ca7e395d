import unittest

from billing_service.invoices import InvoiceRepository, create_invoice, void_invoice


class InvoiceTests(unittest.TestCase):
    def test_create_then_void(self):
        repository = InvoiceRepository()
        create_invoice(repository, "A-1", "acme", 10000, "DE")
        self.assertTrue(void_invoice(repository, "A-1").voided)
