"""A village head's contact as the commune office keeps it: the rules a new version must meet."""

from __future__ import annotations

from services.registration import messages as msg
from shared.citizen import email_errors, phone_errors
from shared.contracts import registration as contract
from shared.contracts.common import OutcomeError, error
from shared.reference import ReferenceData


def head_errors(cmd: contract.SetVillageHead, ref: ReferenceData) -> list[OutcomeError]:
    """A village of the commune, a way to reach its head (a phone or an email), each well-formed."""
    errors: list[OutcomeError] = []
    if ref.village(cmd.village_code) is None:
        unknown = msg.UNKNOWN_VILLAGE.format(village=cmd.village_code)
        errors.append(error("data.village_code", "unknown_village", unknown))
    if not cmd.head_phone and not cmd.head_email:
        errors.append(error("data.head_phone", "no_contact", msg.HEAD_NO_CONTACT))
    errors += phone_errors(cmd.head_phone, "data.head_phone")
    errors += email_errors(cmd.head_email, "data.head_email")
    return errors
