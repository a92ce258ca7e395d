"""The HTTP API: POST /orders/total with {"lines": [{"sku": "...", "quantity": 1}]}."""

import json
from http.server import BaseHTTPRequestHandler, HTTPServer

from inventory.pricing import order_total


def handle_total(body: bytes) -> tuple[int, dict]:
    """The answer to POST /orders/total: an HTTP status and a JSON object."""
    try:
        request = json.loads(body)
        lines = [(line["sku"], int(line["quantity"])) for line in request["lines"]]
        return 200, {"total_cents": order_total(lines)}
    except (ValueError, KeyError, TypeError) as error:
        return 400, {"error": str(error)}


class Handler(BaseHTTPRequestHandler):
    """Serves the API; anything but POST /orders/total is 404."""

    def do_POST(self):
        if self.path != "/orders/total":
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        status, answer = handle_total(self.rfile.read(length))
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 8080), Handler).serve_forever()
