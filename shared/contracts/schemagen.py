"""JSON Schemas of the catalogue's messages, generated from the models, and the shipped examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contracts.catalogue import CATALOGUE, MessageSpec
from shared.contracts.envelope import STRUCTURED_CONTENT_TYPE, type_of

HERE = Path(__file__).parent
SCHEMA_DIR = HERE / "schemas"
EXAMPLE_DIR = HERE / "examples"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def envelope_schema(spec: MessageSpec) -> dict[str, Any]:
    """The whole structured-mode CloudEvent, its `data` being the message's model."""
    data = spec.model.model_json_schema(ref_template="#/$defs/{model}")
    defs = data.pop("$defs", {})
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://nghedan.vn/contracts/{spec.routing_key}.json",
        "title": type_of(spec.routing_key),
        "description": f"{spec.summary} Exchange: {spec.exchange or '(reply_to queue)'}; "
        f"routing key: {spec.routing_key}; AMQP content_type: {STRUCTURED_CONTENT_TYPE}.",
        "type": "object",
        "required": ["specversion", "id", "source", "type", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "minLength": 1, "maxLength": 200},
            "source": {"type": "string", "minLength": 1, "maxLength": 500},
            "type": {"const": type_of(spec.routing_key)},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "subject": {"type": "string", "maxLength": 500},
            "data": data,
        },
        "$defs": defs,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def generate(directory: Path = SCHEMA_DIR, *, public_only: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key, spec in sorted(CATALOGUE.items()):
        if public_only and not spec.public:
            continue
        path = directory / f"{key}.json"
        path.write_text(render(envelope_schema(spec)), encoding="utf-8")
        written.append(path)
    return written


def load_example(routing_key: str) -> dict[str, Any]:
    example: dict[str, Any] = json.loads(
        (EXAMPLE_DIR / f"{routing_key}.json").read_text(encoding="utf-8")
    )
    return example
