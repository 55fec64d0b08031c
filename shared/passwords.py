"""Operators' passwords kept as scrypt hashes (the standard library's), in one line of settings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1
# The dashboard's roles: viewer reads every page and its JSON; api reads the JSON under /api/.
DASHBOARD_ROLES = ("viewer", "api")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """`scrypt.<salt>.<hash>`: no `$` or `:`, so it sits in a compose .env file as it is."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt.{_b64(salt)}.{_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split(".")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=_N, r=_R, p=_P, dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(given, _unb64(digest))
