"""The RabbitMQ definitions file of a deployment: vhost, the whole topology, one user per service.

Each service may publish only its own routing keys (topic permissions); external systems may
publish only to nghedan.inbound. Generated from the topology, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from shared.contracts.catalogue import EVENTS, INBOUND, PROVINCIAL
from shared.messaging.topology import (
    DEAD_LETTER_ARGUMENTS,
    DEAD_LETTERS,
    DELAY_QUEUES,
    NOTIFY,
    QUEUES,
)

VHOST = "nghedan"
SERVICES = ("registration", "intake", "notification", "reporting")
# Routing keys each service may publish on nghedan.events (and reporting on nghedan.provincial).
PUBLISHES = {
    "registration": {EVENTS: r"^registration\.", NOTIFY: r"^notification\.send\."},
    "intake": {EVENTS: r"^intake\.", NOTIFY: r"^notification\.send\."},
    "notification": {EVENTS: r"^notification\.", NOTIFY: r"^notification\.deliver\."},
    "reporting": {EVENTS: r"^reporting\.", PROVINCIAL: r"^dialogue\."},
}
USERS = (*SERVICES, "external", "province", "operator")


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _permission(user: str) -> dict[str, str]:
    if user == "operator":
        return {"configure": ".*", "write": ".*", "read": ".*"}
    if user == "external":  # commands in, outcomes back on a reply queue of its own
        return {
            "configure": r"^amq\.gen-.*",
            "write": rf"^({INBOUND}|amq\.gen-.*)$",
            "read": r"^amq\.gen-.*",
        }
    if user == "province":  # each provincial system binds a queue of its own to the results
        return {
            "configure": r"^province\..*",
            "write": r"^province\..*",
            "read": rf"^({PROVINCIAL}|province\..*)$",
        }
    own = rf"{user}\..*"
    exchanges = r"nghedan\.(inbound|events|provincial|notify|dlx)"
    # Write on an exchange without a topic permission for it would allow every routing key.
    publishes = "|".join(name.replace(".", r"\.") for name in PUBLISHES[user])
    return {
        "configure": rf"^({exchanges}|{own})$",
        "write": rf"^({publishes}|amq\.default|{own})$",
        "read": rf"^({exchanges}|{own})$",
    }


def definitions(passwords: dict[str, str], salt: bytes | None = None) -> dict[str, Any]:
    users = [
        {
            "name": u,
            "password_hash": password_hash(passwords[u], salt),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": ["administrator"] if u == "operator" else [],
        }
        for u in USERS
    ]
    topic_permissions = [
        {"user": user, "vhost": VHOST, "exchange": exchange, "write": pattern, "read": ".*"}
        for user, allowed in PUBLISHES.items()
        for exchange, pattern in allowed.items()
    ]
    exchanges = [
        {
            "name": name,
            "vhost": VHOST,
            "type": "direct" if name == DEAD_LETTERS else "topic",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
        for name in (INBOUND, EVENTS, PROVINCIAL, NOTIFY, DEAD_LETTERS)
    ]
    queues, bindings = [], []
    for spec in QUEUES:
        queues.append(
            {
                "name": spec.name,
                "vhost": VHOST,
                "durable": True,
                "auto_delete": False,
                "arguments": spec.arguments,
            }
        )
        queues.append(
            {
                "name": spec.dead_letter_queue,
                "vhost": VHOST,
                "durable": True,
                "auto_delete": False,
                "arguments": DEAD_LETTER_ARGUMENTS,
            }
        )
        bindings += [
            {
                "source": spec.exchange,
                "vhost": VHOST,
                "destination": spec.name,
                "destination_type": "queue",
                "routing_key": key,
                "arguments": {},
            }
            for key in spec.binding_keys
        ]
        bindings.append(
            {
                "source": DEAD_LETTERS,
                "vhost": VHOST,
                "destination": spec.dead_letter_queue,
                "destination_type": "queue",
                "routing_key": spec.name,
                "arguments": {},
            }
        )
    queues += [
        {
            "name": delay.name,
            "vhost": VHOST,
            "durable": True,
            "auto_delete": False,
            "arguments": delay.arguments,
        }
        for delay in DELAY_QUEUES
    ]
    return {
        "rabbitmq_version": "3.10.8",
        "users": users,
        "vhosts": [{"name": VHOST}],
        "permissions": [{"user": u, "vhost": VHOST, **_permission(u)} for u in USERS],
        "topic_permissions": topic_permissions,
        "parameters": [],
        "policies": [],
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
    }


def passwords_from_env(env: dict[str, str]) -> dict[str, str]:
    missing = [u for u in USERS if not env.get(f"RABBITMQ_{u.upper()}_PASSWORD")]
    if missing:
        raise ValueError(
            "thiếu mật khẩu: " + ", ".join(f"RABBITMQ_{u.upper()}_PASSWORD" for u in missing)
        )
    return {u: env[f"RABBITMQ_{u.upper()}_PASSWORD"] for u in USERS}
