"""The CloudEvents 1.0 envelope and its RabbitMQ binding (structured and binary modes)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared import vi

TYPE_PREFIX = "vn.nghedan."
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
JSON_CONTENT_TYPE = "application/json"
_HEADER_PREFIXES = ("ce-", "ce_", "cloudEvents_", "cloudEvents:")

D = TypeVar("D")


def type_of(routing_key: str) -> str:
    return TYPE_PREFIX + routing_key


def routing_key_of(event_type: str) -> str:
    return event_type.removeprefix(TYPE_PREFIX)


class CloudEvent(BaseModel, Generic[D]):
    """A CloudEvents 1.0 event; `data` is the message's own model."""

    model_config = ConfigDict(extra="allow")

    specversion: str = Field(default="1.0", pattern=r"^1\.0$")
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200)
    time: datetime | None = None
    datacontenttype: str | None = JSON_CONTENT_TYPE
    subject: str | None = Field(default=None, max_length=500)
    data: D


class EnvelopeError(ValueError):
    """The message is not a CloudEvent the platform can read; `errors` says why, field by field."""

    def __init__(self, errors: list[dict[str, str]], event_id: str | None = None) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors
        self.event_id = event_id


def new_event(
    routing_key: str,
    data: BaseModel | Mapping[str, Any],
    *,
    source: str,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> CloudEvent[dict[str, Any]]:
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    return CloudEvent[dict[str, Any]](
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=type_of(routing_key),
        time=time or datetime.now(UTC),
        subject=subject,
        data=payload,
    )


def to_structured(event: CloudEvent[Any]) -> bytes:
    return event.model_dump_json(exclude_none=True).encode("utf-8")


def _header_attributes(headers: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in headers.items():
        for prefix in _HEADER_PREFIXES:
            if key.startswith(prefix):
                attrs[key[len(prefix) :]] = value.decode() if isinstance(value, bytes) else value
    return attrs


def _json_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    errors = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(message)"
        message = vi.schema_error(err["type"], err["msg"], err.get("ctx"))
        errors.append({"field": f"{prefix}{where}", "message": message, "code": err["type"]})
    return errors


def parse_message(
    body: bytes, content_type: str | None, headers: Mapping[str, Any] | None
) -> CloudEvent[Any]:
    """Read a CloudEvent from an AMQP message in structured or binary mode."""
    headers = headers or {}
    attrs = _header_attributes(headers)
    structured = (content_type or "").startswith(STRUCTURED_CONTENT_TYPE) or not attrs
    try:
        decoded = json.loads(body) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(
            [{"field": "(body)", "message": f"{vi.NOT_JSON}: {exc}", "code": "json"}],
            event_id=attrs.get("id"),
        ) from exc
    if structured:
        if not isinstance(decoded, dict):
            raise EnvelopeError(
                [{"field": "(body)", "message": vi.NOT_CLOUDEVENT, "code": "not_cloudevent"}]
            )
        raw = decoded
    else:
        raw = {**attrs, "data": decoded}
        if content_type:
            raw.setdefault("datacontenttype", content_type)
    try:
        return CloudEvent[Any].model_validate(raw)
    except ValidationError as exc:
        event_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        raise EnvelopeError(_json_errors(exc), event_id=event_id) from exc


def validate_data(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate an event's data against its model; errors name fields as `data.<field>`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EnvelopeError(_json_errors(exc, prefix="data.")) from exc
