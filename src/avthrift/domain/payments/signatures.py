"""Webhook signatures (contract §9): `X-Signature` is the lowercase hex HMAC-SHA256 of the raw body
keyed with `PAYMENT_WEBHOOK_SECRET`, compared in constant time."""

import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def valid_signature(secret: str, body: bytes, signature: str | None) -> bool:
    """False for a missing signature or an unset secret (a webhook must never be open)."""
    if not secret or signature is None:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), signature.encode("ascii", "replace"))
