from flask import Flask, jsonify, request

from .invoices import InvoiceRepository, create_invoice, void_invoice

app = Flask(__name__)
repository = InvoiceRepository()


@app.post("/invoices")
def create_invoice_handler():
    body = request.get_json()
    invoice = create_invoice(repository, body["number"], body["customer"], body["net"], body["country"])
    return jsonify(invoice.to_dict()), 201


@app.get("/invoices/<number>")
def get_invoice_handler(number):
    return jsonify(repository.get(number).to_dict())


@app.post("/invoices/<number>/void")
def void_invoice_handler(number):
    return jsonify(void_invoice(repository, number).to_dict())
