"""inventory-client: the Python client of inventory-service."""

from inventory_client.client import InventoryClient

__all__ = ["InventoryClient"]
