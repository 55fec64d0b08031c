"""The 10% rule: who may sign, and how many signatures are needed."""

from datetime import date

from services.intake.domain.adhoc import signature_errors, threshold
from shared.contracts import intake as c
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

REF = load_reference_data(SHIPPED_REFERENCE_DATA)
SIGNED = vn(2026, 10, 2, 15, 0)


def signature(**overrides) -> c.SignAdhocRequest:
    fields = {
        "request_code": "TT-2026-YC1",
        "full_name": "Nông Văn Tài",
        "citizen_id": "020078034567",
        "date_of_birth": date(1978, 11, 3),
        "gender": "male",
        "village_code": "T05",
        "signed_at": SIGNED,
    }
    fields.update(overrides)
    return c.SignAdhocRequest(**fields)


def test_ten_percent_of_the_voters_rounded_up():
    assert threshold(10_000) == 1_000
    assert threshold(10_001) == 1_001
    assert threshold(25) == 3


def test_a_voter_of_the_commune_signs_once():
    assert signature_errors(signature(), REF, None, SIGNED) == []
    (err,) = signature_errors(signature(), REF, {"signed_at": SIGNED}, SIGNED)
    assert err.code == "already_signed" and "02/10" not in err.message  # not when they signed


def test_a_signature_dated_later_than_it_came_is_refused():
    # 17 on the day it came (2/10/2026), 18 on the date written: the later date may not count
    young = signature(citizen_id="020208001234", date_of_birth=date(2008, 10, 20))
    later = young.model_copy(update={"signed_at": SIGNED.replace(month=11)})
    codes = {e.code for e in signature_errors(later, REF, None, SIGNED)}
    assert codes == {"in_the_future"}
    assert {e.code for e in signature_errors(young, REF, None, SIGNED)} == {"under_18"}


def test_someone_who_is_not_a_voter_of_the_commune_cannot_sign():
    young = signature(citizen_id="020209001234", date_of_birth=date(2009, 1, 1), village_code="XX")
    codes = {e.code for e in signature_errors(young, REF, None, SIGNED)}
    assert codes == {"under_18", "unknown_village"}
    wrong = signature(citizen_id="020178034567")  # the 4th digit says a woman
    assert [e.code for e in signature_errors(wrong, REF, None, SIGNED)] == ["citizen_id_century"]
