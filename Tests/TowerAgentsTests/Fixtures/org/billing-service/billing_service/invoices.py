from dataclasses import replace
from shared_models.invoice import Invoice

from .tax import compute_vat


class InvoiceRepository:
    """Keeps invoices in memory; the production build swaps in PostgreSQL."""

    def __init__(self):
        self._invoices = {}

    def add(self, invoice: Invoice) -> Invoice:
        self._invoices[invoice.number] = invoice
        return invoice

    def get(self, number: str) -> Invoice:
        return self._invoices[number]


def create_invoice(repository: InvoiceRepository, number: str, customer: str, net: int, country: str) -> Invoice:
    vat = compute_vat(net, country)
    return repository.add(Invoice(number=number, customer=customer, net=net, vat=vat, currency="EUR"))


def void_invoice(repository: InvoiceRepository, number: str) -> Invoice:
    invoice = repository.get(number)
    return repository.add(replace(invoice, voided=True))
