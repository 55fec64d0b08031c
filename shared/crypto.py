"""Personal data at rest: authenticated encryption (AES-GCM) and keyed hashes for look-ups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"


class DataKeyError(ValueError):
    """The data key from the environment is not 32 bytes of base64."""


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts single fields; the keyed hash lets a service find a record without the clear value."""

    key: bytes

    @classmethod
    def from_base64(cls, encoded: str) -> FieldCipher:
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise DataKeyError("NGHEDAN_DATA_KEY không phải base64 hợp lệ") from exc
        if len(key) != 32:
            raise DataKeyError("NGHEDAN_DATA_KEY phải là 32 byte (mã hoá base64)")
        return cls(key)

    def _subkey(self, purpose: bytes) -> bytes:
        return hmac.new(self.key, purpose, hashlib.sha256).digest()

    def seal(self, plain: bytes, *, context: str) -> bytes:
        nonce = os.urandom(12)
        return (
            _VERSION
            + nonce
            + AESGCM(self._subkey(b"encrypt")).encrypt(nonce, plain, context.encode())
        )

    def unseal(self, sealed: bytes, *, context: str) -> bytes:
        nonce, body = sealed[1:13], sealed[13:]
        return AESGCM(self._subkey(b"encrypt")).decrypt(nonce, body, context.encode())

    def encrypt(self, plain: str | None, *, context: str) -> bytes | None:
        return None if plain is None else self.seal(plain.encode("utf-8"), context=context)

    def decrypt(self, sealed: bytes | None, *, context: str) -> str | None:
        return None if sealed is None else self.unseal(sealed, context=context).decode("utf-8")

    def keyed_hash(self, value: str, *, purpose: str) -> str:
        mac = hmac.new(self._subkey(b"lookup"), f"{purpose}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()
