"""The RabbitMQ definitions file of a deployment: vhost, the whole topology, one user per service
and per integrating system, and their permissions.

Each service may publish only its own routing keys and read only the exchanges it consumes; each
integrating system may publish only the commands the senders file grants it (topic permissions).
Generated from the topology and the senders file, so they cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shared.contracts.catalogue import EVENTS, INBOUND, NOTIFY, PROVINCIAL
from shared.messaging.senders import OFFICE, OPERATOR, Senders
from shared.messaging.topology import (
    DEAD_LETTER_ARGUMENTS,
    DEAD_LETTERS,
    DELAY_QUEUES,
    PUBLISHES,
    QUEUES,
    SERVICES,
    queues_of,
)

VHOST = "nghedan"


def users(senders: Senders) -> tuple[str, ...]:
    """The broker's users: one per service, one per integrating system, and the operator."""
    return (*SERVICES, *sorted(senders.systems), OPERATOR)


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _escaped(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names))


def _permission(user: str, senders: Senders) -> dict[str, str]:
    if user == OPERATOR:
        return {"configure": ".*", "write": ".*", "read": ".*"}
    if user in senders.systems:
        # Commands in (each routing key by its topic permission), outcomes back on a reply queue
        # of its own; a system that reads results binds queues named after itself.
        own = rf"amq\.gen-.*|{user}\..*"
        reads = _escaped(senders.reads.get(user, ()))
        return {
            "configure": rf"^({own})$",
            "write": rf"^({re.escape(INBOUND)}|{own})$",
            "read": rf"^({own}{'|' + reads if reads else ''})$",
        }
    own = rf"{user}\..*"
    # Read only the exchanges its queues are bound to (and the dead letters'); configure only its
    # own queues: the shared exchanges are declared by the definitions, never by a service.
    consumed = {q.exchange for q in queues_of(user)} | {DEAD_LETTERS}
    # Write on an exchange without a topic permission for it would allow every routing key.
    publishes = _escaped(PUBLISHES[user])
    return {
        "configure": rf"^({own})$",
        "write": rf"^({publishes}|amq\.default|{own})$",
        "read": rf"^({_escaped(consumed)}|{own})$",
    }


def _binds(service: str, exchange: str) -> str:
    """The binding keys a service's queues use on an exchange: all it may bind there."""
    keys = [k for q in queues_of(service) if q.exchange == exchange for k in q.binding_keys]
    return rf"^({_escaped(keys)})$" if keys else "^$"


def _topic_permissions(senders: Senders) -> list[dict[str, str]]:
    granted = [
        {"user": user, "exchange": exchange, "write": pattern, "read": _binds(user, exchange)}
        for user, allowed in PUBLISHES.items()
        for exchange, pattern in allowed.items()
    ]
    granted += [
        {"user": user, "exchange": INBOUND, "write": rf"^({_escaped(keys)})$", "read": "^$"}
        for user, keys in sorted(senders.systems.items())
    ]
    granted += [  # the binding keys a results reader may use
        {"user": user, "exchange": exchange, "write": "^$", "read": ".*"}
        for user, exchanges in sorted(senders.reads.items())
        for exchange in sorted(exchanges)
    ]
    return [{**g, "vhost": VHOST} for g in granted]


def definitions(
    passwords: dict[str, str], senders: Senders, salt: bytes | None = None
) -> dict[str, Any]:
    """The broker's whole definitions file: users, permissions, exchanges, queues, bindings."""
    accounts = [
        {
            "name": u,
            "password_hash": password_hash(passwords[u], salt),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            # The operator reads queues and dead letters (management API) but administers
            # nothing: users and permissions come from these definitions only.
            "tags": ["monitoring"] if u == OPERATOR else [],
        }
        for u in users(senders)
    ]
    exchanges: list[dict[str, Any]] = [
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
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for spec in QUEUES:
        queues += [
            _queue(spec.name, spec.arguments),
            _queue(spec.dead_letter_queue, DEAD_LETTER_ARGUMENTS),
        ]
        bindings += [_binding(spec.exchange, spec.name, key) for key in spec.binding_keys]
        bindings.append(_binding(DEAD_LETTERS, spec.dead_letter_queue, spec.name))
    queues += [_queue(delay.name, delay.arguments) for delay in DELAY_QUEUES]
    return {
        "rabbitmq_version": "3.10.8",
        "users": accounts,
        "vhosts": [{"name": VHOST}],
        "permissions": [
            {"user": u, "vhost": VHOST, **_permission(u, senders)} for u in users(senders)
        ],
        "topic_permissions": _topic_permissions(senders),
        "parameters": [],
        "policies": [],
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
    }


def _queue(name: str, arguments: dict[str, object]) -> dict[str, Any]:
    return {
        "name": name,
        "vhost": VHOST,
        "durable": True,
        "auto_delete": False,
        "arguments": arguments,
    }


def _binding(exchange: str, queue: str, routing_key: str) -> dict[str, Any]:
    return {
        "source": exchange,
        "vhost": VHOST,
        "destination": queue,
        "destination_type": "queue",
        "routing_key": routing_key,
        "arguments": {},
    }


PLACEHOLDER = re.compile(r"change[-_]?me|changeme|^password$|^guest$|^secret$", re.IGNORECASE)
MIN_PASSWORD = 16


def secret_problem(name: str, value: str) -> str | None:
    """Why a secret may not be used: missing, a placeholder, or too short."""
    if not value:
        return f"{name}: chưa có"
    if PLACEHOLDER.search(value):
        return f"{name}: còn là giá trị mẫu"
    if len(value) < MIN_PASSWORD:
        return f"{name}: cần ít nhất {MIN_PASSWORD} ký tự"
    return None


def is_integrating(user: str, senders: Senders) -> bool:
    """Another system's broker user (its password in the secrets' `systems/` folder), not one of
    the platform's own services (the office's web application among them) nor the operator."""
    return user in senders.systems and user != OFFICE


def passwords_from_files(
    directory: Path, senders: Senders, systems: Path | None = None
) -> dict[str, str]:
    """Each broker user's password from `<directory>/rabbitmq_<user>_password` (compose secrets);
    an integrating system's from the folder `systems` (`<directory>/systems` unless given)."""
    found, problems = {}, []
    systems = systems if systems is not None else directory / "systems"
    for user in users(senders):
        folder = systems if is_integrating(user, senders) else directory
        path = folder / f"rabbitmq_{user}_password"
        value = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
        problem = secret_problem(path.name, value)
        if problem:
            problems.append(problem)
        found[user] = value
    if problems:
        raise ValueError("; ".join(problems) + " (tạo bằng `nghedan deploy-secrets`)")
    return found
