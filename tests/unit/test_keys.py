"""Keys: refused when missing or published, derived per service and purpose, named in every value."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag

from shared.crypto import DataKeyError, UnknownKeyError, new_key, sealed_key_id
from shared.settings import (
    DEVELOPMENT_DATA_KEY,
    DEVELOPMENT_LOOKUP_KEY,
    ServiceSettings,
    cipher_for,
)
from tests.keys import PLANTED_DATA_KEY, PLANTED_LOOKUP_KEY, cipher_of, forms_of

PRODUCTION = {"NGHEDAN_DEVELOPMENT": False}


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        ({}, "NGHEDAN_DATA_KEY chưa được đặt"),
        ({"NGHEDAN_DATA_KEY": "", "NGHEDAN_LOOKUP_KEY": ""}, "NGHEDAN_DATA_KEY chưa được đặt"),
        ({"NGHEDAN_DATA_KEY": "   ", "NGHEDAN_LOOKUP_KEY": new_key()}, "chưa được đặt"),
        ({"NGHEDAN_DATA_KEY": new_key()}, "NGHEDAN_LOOKUP_KEY chưa được đặt"),
        (
            {"NGHEDAN_DATA_KEY": DEVELOPMENT_DATA_KEY, "NGHEDAN_LOOKUP_KEY": new_key()},
            "khoá phát triển",
        ),
        (
            {"NGHEDAN_DATA_KEY": new_key(), "NGHEDAN_LOOKUP_KEY": DEVELOPMENT_LOOKUP_KEY},
            "khoá phát triển",
        ),
        ({"NGHEDAN_DATA_KEY": "CHANGE-ME", "NGHEDAN_LOOKUP_KEY": new_key()}, "base64"),
        ({"NGHEDAN_DATA_KEY": PLANTED_DATA_KEY, "NGHEDAN_LOOKUP_KEY": PLANTED_DATA_KEY}, "khác"),
    ],
)
def test_outside_development_a_missing_empty_or_published_key_is_refused(keys, says):
    with pytest.raises(DataKeyError, match=says):
        cipher_for(ServiceSettings(**PRODUCTION, **keys), "registration")


def test_the_development_switch_allows_the_published_keys_and_only_it():
    assert cipher_for(ServiceSettings(NGHEDAN_DEVELOPMENT=True), "intake").key_id
    own = {"NGHEDAN_DATA_KEY": PLANTED_DATA_KEY, "NGHEDAN_LOOKUP_KEY": PLANTED_LOOKUP_KEY}
    assert cipher_for(ServiceSettings(**PRODUCTION, **own), "intake").key_id


def test_no_repr_or_str_of_a_cipher_or_the_settings_holds_a_key():
    own = {"NGHEDAN_DATA_KEY": PLANTED_DATA_KEY, "NGHEDAN_LOOKUP_KEY": PLANTED_LOOKUP_KEY}
    settings = ServiceSettings(**PRODUCTION, **own)
    cipher = cipher_for(settings, "registration")
    shown = " ".join([repr(cipher), str(cipher), repr(settings), str(settings), repr(vars(cipher))])
    for secret in (PLANTED_DATA_KEY, PLANTED_LOOKUP_KEY):
        for form in forms_of(secret):
            assert form not in shown
    assert "registration" in repr(cipher) and cipher.key_id in repr(cipher)


def test_each_service_has_its_own_keys_derived_from_the_same_master():
    intake, reporting = cipher_of("intake"), cipher_of("reporting")
    sealed = intake.encrypt("Nông Văn Tố Cáo", context="intake:TT-1:full_name")
    with pytest.raises(InvalidTag):
        reporting.decrypt(sealed, context="intake:TT-1:full_name")
    assert intake.keyed_hash("020085012345", purpose="citizen_id") != reporting.keyed_hash(
        "020085012345", purpose="citizen_id"
    )


def test_the_lookup_key_is_not_the_sealing_key():
    one = cipher_of("intake", NGHEDAN_DATA_KEY=new_key(), NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY)
    two = cipher_of("intake", NGHEDAN_DATA_KEY=new_key(), NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY)
    # a new data key changes no look-up hash, so a rotation keeps every look-up working
    assert one.keyed_hash("x", purpose="p") == two.keyed_hash("x", purpose="p")
    assert one.key_id != two.key_id


def test_every_sealed_value_names_its_key_and_old_values_open_during_a_rotation():
    old_key, new = new_key(), new_key()
    old = cipher_of("registration", NGHEDAN_DATA_KEY=old_key, NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY)
    sealed = old.encrypt("0912345678", context="registration:R1:phone")
    assert sealed_key_id(sealed) == old.key_id
    during = cipher_of(
        "registration",
        NGHEDAN_DATA_KEY=new,
        NGHEDAN_RETIRED_DATA_KEYS=f"{new_key()}, {old_key}",
        NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY,
    )
    assert during.decrypt(sealed, context="registration:R1:phone") == "0912345678"
    fresh = during.reseal(sealed)
    assert fresh is not None and sealed_key_id(fresh) == during.key_id != old.key_id
    assert during.reseal(fresh) is None  # already under the current key
    assert during.decrypt(fresh, context="registration:R1:phone") == "0912345678"
    after = cipher_of("registration", NGHEDAN_DATA_KEY=new, NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY)
    assert after.decrypt(fresh, context="registration:R1:phone") == "0912345678"
    with pytest.raises(UnknownKeyError, match=old.key_id):
        after.decrypt(sealed, context="registration:R1:phone")


def test_a_key_id_says_nothing_of_the_key():
    cipher = cipher_of("registration")
    assert len(cipher.key_id) == 8
    assert cipher.key_id not in base64.b64decode(DEVELOPMENT_DATA_KEY).hex()


def _written_in_the_repository() -> list[str]:
    """Every 32-byte key written out in the project's own files (code, docs, deployment)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = set()
    for folder in ("shared", "services", "tests", "docs", "deploy", "tools"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".md", ".yaml", ".yml", ".example", ""):
                text = path.read_text("utf-8", "replace")
                found |= set(re.findall(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=", text))
    found |= set(re.findall(r"[A-Za-z0-9+/]{43}=", (root / "README.md").read_text("utf-8")))
    return sorted(k for k in found if len(base64.b64decode(k)) == 32)


def test_no_key_written_in_the_repository_opens_a_service_outside_development():
    written = _written_in_the_repository()
    assert DEVELOPMENT_DATA_KEY in written  # the search sees the keys it must
    for key in written:
        for variable in ("NGHEDAN_DATA_KEY", "NGHEDAN_LOOKUP_KEY", "NGHEDAN_RETIRED_LOOKUP_KEYS"):
            keys = {"NGHEDAN_DATA_KEY": new_key(), "NGHEDAN_LOOKUP_KEY": new_key(), variable: key}
            with pytest.raises(DataKeyError, match=r"khoá phát triển|đọc được như chữ"):
                cipher_for(ServiceSettings(**PRODUCTION, **keys), "intake")
    phrase = base64.b64encode(b"khoa-cua-xa-thien-tan-2026-bimat").decode()
    with pytest.raises(DataKeyError, match="đọc được như chữ"):
        cipher_for(
            ServiceSettings(**PRODUCTION, NGHEDAN_DATA_KEY=phrase, NGHEDAN_LOOKUP_KEY=new_key()),
            "intake",
        )


def test_after_a_lookup_key_rotation_what_was_written_before_is_still_found():
    old, new = new_key(), new_key()
    data = new_key()
    before = cipher_of("intake", NGHEDAN_DATA_KEY=data, NGHEDAN_LOOKUP_KEY=old)
    rotated = cipher_of(
        "intake", NGHEDAN_DATA_KEY=data, NGHEDAN_LOOKUP_KEY=new, NGHEDAN_RETIRED_LOOKUP_KEYS=old
    )
    forgotten = cipher_of("intake", NGHEDAN_DATA_KEY=data, NGHEDAN_LOOKUP_KEY=new)
    written = before.keyed_hash("020190123456", purpose="citizen_id")
    assert (
        rotated.keyed_hash("020190123456", purpose="citizen_id") != written
    )  # new records: new key
    assert written in rotated.keyed_hashes("020190123456", purpose="citizen_id")
    assert written not in forgotten.keyed_hashes("020190123456", purpose="citizen_id")
