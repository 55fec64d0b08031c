"""The whole RabbitMQ topology, declared in one place and by every service on start (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from faststream.rabbit import QueueType, RabbitQueue

from shared.contracts.catalogue import EVENTS, INBOUND, NOTIFY, PROVINCIAL

DEAD_LETTERS = "nghedan.dlx"
PUBLIC_EXCHANGES = (INBOUND, EVENTS, PROVINCIAL)
# The broker's own safety net; the pipeline parks a message itself after MAX_ATTEMPTS (see consumer).
DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class QueueSpec:
    name: str
    service: str
    exchange: str
    binding_keys: tuple[str, ...]
    purpose: str

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"

    @property
    def arguments(self) -> dict[str, object]:
        return {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD_LETTERS,
            "x-dead-letter-routing-key": self.name,
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def rabbit_queue(self) -> RabbitQueue:
        args = {k: v for k, v in self.arguments.items() if k != "x-queue-type"}
        return RabbitQueue(self.name, queue_type=QueueType.QUORUM, durable=True, arguments=args)  # type: ignore[arg-type]


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        "registration.commands",
        "registration",
        INBOUND,
        ("registration.#",),
        "registration.* commands from other systems and the CLI",
    ),
    QueueSpec(
        "registration.events",
        "registration",
        EVENTS,
        ("intake.adhoc-request.#",),
        "an ad-hoc dialogue requested by 10% of the voters",
    ),
    QueueSpec("intake.commands", "intake", INBOUND, ("intake.#",), "intake.* commands"),
    QueueSpec("reporting.commands", "reporting", INBOUND, ("reporting.#",), "reporting.* commands"),
    QueueSpec(
        "intake.events",
        "intake",
        EVENTS,
        ("registration.session.#",),
        "sessions planned, scheduled, held, concluded: the agenda follows them",
    ),
    QueueSpec(
        "notification.events",
        "notification",
        EVENTS,
        ("registration.#", "intake.#"),
        "what people must hear about",
    ),
    QueueSpec(
        "notification.requests",
        "notification",
        NOTIFY,
        ("notification.#",),
        "point-to-point requests carrying the one contact a message needs",
    ),
    QueueSpec(
        "reporting.events", "reporting", EVENTS, ("#",), "every domain event, for read models"
    ),
)
QUEUES_BY_NAME = {q.name: q for q in QUEUES}


def queues_of(service: str) -> list[QueueSpec]:
    return [q for q in QUEUES if q.service == service]


async def declare_all(channel: aio_pika.abc.AbstractChannel, service: str | None = None) -> None:
    """The exchanges, then the queues (one service's, or all), their dead-letter queues and bindings.

    A deployment with per-service broker users loads the whole topology from the definitions file
    (deploy/rabbitmq/definitions.json); each service then re-declares only what it may configure.
    """
    exchanges = {}
    for name in (*PUBLIC_EXCHANGES, NOTIFY):
        exchanges[name] = await channel.declare_exchange(
            name, aio_pika.ExchangeType.TOPIC, durable=True
        )
    dlx = await channel.declare_exchange(DEAD_LETTERS, aio_pika.ExchangeType.DIRECT, durable=True)
    for spec in QUEUES if service is None else queues_of(service):
        queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments)
        for key in spec.binding_keys:
            await queue.bind(exchanges[spec.exchange], key)
        dlq = await channel.declare_queue(
            spec.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dlq.bind(dlx, spec.name)
