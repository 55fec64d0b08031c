"""Inputs normalised before they are judged: one form for names and numbers, ASCII digits only."""

import unicodedata

import pytest
from pydantic import ValidationError

from shared.citizen import citizen_id_format_errors, phone_errors
from shared.contracts.intake import Submitter
from shared.contracts.registration import RegisterDelegate

BASE = {
    "session_id": "S",
    "full_name": "Hoàng Thị Mai",
    "citizen_id": "020185012345",
    "date_of_birth": "1985-03-15",
    "gender": "female",
    "village_code": "LL",
    "category": "official",
}


def test_a_name_typed_decomposed_is_the_same_name_with_its_spaces_folded():
    decomposed = unicodedata.normalize("NFD", "  Hoàng   Thị Mai ")
    assert decomposed != "Hoàng Thị Mai"
    assert RegisterDelegate(**BASE | {"full_name": decomposed}).full_name == "Hoàng Thị Mai"


@pytest.mark.parametrize("blank", ["", "   ", "\u3000", "\t\n"])
def test_a_blank_name_is_refused(blank):
    with pytest.raises(ValidationError, match="full_name"):
        RegisterDelegate(**BASE | {"full_name": blank})
    with pytest.raises(ValidationError, match="full_name"):
        Submitter(full_name=blank)


def test_full_width_digits_become_ascii_and_other_scripts_stay_refused():
    cmd = RegisterDelegate(
        **BASE | {"citizen_id": "０２０１８５０１２３４５", "phone": "０９１２ ３４５ ６７８"}
    )
    assert cmd.citizen_id == "020185012345" and not citizen_id_format_errors(cmd.citizen_id, "f")
    assert not phone_errors(cmd.phone, "f")
    assert citizen_id_format_errors("٠٢٠١٨٥٠١٢٣٤٥", "f")[0].code == "citizen_id_format"
    assert phone_errors("٠٩١٢٣٤٥٦٧٨", "f")[0].code == "phone_format"


@pytest.mark.parametrize(
    "phone", ["0912 345 678", "0912.345.678", "+84912345678", "84912345678", "(0912)345-678"]
)
def test_phones_written_with_separators_pass_one_rule(phone):
    assert not phone_errors(phone, "data.phone")


@pytest.mark.parametrize("phone", ["12345", "0912abc678", "+8491234567890", "0912 345 67"])
def test_phones_that_are_not_numbers_are_refused_with_the_field_named(phone):
    (error,) = phone_errors(phone, "data.phone")
    assert error.field == "data.phone" and "0–9" in error.message


def test_a_registration_code_cannot_be_guessed_from_its_neighbour():
    from services.registration.domain.delegates import CODE_ALPHABET, registration_code

    codes = [registration_code("TT-2026-DK1", 42) for _ in range(200)]
    assert all(c.startswith("TT-2026-DK1-042-") for c in codes)
    assert len(set(codes)) > 190  # 25^5 possibilities each
    assert all(set(c.rsplit("-", 1)[1]) <= set(CODE_ALPHABET) for c in codes)
