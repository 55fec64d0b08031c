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
        ("registration.session.scheduled.#", "registration.session.concluded.#"),
        "sessions scheduled and concluded: the legal deadlines of announcements",
    ),
    QueueSpec(
        "notification.commands",
        "notification",
        INBOUND,
        ("notification.#",),
        "opt-outs and operators' re-sends",
    ),
    QueueSpec(
        "notification.requests",
        "notification",
        NOTIFY,
        ("notification.send.#",),
        "point-to-point requests carrying the one contact a message needs",
    ),
    QueueSpec(
        "notification.deliveries",
        "notification",
        NOTIFY,
        ("notification.deliver.#",),
        "one attempt to send one message; retries come back here from the delay queues",
    ),
    QueueSpec(
        "registration.results",
        "registration",
        PROVINCIAL,
        ("dialogue.results.published.#",),
        "a results announcement issued: every village head must receive it",
    ),
    QueueSpec(
        "reporting.events", "reporting", EVENTS, ("#",), "every domain event, for read models"
    ),
)
QUEUES_BY_NAME = {q.name: q for q in QUEUES}


@dataclass(frozen=True)
class DelayQueueSpec:
    """A queue nobody consumes: a message waits its per-message TTL, then dead-letters onward.

    One queue per retry tier, so a long wait never sits in front of a short one (a message
    expires only at the head of its queue). The delays themselves are settings, sent as each
    message's `expiration`, so they can change without redeclaring anything.
    """

    name: str
    service: str
    exchange: str
    routing_key: str

    @property
    def arguments(self) -> dict[str, object]:
        return {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": self.exchange,
            "x-dead-letter-routing-key": self.routing_key,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }


RETRY_TIERS = 4
DELAY_QUEUES: tuple[DelayQueueSpec, ...] = tuple(
    DelayQueueSpec(f"notification.retry.{tier}", "notification", NOTIFY, "notification.deliver.v1")
    for tier in range(1, RETRY_TIERS + 1)
)


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
    for delay in DELAY_QUEUES:
        if service is None or delay.service == service:
            await channel.declare_queue(delay.name, durable=True, arguments=delay.arguments)
