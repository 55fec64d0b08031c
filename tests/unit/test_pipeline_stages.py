"""The pipeline's stages, each alone: parse, dispatch's choice of what applies a message, and
park (retry, or keep with its reason and answer). Authorise has its own file (test_origin.py);
the pipeline as a whole is judged over the real broker and database in tests/integration."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from shared.clock import FixedClock
from shared.contracts.envelope import new_event, to_structured
from shared.crypto import new_key
from shared.messaging import parse
from shared.messaging.authorise import Gate
from shared.messaging.dispatch import Dispatcher
from shared.messaging.headers import ORIGIN, SEALED
from shared.messaging.park import DeadLetters
from shared.messaging.topology import QUEUES_BY_NAME
from tests.keys import cipher_of
from tests.when import vn

CIPHER = cipher_of("intake", NGHEDAN_DATA_KEY=new_key(), NGHEDAN_LOOKUP_KEY=new_key())
QUEUE = QUEUES_BY_NAME["intake.commands"]
KEY = "intake.submit-issue.v1"


@dataclass
class Raw:
    body: bytes
    reply_to: str | None = None
    content_type: str | None = "application/cloudevents+json"
    headers: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = "mot_cua"
    exchange: str = "nghedan.inbound"
    routing_key: str = KEY
    message_id: str | None = "m-1"
    correlation_id: str | None = None


def command(data: dict[str, Any] | None = None) -> bytes:
    given = {
        "channel": "letter",
        "kind": "feedback",
        "village_code": "LL",
        "content": "Đèn đường thôn Lạc Lâm hỏng",
        "received_at": "2026-09-01T09:00:00+07:00",
    }
    return to_structured(new_event(KEY, given if data is None else data, source="/test"))


def as_raw(raw: Raw) -> Any:
    return cast(Any, raw)


# --- parse -------------------------------------------------------------------------------------


def test_parse_reads_a_structured_cloudevent_and_validates_its_data_by_its_type():
    event = parse.read(command(), as_raw(Raw(command())), 10_000)
    assert event.type == "vn.nghedan.intake.submit-issue.v1"
    assert parse.validated(KEY, event).village_code == "LL"  # type: ignore[attr-defined]


def test_parse_refuses_an_oversized_body_without_keeping_it():
    with pytest.raises(parse.Malformed) as refused:
        parse.read(b"x" * 101, as_raw(Raw(b"")), 100)
    assert refused.value.errors[0]["code"] == "oversized" and refused.value.keep_body is False


def test_parse_refuses_a_reply_queue_that_is_not_a_clients_own():
    raw = Raw(command(), reply_to="registration.commands")
    with pytest.raises(parse.Malformed) as refused:
        parse.read(raw.body, as_raw(raw), 10_000)
    assert refused.value.errors[0]["code"] == "reply_to_refused"


def test_parse_names_what_is_wrong_with_a_body_that_is_no_cloudevent():
    with pytest.raises(parse.Malformed) as refused:
        parse.read(b"{not json", as_raw(Raw(b"{not json")), 10_000)
    assert refused.value.errors and refused.value.event is None


def test_parse_names_each_field_of_invalid_data_and_keeps_the_event_for_the_answer():
    body = command({"channel": "pigeon"})
    event = parse.read(body, as_raw(Raw(body)), 10_000)
    with pytest.raises(parse.Malformed) as refused:
        parse.validated(KEY, event)
    fields = {e["field"] for e in refused.value.errors}
    assert {"data.channel", "data.village_code", "data.received_at"} <= fields
    assert refused.value.event is event


# --- dispatch: what applies a message -----------------------------------------------------------


def test_dispatch_takes_only_the_types_it_has_a_handler_for_and_the_catalogue_knows():
    async def handler(_data: Any, _ctx: Any) -> dict[str, Any]:
        return {}

    unused = cast(Any, None)
    dispatcher = Dispatcher(
        "intake", unused, unused, unused, {KEY: handler, "intake.not-in-catalogue.v1": handler}, {}
    )
    assert dispatcher.takes(KEY)
    assert not dispatcher.takes("intake.close-issue.v1")  # no handler here
    assert not dispatcher.takes("intake.not-in-catalogue.v1")


# --- park ---------------------------------------------------------------------------------------


@dataclass
class Broker:
    published: list[tuple[bytes, dict[str, Any]]] = field(default_factory=list)

    async def publish(self, body: bytes, **how: Any) -> None:
        self.published.append((body, how))


@dataclass
class Delivery:
    settled: list[str] = field(default_factory=list)

    async def ack(self) -> None:
        self.settled.append("ack")

    async def reject(self, requeue: bool) -> None:
        self.settled.append(f"reject(requeue={requeue})")


def dead_letters(broker: Broker) -> DeadLetters:
    gate = Gate(QUEUE.name, CIPHER, None)
    clock = FixedClock(vn(2026, 9, 1))
    return DeadLetters("intake", QUEUE, cast(Any, broker), clock, gate, 3, CIPHER, seal=True)


async def test_park_keeps_the_body_sealed_with_its_reason_and_origin_and_answers_the_client():
    broker = Broker()
    raw = Raw(command(), reply_to="amq.gen-abc")
    errors = [parse.problem("data.village_code", "unknown_village", "Thôn không có")]
    await dead_letters(broker).park(as_raw(raw), errors)
    (kept, how), (answer, replied) = broker.published
    assert how["routing_key"] == QUEUE.dead_letter_queue
    assert kept != raw.body and CIPHER.unseal(kept, context=f"dead-letter:{QUEUE.name}") == raw.body
    headers = how["headers"]
    assert headers[SEALED] == 1 and ORIGIN in headers
    assert headers["x-nghedan-reason"] == "data.village_code: Thôn không có"
    assert (headers["x-nghedan-queue"], headers["x-nghedan-routing-key"]) == (QUEUE.name, KEY)
    assert replied["routing_key"] == "amq.gen-abc"
    assert json.loads(answer)["data"]["status"] == "rejected"


async def test_park_answers_nobody_whose_reply_queue_is_not_their_own():
    broker = Broker()
    raw = Raw(command(), reply_to="registration.commands")
    await dead_letters(broker).park(as_raw(raw), [parse.problem("x", "y", "z")])
    assert len(broker.published) == 1  # the dead letter only


async def test_a_failure_is_tried_again_then_parked_at_the_last_attempt():
    broker, first, last = Broker(), Delivery(), Delivery()
    stage = dead_letters(broker)
    raw = Raw(command(), headers={"x-delivery-count": 0})
    assert await stage.failed(cast(Any, first), as_raw(raw), RuntimeError("bận")) is False
    assert first.settled == ["reject(requeue=True)"] and broker.published == []
    raw.headers["x-delivery-count"] = 2  # the third attempt
    assert await stage.failed(cast(Any, last), as_raw(raw), RuntimeError("bận")) is True
    assert last.settled == ["ack"]
    ((_, how),) = broker.published
    assert "RuntimeError: bận" in how["headers"]["x-nghedan-reason"]
