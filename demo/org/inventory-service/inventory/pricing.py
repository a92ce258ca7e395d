"""Prices and order totals, in integer cents."""

PRICES_CENTS = {"SKU-APPLE": 120, "SKU-BREAD": 349, "SKU-COFFEE": 1099}


def line_total(sku: str, quantity: int) -> int:
    """The price of `quantity` items of `sku`, in cents."""
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    try:
        return PRICES_CENTS[sku] * quantity
    except KeyError:
        raise ValueError(f"unknown SKU {sku!r}") from None


def order_total(lines: list[tuple[str, int]]) -> int:
    """The total of an order's lines, in cents."""
    return sum(line_total(sku, quantity) for sku, quantity in lines)
