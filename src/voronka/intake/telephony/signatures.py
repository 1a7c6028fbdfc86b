"""Signature checks of the telephony providers (constant-time comparisons)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def mango_sign(api_key: str, json_text: str, salt: str) -> str:
    """MANGO OFFICE: sha256(api_key + json + salt), hex."""
    return hashlib.sha256(f"{api_key}{json_text}{salt}".encode()).hexdigest()


def zadarma_sign(secret: str, message: str) -> str:
    """Zadarma: base64 of the hex HMAC-SHA1 of the concatenated fields."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def generic_sign(secret: str, body: bytes) -> str:
    """Our generic webhook: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signatures_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.lower(), str(given).strip().lower())
