"""The AsyncAPI 3.0 document of the whole bus, built from the topology and the contract models.

FastStream's own generator sees only `bytes` payloads here (the pipeline parses CloudEvents
itself), so the document is built from what the code declares: every exchange and queue of
`shared/messaging/topology.py` with their AMQP bindings (quorum queues, dead-lettering, limits),
every message of the catalogue with its JSON Schema and the shipped example, each command's
outcome reply. `nghedan contracts generate` writes it to `docs/asyncapi.yaml`; a test regenerates
it and fails on any drift, and AsyncAPI's own parser (`@asyncapi/parser`) and metaschema judge it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from shared.contracts.catalogue import (
    CATALOGUE,
    EVENTS,
    INBOUND,
    NOTIFY,
    PROVINCIAL,
    REPLIES,
    MessageSpec,
)
from shared.contracts.common import OUTCOME_KEY
from shared.contracts.envelope import STRUCTURED_CONTENT_TYPE
from shared.contracts.schemagen import EXAMPLE_DIR, envelope_schema
from shared.messaging import topology

DOCUMENT = Path(__file__).parents[2] / "docs" / "asyncapi.yaml"
VERSION = "1.0.0"
BINDING = "0.3.0"
EXCHANGE_ROLE = {
    INBOUND: "Commands from other systems and the operator CLI; the platform's services read them.",
    EVENTS: "Domain events of the platform's services (no personal data); services read them.",
    PROVINCIAL: "Results for the province: each provincial system binds a queue of its own.",
    NOTIFY: "Inside the platform: point-to-point requests to the notification service, carrying "
    "the one contact a message needs. Not for other systems.",
}
ACTION = {  # the platform's own point of view: what it receives, what it sends
    "command": "receive",
    "request": "receive",
    "task": "receive",
    "event": "send",
    "result": "send",
}


def _id(text: str) -> str:
    """A component key AsyncAPI accepts (letters, digits, `_`, `-`)."""
    return text.replace(".", "_").replace("#", "all").replace("*", "any")


def _exchange(name: str) -> dict[str, Any]:
    return {"name": name, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}


class _Schemas:
    """Every model's JSON Schema once, under components.schemas, referred to by name; two models
    of the same name in different modules are told apart by their module (`reporting.X`)."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def envelope(self, spec: MessageSpec) -> dict[str, Any]:
        schema = copy.deepcopy(envelope_schema(spec))
        for drop in ("$schema", "$id"):
            schema.pop(drop, None)
        local = schema.pop("$defs", {})
        data = schema["properties"].pop("data")
        top = data.get("title") or spec.model.__name__
        local[top] = data
        module = spec.model.__module__.rsplit(".", 1)[-1]
        names = {n: self._free(n, d, module, local) for n, d in local.items()}
        for name, definition in local.items():
            self.defs[names[name]] = _rewrite_refs(definition, names)
        schema["properties"]["data"] = {"$ref": f"#/components/schemas/{names[top]}"}
        rewritten: dict[str, Any] = _rewrite_refs(schema, names)
        return rewritten

    def _free(self, name: str, definition: Any, module: str, local: dict[str, Any]) -> str:
        """The name under which this definition is, or can be, kept."""
        names = {n: n for n in local}
        for candidate in (name, f"{module}.{name}"):
            known = self.defs.get(candidate)
            if known is None or known == _rewrite_refs(definition, names | {name: candidate}):
                return candidate
        raise ValueError(f"two different models are both called {module}.{name}: rename one")


def _rewrite_refs(node: Any, names: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/"):
                name = v.removeprefix("#/$defs/")
                out[k] = f"#/components/schemas/{names.get(name, name)}"
            else:
                out[k] = _rewrite_refs(v, names)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, names) for v in node]
    return node


def _example(spec: MessageSpec) -> list[dict[str, Any]]:
    path = EXAMPLE_DIR / f"{spec.routing_key}.json"
    if not path.exists():
        return []
    import json

    return [{"name": "example", "payload": json.loads(path.read_text(encoding="utf-8"))}]


INFO = {
    "title": "Nghe Dân — the bus of a commune's dialogue with its people",
    "version": VERSION,
    "description": (
        "Every message other systems and the platform's own services exchange over "
        "RabbitMQ (AMQP 0-9-1). Each is a CloudEvents 1.0 event: sent in structured mode "
        f"(`content_type` {STRUCTURED_CONTENT_TYPE}); commands are also accepted in "
        "binary mode (attributes in `ce-` headers). `type` is `vn.nghedan.` + the routing "
        "key; `id` + `source` identify a command for ever (sent again: the first outcome "
        "again). Every command carries AMQP `user_id` (its sender) and gets one outcome on "
        "its `reply_to`. Generated from the code by `nghedan contracts generate`; the "
        "contract itself: PUBLIC-CONTRACT.md."
    ),
    "license": {"name": "See the repository's LICENSE"},
    "tags": [
        {"name": "public", "description": "Named by the public contract, or an addition."},
        {"name": "internal", "description": "Between the platform's own services."},
    ],
}
SERVERS = {
    "commune": {
        "host": "amqp.xa.example.vn:5671",
        "protocol": "amqps",
        "protocolVersion": "0.9.1",
        "pathname": "/nghedan",
        "title": "A commune's deployment (docker compose)",
        "description": "AMQP over TLS on 5671, vhost `nghedan`; the only port a deployment opens "
        "to other systems. Its certificate is signed by the deployment's own CA: the operator "
        "gives each system that CA (`rabbitmq_tls_ca.pem`) with its user and password "
        "(shared/reference_data/senders.yaml; docs/integrating.md).",
        "security": [{"$ref": "#/components/securitySchemes/brokerUser"}],
    },
    "development": {
        "host": "localhost:5672",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "title": "A developer's machine (`make up`)",
        "description": "Plain AMQP on 5672, vhost `/`: never a deployment.",
    },
}
SECURITY_SCHEMES = {
    "brokerUser": {
        "type": "userPassword",
        "description": "A RabbitMQ user of the system's own; every command carries it as AMQP "
        "`user_id`, which the broker checks.",
    }
}


def build() -> dict[str, Any]:
    """The whole document: the outcome reply, every message's channel and operation, every
    queue, and the schemas they refer to."""
    schemas = _Schemas()
    messages = {_id(OUTCOME_KEY): _message(CATALOGUE[OUTCOME_KEY], schemas)}
    channels: dict[str, Any] = {"outcomes": _outcome_channel()}
    operations: dict[str, Any] = {}
    for key, spec in sorted(CATALOGUE.items()):
        if spec.exchange == REPLIES:
            continue
        mid = _id(key)
        messages[mid] = _message(spec, schemas)
        channels[mid] = _routing_channel(spec)
        operations[f"{ACTION[spec.kind]}_{mid}"] = _operation(spec)
    for queue in topology.QUEUES:
        channels[f"queue_{_id(queue.name)}"] = _queue_channel(queue)
    for delay in topology.DELAY_QUEUES:
        channels[f"queue_{_id(delay.name)}"] = _delay_channel(delay)
    return {
        "asyncapi": "3.0.0",
        "id": "urn:vn:nghedan:bus",
        "info": INFO,
        "defaultContentType": STRUCTURED_CONTENT_TYPE,
        "servers": SERVERS,
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": dict(sorted(schemas.defs.items())),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def _outcome_channel() -> dict[str, Any]:
    return {
        "address": None,
        "title": "Outcome replies",
        "description": "Every command gets exactly one outcome (accepted, duplicate or rejected), "
        "sent through the default exchange to the command's AMQP `reply_to` queue (server-named "
        "or `amq.rabbitmq.reply-to`) with `correlation_id` = the command's id.",
        "messages": {"outcome": {"$ref": f"#/components/messages/{_id(OUTCOME_KEY)}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {  # the default exchange: the routing key is the reply queue's name
                    "name": "",
                    "type": "direct",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": BINDING,
            }
        },
    }


def _routing_channel(spec: MessageSpec) -> dict[str, Any]:
    key, mid = spec.routing_key, _id(spec.routing_key)
    return {
        "address": key,
        "title": key,
        "description": f"{spec.summary} Routing key `{key}` on the `{spec.exchange}` exchange. "
        + EXCHANGE_ROLE[spec.exchange],
        "messages": {mid: {"$ref": f"#/components/messages/{mid}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": _exchange(spec.exchange),
                "bindingVersion": BINDING,
            }
        },
    }


def _operation(spec: MessageSpec) -> dict[str, Any]:
    """What the platform does with a message: receives it (a command: with its outcome reply)
    or sends it."""
    mid = _id(spec.routing_key)
    operation: dict[str, Any] = {
        "action": ACTION[spec.kind],
        "channel": {"$ref": f"#/channels/{mid}"},
        "title": spec.routing_key,
        "summary": spec.summary,
        "messages": [{"$ref": f"#/channels/{mid}/messages/{mid}"}],
        "bindings": {
            "amqp": {"deliveryMode": 2, "ack": spec.kind != "event", "bindingVersion": BINDING}
        },
    }
    if spec.kind == "command":
        operation["reply"] = {
            "address": {
                "location": "$message.header#/reply_to",
                "description": "The command's AMQP reply_to property.",
            },
            "channel": {"$ref": "#/channels/outcomes"},
            "messages": [{"$ref": "#/channels/outcomes/messages/outcome"}],
        }
    if spec.public or spec.kind in ("event", "result"):
        operation["tags"] = [{"name": "public" if spec.public else "internal"}]
    return operation


def _delay_channel(delay: topology.DelayQueueSpec) -> dict[str, Any]:
    return {
        "address": delay.name,
        "title": f"Delay queue {delay.name}",
        "description": f"Nobody consumes it: a message waits its own `expiration`, then "
        f"dead-letters to `{delay.exchange}` as `{delay.routing_key}` (a retry tier of "
        f"the notification service). Arguments: {_args(delay.arguments)}.",
        "bindings": {"amqp": _queue_binding(delay.name)},
    }


def _message(spec: MessageSpec, schemas: _Schemas) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": spec.routing_key,
        "title": spec.model.__name__,
        "summary": spec.summary,
        "contentType": STRUCTURED_CONTENT_TYPE,
        "payload": schemas.envelope(spec),
        "bindings": {"amqp": {"messageType": spec.routing_key, "bindingVersion": BINDING}},
    }
    examples = _example(spec)
    if examples:
        message["examples"] = examples
    return message


def _args(arguments: dict[str, object]) -> str:
    return ", ".join(f"`{k}`={v}" for k, v in arguments.items())


def _queue_binding(name: str) -> dict[str, Any]:
    return {
        "is": "queue",
        "queue": {
            "name": name,
            "durable": True,
            "exclusive": False,
            "autoDelete": False,
            "vhost": "/",
        },
        "bindingVersion": BINDING,
    }


def _queue_channel(queue: topology.QueueSpec) -> dict[str, Any]:
    keys = ", ".join(f"`{k}`" for k in queue.binding_keys)
    return {
        "address": queue.name,
        "title": f"Queue {queue.name} ({queue.service})",
        "description": f"{queue.purpose}. Bound to `{queue.exchange}` by {keys}. A quorum queue: "
        f"a message that cannot be handled is parked, with its reason, in "
        f"`{queue.dead_letter_queue}` (through `{topology.DEAD_LETTERS}`), where an operator "
        f"lists and replays it. Arguments: {_args(queue.arguments)}.",
        "bindings": {"amqp": _queue_binding(queue.name)},
    }


def render(document: dict[str, Any] | None = None) -> str:
    header = (
        "# Generated by `nghedan contracts generate` from shared/messaging/topology.py and the\n"
        "# contract models: do not edit by hand (a test fails when it differs from the code).\n"
    )
    body = yaml.safe_dump(
        document or build(),
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return header + body


def write(path: Path = DOCUMENT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
