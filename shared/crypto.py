"""Personal data at rest: per-service sealing keys with ids and rotation, and keyed look-up hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A sealed value: version, id of the key that sealed it, its context (also the AEAD's associated
# data, kept so that a rotation can re-seal any value without knowing where it came from), nonce,
# ciphertext and tag.
_VERSION = 2
_HEADER = struct.Struct(">B4sH")
_NONCE = 12


class DataKeyError(ValueError):
    """A key from the environment is missing, malformed, or not allowed here."""


class UnknownKeyError(ValueError):
    """A sealed value names a key this process does not hold (retired too early, or another's)."""


def decode_key(encoded: str, *, variable: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except ValueError as exc:
        raise DataKeyError(f"{variable} không phải base64 hợp lệ") from exc
    if len(key) != 32:
        raise DataKeyError(f"{variable} phải là 32 byte ngẫu nhiên (mã hoá base64)")
    return key


def _derive(master: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()).derive(master)


def key_id_of(master: bytes) -> str:
    """A key's public name (8 hex digits): says which key sealed a value, reveals nothing of it."""
    return _derive(master, "nghedan/key-id").hex()[:8]


def new_key() -> str:
    """32 random bytes in base64: a fresh NGHEDAN_DATA_KEY or NGHEDAN_LOOKUP_KEY."""
    return base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class _SealingKey:
    key_id: bytes
    aead: AESGCM = field(repr=False)


@dataclass(frozen=True, repr=False)
class FieldCipher:
    """One service's keys: the current sealing key, the retired ones that still open, the look-up key.

    Every key is derived (HKDF) for this service and purpose only, so a value sealed by intake does
    not open in reporting, and a look-up hash in one database matches nothing in another. No key
    ever appears in a repr, a log line or an exception.
    """

    service: str
    _current: _SealingKey = field(repr=False)
    _all: dict[bytes, _SealingKey] = field(repr=False)
    _lookups: tuple[bytes, ...] = field(repr=False)  # the current look-up key first, then retired

    @classmethod
    def for_service(
        cls,
        service: str,
        data_key: bytes,
        *,
        lookup_key: bytes,
        retired: Iterable[bytes] = (),
        retired_lookups: Iterable[bytes] = (),
    ) -> FieldCipher:
        def sealing(master: bytes) -> _SealingKey:
            key_id = bytes.fromhex(key_id_of(master))
            return _SealingKey(key_id, AESGCM(_derive(master, f"nghedan/{service}/seal")))

        current = sealing(data_key)
        ring = {k.key_id: k for k in map(sealing, retired)} | {current.key_id: current}
        lookups = tuple(
            _derive(k, f"nghedan/{service}/lookup") for k in (lookup_key, *retired_lookups)
        )
        return cls(service, current, ring, lookups)

    def __repr__(self) -> str:
        return f"FieldCipher(service={self.service!r}, key_id={self.key_id!r})"

    @property
    def key_id(self) -> str:
        return self._current.key_id.hex()

    def seal(self, plain: bytes, *, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        ctx = context.encode()
        sealed = self._current.aead.encrypt(nonce, plain, ctx)
        return _HEADER.pack(_VERSION, self._current.key_id, len(ctx)) + ctx + nonce + sealed

    def unseal(self, sealed: bytes, *, context: str | None = None) -> bytes:
        """Open a value; with `context`, only if it was sealed for that context."""
        key_id, ctx, nonce, body = _parse(sealed)
        if context is not None and ctx != context.encode():
            raise InvalidTag("sealed for another context")
        key = self._all.get(key_id)
        if key is None:
            raise UnknownKeyError(f"khoá {key_id.hex()} không có trong NGHEDAN_DATA_KEY(S)")
        return key.aead.decrypt(nonce, body, ctx)

    def reseal(self, sealed: bytes) -> bytes | None:
        """The value sealed again under the current key, or None when it already is."""
        key_id, ctx, _nonce, _body = _parse(sealed)
        if key_id == self._current.key_id:
            return None
        return self.seal(self.unseal(sealed), context=ctx.decode())

    def encrypt(self, plain: str | None, *, context: str) -> bytes | None:
        return None if plain is None else self.seal(plain.encode("utf-8"), context=context)

    def decrypt(self, sealed: bytes | None, *, context: str) -> str | None:
        return None if sealed is None else self.unseal(sealed, context=context).decode("utf-8")

    def keyed_hash(self, value: str, *, purpose: str) -> str:
        """The look-up hash a record is written with: under the current look-up key."""
        return self.keyed_hashes(value, purpose=purpose)[0]

    def keyed_hashes(self, value: str, *, purpose: str) -> list[str]:
        """Every hash `value` may have been written with: the current key's first, then each
        retired key's (NGHEDAN_RETIRED_LOOKUP_KEYS), so a look-up finds records made before a
        rotation."""
        text = f"{purpose}:{value}".encode()
        return [hmac.new(k, text, hashlib.sha256).hexdigest() for k in self._lookups]


def sealed_key_id(value: bytes) -> str | None:
    """The id of the key that sealed `value`, or None when it is not a sealed value of ours."""
    try:
        return _parse(value)[0].hex()
    except ValueError:
        return None


def _parse(sealed: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    if len(sealed) < _HEADER.size + _NONCE + 16 or sealed[0] != _VERSION:
        raise ValueError("không phải giá trị đã mã hoá của Nghe Dân")
    _version, key_id, ctx_len = _HEADER.unpack_from(sealed)
    start = _HEADER.size
    ctx = sealed[start : start + ctx_len]
    nonce = sealed[start + ctx_len : start + ctx_len + _NONCE]
    body = sealed[start + ctx_len + _NONCE :]
    if len(nonce) != _NONCE or len(body) < 16:
        raise ValueError("giá trị đã mã hoá bị cắt cụt")
    return key_id, bytes(ctx), bytes(nonce), bytes(body)
