"""The CloudEvents 1.0 envelope and its RabbitMQ binding (structured and binary modes)."""

from __future__ import annotations

import json
import re
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
    """A CloudEvents 1.0 event; `data` is the message's own model (absent: an event may have none,
    a command whose data is missing is refused by its schema)."""

    model_config = ConfigDict(extra="allow")

    specversion: str = Field(default="1.0", pattern=r"^1\.0$")
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200)
    time: datetime | None = None
    datacontenttype: str | None = JSON_CONTENT_TYPE
    dataschema: str | None = Field(default=None, min_length=1, max_length=500)
    subject: str | None = Field(default=None, min_length=1, max_length=500)
    data: D | None = None


# CloudEvents 1.0 (JSON format) beyond what the model's types say: its conformance test set
# (`tests/unit/test_cloudevents_conformance.py`) is the judge.
CORE_ATTRIBUTES = frozenset(
    {"specversion", "id", "source", "type", "time", "datacontenttype", "dataschema", "subject"}
)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*(\s*;.*)?$")
ACTED_BY = "actedby"  # who a command was sent for: the person logged in to the sender's pages
_EXTENSION_NAME = re.compile(r"^[a-z0-9]+$")


def _time_ok(value: Any) -> bool:
    found = _RFC3339.match(value) if isinstance(value, str) else None
    if found is None:
        return False
    hours, minutes = found.group(3), found.group(4)
    if hours is not None and (int(hours) > 23 or int(minutes) > 59):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


def conformance_errors(raw: Mapping[str, Any]) -> list[dict[str, str]]:
    """What in an event's attributes breaks CloudEvents 1.0, attribute by attribute."""
    errors = []

    def bad(field: str, message: str, code: str) -> None:
        errors.append({"field": field, "message": message, "code": code})

    if "specversion" not in raw:
        bad("specversion", vi.CE_SPECVERSION_MISSING, "missing")
    elif raw["specversion"] != "1.0":
        bad("specversion", vi.CE_SPECVERSION_WRONG.format(value=raw["specversion"]), "specversion")
    if raw.get("time") is not None and not _time_ok(raw["time"]):
        bad("time", vi.CE_TIME.format(value=raw["time"]), "time_format")
    kind = raw.get("datacontenttype")
    if kind is not None and not (isinstance(kind, str) and _MEDIA_TYPE.match(kind)):
        bad("datacontenttype", vi.CE_CONTENT_TYPE.format(value=kind), "content_type")
    for name in ("dataschema", "subject"):
        if raw.get(name) == "":
            bad(name, vi.CE_EMPTY.format(name=name), "empty")
    for name, value in raw.items():
        if name in CORE_ATTRIBUTES or name in ("data", "data_base64"):
            continue
        if not _EXTENSION_NAME.match(name):
            bad(name, vi.CE_EXTENSION_NAME.format(name=name), "extension_name")
        elif value is not None and not isinstance(value, str | bool | int):
            kind_of = type(value).__name__
            bad(name, vi.CE_EXTENSION_VALUE.format(name=name, kind=kind_of), "extension_value")
    if "data" in raw and "data_base64" in raw:
        bad("data_base64", vi.CE_DATA_TWICE, "data_twice")
    return errors


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
    acted_by: str | None = None,
) -> CloudEvent[dict[str, Any]]:
    """`acted_by`: the person a command is sent for (the extension attribute `actedby`), by a
    sender people log in to (the office's pages); the owning service keeps it in its history."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    extensions = {ACTED_BY: acted_by} if acted_by else {}
    return CloudEvent[dict[str, Any]](
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=type_of(routing_key),
        time=time or datetime.now(UTC),
        subject=subject,
        data=payload,
        **extensions,
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
        raw = {**attrs} | ({"data": decoded} if body else {})
        if content_type:
            raw.setdefault("datacontenttype", content_type)
    event_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        event = CloudEvent[Any].model_validate(raw)
    except ValidationError as exc:
        errors = conformance_errors(raw)
        known = {e["field"] for e in errors}
        errors += [e for e in _json_errors(exc) if e["field"] not in known]
        raise EnvelopeError(errors, event_id=event_id) from exc
    errors = conformance_errors(raw)
    if errors:
        raise EnvelopeError(errors, event_id=event_id)
    return event


def validate_data(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate an event's data against its model; errors name fields as `data.<field>`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EnvelopeError(_json_errors(exc, prefix="data.")) from exc
