"""The CloudEvents project's own conformance test set (JSON format, valid and invalid events),
copied unchanged into `cloudevents_conformance/`, judges our envelope; and the official
CloudEvents SDK's RabbitMQ binding reads what we write and writes what we read, in both modes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.contracts.envelope import (
    STRUCTURED_CONTENT_TYPE,
    EnvelopeError,
    new_event,
    parse_message,
    to_structured,
)

SET = Path(__file__).parent / "cloudevents_conformance"


def cases(name: str) -> list[Any]:
    tests = json.loads((SET / name).read_text(encoding="utf-8"))["tests"]
    return [pytest.param(t["event"], id=t["id"]) for t in tests]


@pytest.mark.parametrize("event", cases("valid-events.json"))
def test_every_valid_event_of_the_conformance_set_is_read(event):
    body = json.dumps(event).encode()
    read = parse_message(body, STRUCTURED_CONTENT_TYPE, {})
    assert (read.id, read.type, read.source) == (event["id"], event["type"], event["source"])
    if "data" in event:
        assert read.data == event["data"]
    for name, value in event.items():  # extensions are kept as they came
        if name.startswith("ext"):
            assert getattr(read, name) == value


@pytest.mark.parametrize("event", cases("invalid-events.json"))
def test_every_invalid_event_of_the_conformance_set_is_refused_with_its_reason(event):
    body = json.dumps(event).encode()
    with pytest.raises(EnvelopeError) as refused:
        parse_message(body, STRUCTURED_CONTENT_TYPE, {})
    assert refused.value.errors and all(e["message"] for e in refused.value.errors)


def test_the_conformance_set_is_the_one_the_issue_counted():
    valid = json.loads((SET / "valid-events.json").read_text())["tests"]
    invalid = json.loads((SET / "invalid-events.json").read_text())["tests"]
    assert (len(valid), len(invalid)) == (10, 25)


def _ours() -> Any:
    return new_event(
        "intake.issue.received.v1",
        {"tracking_code": "TT-2026-00042", "village_code": "LL"},
        source="/nghedan/intake",
        subject="TT-2026-00042",
    )


def test_the_sdk_reads_what_we_publish():
    from cloudevents.core.bindings import rabbitmq
    from cloudevents.core.formats.json import JSONFormat

    ours = _ours()
    message = rabbitmq.RabbitMQMessage(
        headers={}, content_type=STRUCTURED_CONTENT_TYPE, body=to_structured(ours)
    )
    read = rabbitmq.from_rabbitmq(message, JSONFormat())
    assert read.get_id() == ours.id and read.get_type() == ours.type
    assert read.get_subject() == "TT-2026-00042" and read.get_data() == ours.data
    assert read.get_time() == ours.time


@pytest.mark.parametrize("mode", ["binary", "structured"])
def test_we_read_what_the_sdk_sends_in_either_mode(mode):
    from cloudevents.core.bindings import rabbitmq
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent as SdkEvent

    sdk_event = SdkEvent(
        attributes={
            "id": "one-system-0001",
            "source": "/tinh-lang-son/mot-cua",
            "type": "vn.nghedan.intake.submit-issue.v1",
            "datacontenttype": "application/json",
            "subject": "LL",
            "partitionkey": "thien-tan",
        },
        data={"kind": "feedback", "village_code": "LL", "content": "Đèn đường hỏng"},
    )
    convert = rabbitmq.to_binary if mode == "binary" else rabbitmq.to_structured
    message = convert(sdk_event, JSONFormat())
    read = parse_message(message.body, message.content_type, message.headers)
    assert read.id == "one-system-0001" and read.type == sdk_event.get_type()
    assert read.data == {"kind": "feedback", "village_code": "LL", "content": "Đèn đường hỏng"}
    assert read.partitionkey == "thien-tan" and read.subject == "LL"


def test_an_event_without_data_is_read_and_a_command_without_it_is_refused_by_its_schema():
    from shared.contracts.catalogue import CATALOGUE
    from shared.contracts.envelope import validate_data

    body = json.dumps(
        {
            "specversion": "1.0",
            "id": "x",
            "source": "/s",
            "type": "vn.nghedan.intake.submit-issue.v1",
        }
    ).encode()
    read = parse_message(body, STRUCTURED_CONTENT_TYPE, {})
    assert read.data is None
    with pytest.raises(EnvelopeError):
        validate_data(CATALOGUE["intake.submit-issue.v1"].model, read.data)
