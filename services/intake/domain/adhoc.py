"""The ad-hoc dialogue requested by the voters: one signature per voter, 10% of the voters needed."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from services.intake import messages as msg
from services.intake.domain import events
from shared.citizen import age_on, citizen_id_errors
from shared.clock import local_date
from shared.contracts import intake as contract
from shared.contracts.common import OutcomeError, error
from shared.reference import ReferenceData
from shared.text import fmt_time

SHARE = 0.10  # Law 72/2025, Art. 43: at least 10% of the commune's voters
VOTING_AGE = 18


def threshold(voter_count: int) -> int:
    """10% of the voters, rounded up: 10,001 voters need 1,001 signatures."""
    return math.ceil(voter_count * SHARE - 1e-9)


def signature_errors(
    cmd: contract.SignAdhocRequest,
    ref: ReferenceData,
    already: dict[str, Any] | None,
    now: datetime,
) -> list[OutcomeError]:
    """Every reason this signature does not count: not a voter of the commune, signed before,
    or dated later than it was received (a later date could make a 17-year-old a voter)."""
    errors = citizen_id_errors(cmd.citizen_id, cmd.date_of_birth, cmd.gender)
    if cmd.signed_at > now:
        text = msg.SIGNED_LATER.format(at=fmt_time(cmd.signed_at), now=fmt_time(now))
        errors.append(error("data.signed_at", "in_the_future", text))
    age = age_on(cmd.date_of_birth, local_date(cmd.signed_at))
    if age < VOTING_AGE:
        errors.append(
            error("data.date_of_birth", "under_18", msg.TOO_YOUNG_TO_SIGN.format(age=age))
        )
    errors += ref.village_errors(cmd.village_code)
    if already:
        errors.append(
            error(
                "data.citizen_id",
                "already_signed",
                msg.ALREADY_SIGNED.format(request=cmd.request_code),
            )
        )
    return errors


def reached(
    request_code: str, request: dict[str, Any], voter_count: int, now: datetime
) -> events.ThresholdReached | None:
    """The event of a request reaching its threshold with this signature; None before, or after
    it was reached once."""
    needed = threshold(voter_count)
    if request["signatures"] < needed or request.get("threshold_reached_at"):
        return None
    return events.ThresholdReached(request_code, request["signatures"], voter_count, needed, now)
