"""Who may take part: citizen id structure, age on the session date, reference data."""

from datetime import date

import pytest

from services.registration.domain.model import period_start
from shared.citizen import age_on, century_digit, citizen_id_errors
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA


@pytest.mark.parametrize(
    ("year", "gender", "digit"),
    [
        (1985, "male", 0),
        (1985, "female", 1),
        (2004, "male", 2),
        (2004, "female", 3),
        (2100, "male", 4),
    ],
)
def test_century_digit_follows_gender_and_century_of_birth(year, gender, digit):
    assert century_digit(year, gender) == digit


def test_a_well_formed_citizen_id_has_no_errors():
    assert citizen_id_errors("020085012345", date(1985, 4, 12), "male") == []


def test_a_citizen_id_that_is_not_twelve_digits_is_refused():
    (err,) = citizen_id_errors("02008501234X", date(1985, 4, 12), "male")
    assert err.code == "citizen_id_format" and "12 chữ số" in err.message


def test_every_mismatch_in_a_citizen_id_is_named():
    errors = citizen_id_errors("000185012345", date(1986, 4, 12), "male")
    assert {e.code for e in errors} == {
        "citizen_id_province",
        "citizen_id_century",
        "citizen_id_birth_year",
    }


@pytest.mark.parametrize(
    ("prefix", "valid"),
    [("001", True), ("020", True), ("096", True), ("003", False), ("097", False), ("099", False)],
)
def test_the_birth_province_is_one_of_the_closed_list_of_codes(prefix, valid):
    errors = citizen_id_errors(f"{prefix}085012345", date(1985, 4, 12), "male")
    assert (errors == []) is valid
    if not valid:
        assert errors[0].code == "citizen_id_province" and prefix in errors[0].message


def test_age_is_counted_on_the_day_birthdays_included():
    assert age_on(date(2008, 9, 25), date(2026, 9, 25)) == 18
    assert age_on(date(2008, 9, 26), date(2026, 9, 25)) == 17


def test_planned_periods_start_on_their_first_day():
    assert period_start("2026-Q3") == date(2026, 7, 1)
    assert period_start("2026-H2") == date(2026, 7, 1)
    assert period_start("2026-09") == date(2026, 9, 1)
    assert period_start("2026") == date(2026, 1, 1)


def test_shipped_reference_data_has_the_seed_commune_and_26_villages():
    ref = load_reference_data(SHIPPED_REFERENCE_DATA)
    assert ref.commune.name == "Thiện Tân" and ref.commune.province == "Lạng Sơn"
    assert len(ref.villages) == 26
    assert ref.village("LL").name == "Lân Luông" and ref.village("LL").source == "seed"
    assert all(v.source == "placeholder" for v in ref.villages if v.code != "LL")
    assert ref.village_by_name("thôn Lân Luông").code == "LL"
    assert {t.agency for t in ref.topics} <= {a.code for a in ref.agencies}
