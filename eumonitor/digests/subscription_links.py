"""Signed personal links to "Mine varsler": a token naming one digest and one address, unforgeable without the key."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

# Separates the token's purpose from any other use of the web app's secret key.
PURPOSE = b"eumonitor mine-varsler v1\n"


def make_token(secret: str, digest_id: str, email: str) -> str:
    """`<payload>.<signature>`, both URL-safe base64; the payload is the digest id and the address."""
    return sign(secret, PURPOSE, f"{digest_id}\n{email.lower()}".encode())


def read_token(secret: str, token: str) -> tuple[str, str] | None:
    """(digest id, address) of a genuine token; None for a forged, altered or malformed one."""
    payload = unsign(secret, PURPOSE, token)
    if payload is None:
        return None
    digest_id, _, email = payload.decode("utf-8", "replace").partition("\n")
    return (digest_id, email) if digest_id and email else None


def sign(secret: str, purpose: bytes, payload: bytes) -> str:
    """A token for one purpose: the payload and its HMAC, URL-safe; a token made for one purpose fails another."""
    return f"{_b64(payload)}.{_b64(_signature(secret, payload, purpose))}"


def unsign(secret: str, purpose: bytes, token: str) -> bytes | None:
    """The payload of a genuine token for `purpose`; None for a forged, altered or malformed one."""
    if not secret or token.count(".") != 1:
        return None
    encoded, signature = token.split(".")
    try:
        payload = _unb64(encoded)
    except ValueError:
        return None
    # Compared as text, not decoded bytes: base64 ignores the last character's spare bits, so several
    # spellings decode to one signature; only the one this code writes is genuine.
    expected = _b64(_signature(secret, payload, purpose))
    return payload if hmac.compare_digest(signature.encode(), expected.encode()) else None


def manage_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/mine-varsler/{quote(token)}"


def unsubscribe_url(base_url: str, token: str) -> str:
    """The RFC 8058 one-click target: a POST here unsubscribes, with no login and no form."""
    return manage_url(base_url, token) + "/avmeld"


def _signature(secret: str, payload: bytes, purpose: bytes = PURPOSE) -> bytes:
    return hmac.new(secret.encode(), purpose + payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("bad base64") from exc
