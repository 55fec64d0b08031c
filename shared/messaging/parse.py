"""The pipeline's first stage: the body as sent, checked for size and reply queue, read as a
CloudEvent (structured or binary mode), its type known to this queue, its data valid. Anything
else is `Malformed`, with every reason, field by field, in Vietnamese: the message is parked."""

from __future__ import annotations

from typing import Any

import aio_pika
from pydantic import BaseModel

from shared import vi
from shared.contracts.catalogue import CATALOGUE
from shared.contracts.envelope import CloudEvent, EnvelopeError, parse_message, validate_data


def problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


class Malformed(Exception):
    def __init__(
        self,
        errors: list[dict[str, str]],
        event: CloudEvent[Any] | None = None,
        event_id: str | None = None,
        keep_body: bool = True,
    ) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors, self.event, self.event_id = errors, event, event_id
        self.keep_body = keep_body  # an oversized body is not kept: its size and headers are


def is_reply_queue(name: str | None) -> bool:
    """Outcomes go only to a client's own reply queue (server-named, or direct reply-to): never
    into another service's queue, where an outcome could pose as a command."""
    return name is not None and name.startswith(("amq.gen-", "amq.rabbitmq.reply-to"))


def read(body: bytes, raw: aio_pika.abc.AbstractIncomingMessage, max_bytes: int) -> CloudEvent[Any]:
    """The CloudEvent a delivery carries (`body`: as sent, unsealed if it was parked)."""
    if len(body) > max_bytes:
        text = vi.OVERSIZED.format(size=len(body), limit=max_bytes)
        raise Malformed([problem("(body)", "oversized", text)], keep_body=False)
    if raw.reply_to and not is_reply_queue(raw.reply_to):
        text = vi.NOT_A_REPLY_QUEUE.format(queue=raw.reply_to)
        raise Malformed([problem("reply_to", "reply_to_refused", text)])
    try:
        return parse_message(body, raw.content_type, raw.headers)
    except EnvelopeError as exc:
        raise Malformed(exc.errors, event_id=exc.event_id) from exc


def unknown(event: CloudEvent[Any]) -> Malformed:
    """A type this queue takes no handler for, or that the catalogue does not know."""
    text = vi.UNKNOWN_TYPE.format(type=event.type)
    return Malformed([problem("type", "unknown_type", text)], event=event)


def validated(key: str, event: CloudEvent[Any]) -> BaseModel:
    """The event's data as its contract's model."""
    try:
        return validate_data(CATALOGUE[key].model, event.data)
    except EnvelopeError as exc:
        raise Malformed(exc.errors, event=event) from exc
