"""Citizen ids (CCCD) and ages, as every service that meets a person checks them."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import phonenumbers
import yaml

from shared import vi as msg
from shared.contracts.common import OutcomeError

_DIGITS = re.compile(r"[0-9]{12}")  # ASCII only: `\d` would take any script's digits
MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
BIRTH_PROVINCES = Path(__file__).parent / "reference_data" / "birth-provinces.yaml"


@lru_cache(maxsize=1)
def birth_province_codes() -> dict[str, str]:
    """The closed list of the CCCD's first three digits (where the birth was registered)."""
    with open(BIRTH_PROVINCES, encoding="utf-8") as handle:
        return {str(code): name for code, name in yaml.safe_load(handle).items()}


_WRITTEN_PHONE = re.compile(r"\+?[0-9]+")  # ASCII digits only: the library takes any script's


def _vietnamese(text: str) -> phonenumbers.PhoneNumber | None:
    """A Vietnamese number as Google's libphonenumber knows the numbering plan (mobile prefixes,
    landlines by province, 0, 84 or +84 in front), or None."""
    written = normalise_phone(text)
    if not _WRITTEN_PHONE.fullmatch(written):
        return None
    try:
        number = phonenumbers.parse(written, "VN")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.region_code_for_number(number) != "VN":
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_errors(phone: str | None, field: str) -> list[OutcomeError]:
    """One phone rule for every service: a Vietnamese mobile or landline, separators aside."""
    if phone is None or _vietnamese(phone) is not None:
        return []
    return [OutcomeError(field=field, message=msg.PHONE_FORMAT, code="phone_format")]


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_errors(email: str | None, field: str) -> list[OutcomeError]:
    """One email rule for every service: something@somewhere.tld, no spaces."""
    if not email or EMAIL.match(email):
        return []
    return [OutcomeError(field=field, message=msg.EMAIL_FORMAT, code="email_format")]


def citizen_id_format_errors(citizen_id: str | None, field: str) -> list[OutcomeError]:
    if citizen_id is None or _DIGITS.fullmatch(citizen_id):
        return []
    return [OutcomeError(field=field, message=msg.CITIZEN_ID_DIGITS, code="citizen_id_format")]


def mobile_number(text: str | None) -> str | None:
    """A Vietnamese mobile number in international form (84xxxxxxxxx) — what SMS and Zalo need —
    or None if it is not one (a landline passes `phone_errors` but cannot take a text)."""
    number = _vietnamese(text) if text else None
    if number is None or phonenumbers.number_type(number) not in MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).removeprefix("+")


def normalise_phone(phone: str) -> str:
    """`0912 345.678` -> `0912345678`: the digits (and a leading +) as written, without separators."""
    return re.sub(r"[\s.\-()]", "", phone)


def century_digit(birth_year: int, gender: str) -> int:
    """The CCCD's 4th digit: 0/1 for men/women born 1900-1999, 2/3 for 2000-2099, and so on."""
    century_index = (birth_year - 1900) // 100
    return century_index * 2 + (1 if gender == "female" else 0)


def citizen_id_errors(citizen_id: str, date_of_birth: date, gender: str) -> list[OutcomeError]:
    field = "data.citizen_id"
    if not _DIGITS.fullmatch(citizen_id):
        return citizen_id_format_errors(citizen_id, field)
    errors = []
    if citizen_id[:3] not in birth_province_codes():
        text = msg.CITIZEN_ID_PROVINCE.format(code=citizen_id[:3])
        errors.append(OutcomeError(field=field, message=text, code="citizen_id_province"))
    expected = century_digit(date_of_birth.year, gender)
    if 0 <= expected <= 9 and int(citizen_id[3]) != expected:
        errors.append(
            OutcomeError(
                field=field,
                code="citizen_id_century",
                message=(
                    msg.CITIZEN_ID_CENTURY.format(
                        digit=citizen_id[3],
                        year=date_of_birth.year,
                        gender=msg.GENDER_VI[gender],
                        expected=expected,
                    )
                ),
            )
        )
    if citizen_id[4:6] != f"{date_of_birth.year % 100:02d}":
        errors.append(
            OutcomeError(
                field=field,
                code="citizen_id_birth_year",
                message=(
                    msg.CITIZEN_ID_YEAR.format(digits=citizen_id[4:6], year=date_of_birth.year)
                ),
            )
        )
    return errors


def age_on(date_of_birth: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (1 if before_birthday else 0)
