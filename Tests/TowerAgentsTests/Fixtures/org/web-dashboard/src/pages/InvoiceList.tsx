import { useEffect, useState } from "react";

type Invoice = { number: string; customer: string; net: number; vat: number; currency: string };

export function InvoiceList() {
  const [invoices, setInvoices] = useState<Invoice[]>([]);
  useEffect(() => {
    fetch("/api/invoices").then((r) => r.json()).then(setInvoices);
  }, []);
  return (
    <table>
      <tbody>
        {invoices.map((invoice) => (
          <tr key={invoice.number}>
            <td>{invoice.number}</td>
            <td>{invoice.customer}</td>
            <td>{(invoice.net + invoice.vat) / 100} {invoice.currency}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
