"""Value-added tax by country. Rates are percentages of the net amount in cents."""

VAT_RATES = {
    "DE": 19,
    "FR": 20,
    "NL": 21,
    "IE": 23,
}


def compute_vat(net_cents: int, country: str) -> int:
    """The VAT on a net amount, rounded half up to the cent."""
    rate = VAT_RATES.get(country.upper())
    if rate is None:
        raise ValueError(f"no VAT rate for {country}")
    return (net_cents * rate + 50) // 100
