"""The shared kit's small parts: redaction of personal data in logs, the clock, field encryption."""

import json
import logging
import time
from datetime import timedelta

import pytest
import structlog
from cryptography.exceptions import InvalidTag

from shared.clock import FileClock, write_clock_file
from shared.crypto import DataKeyError, FieldCipher, decode_key
from shared.logging import configure_logging, redact
from tests.keys import cipher_of
from tests.when import vn, wall_now


def test_redaction_blanks_personal_fields_and_personal_looking_text():
    line = redact(
        {
            "full_name": "Lý Hoàng Long",
            "phone": "0912345678",
            "note": "CCCD 020085012345, gọi 0912345678 hoặc a.b@example.vn",
            "count": 3,
        }
    )
    assert line["full_name"] == "[redacted]" and line["phone"] == "[redacted]"
    assert "020085012345" not in line["note"] and "0912345678" not in line["note"]
    assert "a.b@example.vn" not in line["note"] and line["count"] == 3


def test_log_lines_are_json_with_the_service_and_no_personal_data(capsys):
    configure_logging("registration", "INFO")
    structlog.contextvars.bind_contextvars(event_id="e1", correlation_id="c1")
    structlog.get_logger("t").info("delegate.registered", citizen_id="020085012345")
    logging.getLogger("faststream").warning("failed for 020085012345")
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert lines[0]["service"] == "registration" and lines[0]["event_id"] == "e1"
    assert lines[0]["correlation_id"] == "c1" and lines[0]["citizen_id"] == "[redacted]"
    assert "020085012345" not in json.dumps(lines)


def test_the_file_clock_freezes_and_moves_for_every_reader(tmp_path):
    path = tmp_path / "clock.json"
    clock = FileClock(path)
    assert abs((clock.now() - wall_now()).total_seconds()) < 5
    at = vn(2026, 9, 25, 8)
    write_clock_file(path, frozen_at=at)
    assert clock.now() == at
    time.sleep(0.01)
    write_clock_file(path, offset=timedelta(days=3))
    assert abs((clock.now() - wall_now() - timedelta(days=3)).total_seconds()) < 5


def test_fields_are_sealed_to_their_context_and_lookups_use_a_keyed_hash():
    cipher = cipher_of("registration")
    sealed = cipher.encrypt("020085012345", context="registration:A:citizen_id")
    assert b"020085012345" not in sealed
    assert cipher.decrypt(sealed, context="registration:A:citizen_id") == "020085012345"
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, context="registration:B:citizen_id")
    assert cipher.keyed_hash("1", purpose="x") == cipher.keyed_hash("1", purpose="x")
    other = FieldCipher.for_service("registration", b"k" * 32, lookup_key=b"l" * 32)
    assert cipher.keyed_hash("1", purpose="x") != other.keyed_hash("1", purpose="x")


def test_a_data_key_of_the_wrong_size_is_refused_clearly():
    with pytest.raises(DataKeyError, match="32 byte"):
        decode_key("c2hvcnQ=", variable="NGHEDAN_DATA_KEY")


def test_max_attempts_stays_below_the_broker_s_delivery_limit():
    from pydantic import ValidationError

    from shared.messaging.topology import DELIVERY_LIMIT
    from shared.settings import ServiceSettings

    assert ServiceSettings(MAX_ATTEMPTS=DELIVERY_LIMIT - 1).max_attempts == DELIVERY_LIMIT - 1
    with pytest.raises(ValidationError, match="MAX_ATTEMPTS"):
        ServiceSettings(MAX_ATTEMPTS=DELIVERY_LIMIT)
