"""Who a message is from, as a consumer decides it: the broker-verified user, exchange and routing
key, checked against the topology; and for a dead letter the operator replays, only the origin
the parking service sealed with that very body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from shared.crypto import new_key
from shared.messaging.authorise import Gate, Origin
from shared.messaging.headers import ORIGIN, SENDER
from shared.messaging.senders import Senders
from shared.messaging.topology import QUEUES_BY_NAME
from tests.keys import cipher_of

CIPHER = cipher_of("reporting", NGHEDAN_DATA_KEY=new_key(), NGHEDAN_LOOKUP_KEY=new_key())
SENDERS = Senders(frozenset(), {"mot_cua": frozenset({"intake.submit-issue.v1"})})
BODY = b'{"specversion": "1.0"}'


@dataclass
class Raw:
    user_id: str | None
    exchange: str
    routing_key: str
    body: bytes = BODY
    headers: dict[str, Any] = field(default_factory=dict)


def pipeline(queue: str) -> Gate:
    """The authorise stage of a queue's pipeline, alone."""
    return Gate(QUEUES_BY_NAME[queue].name, CIPHER, SENDERS)


def test_an_event_counts_only_from_its_owner_on_its_exchange_under_its_own_key():
    reporting = pipeline("reporting.events")
    key = "intake.issue.summary-approved.v1"

    def refused(raw: Raw) -> str | None:
        found = reporting.refusal(reporting.origin(cast(Any, raw)), key)
        return found["code"] if found else None

    assert refused(Raw("intake", "nghedan.events", key)) is None
    assert refused(Raw("registration", "nghedan.events", key)) == "forged"
    assert refused(Raw(None, "nghedan.events", key)) == "forged"
    assert refused(Raw("intake", "", "reporting.events")) == "wrong_route"
    assert refused(Raw("intake", "nghedan.events", "intake.issue.received.v1")) == "wrong_route"
    assert refused(Raw("intake", "nghedan.inbound", key)) == "wrong_route"
    assert (
        reporting.refusal(
            Origin("mot_cua", "nghedan.inbound", "intake.submit-issue.v1"), "intake.submit-issue.v1"
        )
        is None
    )
    assert (
        reporting.refusal(
            Origin("intake", "nghedan.inbound", "intake.submit-issue.v1"), "intake.submit-issue.v1"
        )["code"]
        == "not_permitted"
    )


def test_a_replayed_letter_stands_for_its_first_sending_only_as_sealed_with_its_body():
    reporting = pipeline("reporting.events")
    key = "intake.issue.received.v1"
    first = Origin("intake", "nghedan.events", key)
    sealed = reporting.sealed_origin(first, BODY)
    headers = {ORIGIN: sealed, SENDER: "intake"}

    def seen(raw: Raw) -> Origin:
        return reporting.origin(cast(Any, raw))

    assert (
        seen(Raw("operator", "", "reporting.events", headers=headers)) == first
    )  # replayed by the operator
    assert reporting.refusal(first, key) is None  # and so it goes through
    changed = Raw("operator", "", "reporting.events", body=BODY + b" ", headers=headers)
    assert seen(changed).sender == "operator"  # another body: not the letter that was parked
    assert (
        seen(Raw("registration", "", "reporting.events", headers=headers)).sender == "registration"
    )
    other = pipeline("intake.events").sealed_origin(first, BODY)  # sealed for another queue
    assert (
        seen(Raw("operator", "", "reporting.events", headers={ORIGIN: other})).sender == "operator"
    )
    claimed = {SENDER: "intake", "x-nghedan-routing-key": key}  # headers anyone may write
    assert seen(Raw("operator", "", "reporting.events", headers=claimed)).exchange == ""


def test_the_services_broker_users_are_read_with_spaces_and_a_wrong_name_is_refused():
    import pytest

    from shared.messaging.senders import SendersError, parse_service_users

    assert parse_service_users("intake = nd_intake, reporting=nd_reporting") == {
        "intake": "nd_intake",
        "reporting": "nd_reporting",
    }
    with pytest.raises(SendersError, match="intak"):
        parse_service_users("intak=x")
