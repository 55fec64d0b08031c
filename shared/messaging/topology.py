"""The whole RabbitMQ topology, declared in one place and by every service on start (idempotent)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aio_pika
from faststream.rabbit import QueueType, RabbitQueue

from shared.contracts.catalogue import EVENTS, INBOUND, NOTIFY, PROVINCIAL
from shared.logging import get_logger

log = get_logger(__name__)

DEAD_LETTERS = "nghedan.dlx"
PUBLIC_EXCHANGES = (INBOUND, EVENTS, PROVINCIAL)
# The broker's own safety net; the pipeline parks a message itself after MAX_ATTEMPTS (see consumer).
DELIVERY_LIMIT = 20
# No queue can fill the broker's disk: past these, a publish is refused (the publisher's confirm
# fails and it keeps the message in its outbox) instead of the oldest message being dropped.
MAX_QUEUE_MESSAGES = 100_000
MAX_QUEUE_BYTES = 512 * 1024 * 1024
MAX_DEAD_LETTERS = 50_000
MAX_DEAD_LETTER_BYTES = 256 * 1024 * 1024
# The largest message the broker takes (rabbitmq.conf max_message_size): a command's 256 KiB
# and an outcome's margin; the pipeline refuses a body above MAX_MESSAGE_BYTES itself.
BROKER_MAX_MESSAGE_BYTES = 1024 * 1024


def limits(messages: int, size: int) -> dict[str, object]:
    return {"x-max-length": messages, "x-max-length-bytes": size, "x-overflow": "reject-publish"}


DEAD_LETTER_ARGUMENTS: dict[str, object] = {
    "x-queue-type": "quorum",
    **limits(MAX_DEAD_LETTERS, MAX_DEAD_LETTER_BYTES),
}


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
            **limits(MAX_QUEUE_MESSAGES, MAX_QUEUE_BYTES),
        }

    def rabbit_queue(self) -> RabbitQueue:
        """The queue for FastStream to consume: declared beforehand by declare_all, not by it."""
        return RabbitQueue(self.name, queue_type=QueueType.QUORUM, durable=True, declare=False)


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
        ("intake.adhoc-request.#", "intake.agency-contact.#"),
        "an ad-hoc dialogue requested by 10% of the voters; an agency's office contact changed",
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
            **limits(MAX_QUEUE_MESSAGES, MAX_QUEUE_BYTES),
        }


RETRY_TIERS = 4
DELAY_QUEUES: tuple[DelayQueueSpec, ...] = tuple(
    DelayQueueSpec(f"notification.retry.{tier}", "notification", NOTIFY, "notification.deliver.v1")
    for tier in range(1, RETRY_TIERS + 1)
)


SERVICES = ("registration", "intake", "notification", "reporting")
# The routing keys each service may publish on each exchange: the broker's topic permissions are
# generated from it (definitions.py), and every consumer checks a message's broker-verified
# user_id against it (publishers_of), so that a service's user can forge no other's message, not
# even through the default exchange, which the broker cannot limit by routing key.
PUBLISHES = {
    "registration": {EVENTS: r"^registration\.", NOTIFY: r"^notification\.send\."},
    "intake": {EVENTS: r"^intake\.", NOTIFY: r"^notification\.send\."},
    "notification": {EVENTS: r"^notification\.", NOTIFY: r"^notification\.deliver\."},
    "reporting": {EVENTS: r"^reporting\.", PROVINCIAL: r"^dialogue\."},
}


def publishers_of(exchange: str, routing_key: str) -> frozenset[str]:
    """The services that may publish `routing_key` on `exchange` (none: only commands' senders)."""
    return frozenset(
        service
        for service, allowed in PUBLISHES.items()
        if exchange in allowed and re.match(allowed[exchange], routing_key)
    )


def queues_of(service: str) -> list[QueueSpec]:
    return [q for q in QUEUES if q.service == service]


async def declare_all(
    connection: aio_pika.abc.AbstractConnection, service: str | None = None
) -> None:
    """The exchanges, then the queues (one service's, or all), their dead-letter queues and bindings.

    A deployment with per-service broker users loads the whole topology from the definitions file
    (deploy/rabbitmq/definitions.json); each service then re-declares only what it may configure.
    """
    declarer = _Declarer(connection, await connection.channel())
    # A service on its own user may not configure the shared exchanges: it only checks they exist.
    passive = service is not None
    for name, kind in (
        *((name, aio_pika.ExchangeType.TOPIC) for name in (*PUBLIC_EXCHANGES, NOTIFY)),
        (DEAD_LETTERS, aio_pika.ExchangeType.DIRECT),
    ):
        await declarer.channel.declare_exchange(name, kind, durable=True, passive=passive)
    for spec in QUEUES if service is None else queues_of(service):
        queue = await declarer.queue(spec.name, spec.arguments)
        for key in spec.binding_keys:
            await queue.bind(spec.exchange, key)
        dlq = await declarer.queue(spec.dead_letter_queue, DEAD_LETTER_ARGUMENTS)
        await dlq.bind(DEAD_LETTERS, spec.name)
    for delay in DELAY_QUEUES:
        if service is None or delay.service == service:
            await declarer.queue(delay.name, delay.arguments)


@dataclass
class _Declarer:
    connection: aio_pika.abc.AbstractConnection
    channel: aio_pika.abc.AbstractChannel

    async def queue(self, name: str, arguments: dict[str, object]) -> aio_pika.abc.AbstractQueue:
        """Declare a queue; one declared by an earlier version with other arguments is used as it
        is (the broker refuses to change a queue's arguments), and the operator is told."""
        try:
            return await self.channel.declare_queue(name, durable=True, arguments=arguments)  # type: ignore[arg-type]
        except aio_pika.exceptions.ChannelPreconditionFailed as exc:
            log.warning(
                "topology.queue_arguments_differ",
                queue=name,
                error=str(exc),
                hint="hàng đợi được tạo bởi phiên bản cũ, chưa có giới hạn độ dài: xoá hàng đợi "
                "khi đã rỗng để tạo lại, hoặc đặt policy max-length/overflow",
            )
            self.channel = await self.connection.channel()
            return await self.channel.declare_queue(name, passive=True)
