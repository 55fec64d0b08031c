"""Keys for tests: the development ones, or keys planted to be searched for."""

from __future__ import annotations

import base64
import os

from shared.crypto import FieldCipher
from shared.settings import ServiceSettings, cipher_for

# Planted keys: made afresh for each run (a key written in the repository would be a published
# one, refused outside development), so a test can search logs and files for them in every form.
PLANTED_DATA_KEY = base64.b64encode(b"PLANTED-" + os.urandom(24)).decode()
PLANTED_LOOKUP_KEY = base64.b64encode(b"PLANTED-" + os.urandom(24)).decode()


def cipher_of(service: str, **keys: str) -> FieldCipher:
    """A service's cipher from settings (the development keys unless keys are given)."""
    settings = ServiceSettings(NGHEDAN_DEVELOPMENT=not keys, **keys)
    return cipher_for(settings, service)


def forms_of(encoded: str) -> list[str]:
    """Every way a key could be written out: base64, hex, Python's bytes repr."""
    raw = base64.b64decode(encoded)
    return [encoded, raw.hex(), repr(raw)[2:-1], raw.decode("latin-1")]
