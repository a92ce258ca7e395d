import hashlib
import hmac


def verify_stripe_signature(payload: bytes, header: str, secret: str) -> bool:
    """Stripe-Signature: t=TIMESTAMP,v1=HEX over "TIMESTAMP.PAYLOAD"."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))
