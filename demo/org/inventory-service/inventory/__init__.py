"""inventory-service: prices and order totals."""
