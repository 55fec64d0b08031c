"""The pipeline every queue uses, in stages: parse, authorise, dispatch, settle, park.

1. parse (`parse.py`): the body as sent (unsealed if it was parked), its size, its reply queue,
   the CloudEvent, its type known here, its data valid;
2. authorise (`authorise.py`): who sent it, on which exchange, under which key, as the broker
   verified — and whether it may come that way;
3. dispatch (`dispatch.py`): the command, event or task applied once, in its transaction;
4. settle (here): acknowledged, and counted;
5. park (`park.py`): what cannot be applied kept with its reason in the dead-letter queue and
   answered `rejected`; a failure that may pass tried again, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import structlog
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage

from shared import metrics
from shared.clock import Clock
from shared.contracts.catalogue import CATALOGUE
from shared.contracts.common import Outcome
from shared.contracts.envelope import routing_key_of
from shared.crypto import FieldCipher
from shared.messaging import parse
from shared.messaging.authorise import Gate, Origin
from shared.messaging.batch import EventBatches
from shared.messaging.dispatch import Dispatcher, KeyedLocks
from shared.messaging.handling import CommandHandler, EventHandler, OrderingKey, TaskHandler
from shared.messaging.headers import SEALED
from shared.messaging.outbox import OutboxRelay
from shared.messaging.park import DeadLetters
from shared.messaging.senders import Senders
from shared.messaging.topology import QueueSpec
from shared.storage import Database


@dataclass
class Pipeline:
    service: str
    queue: QueueSpec
    db: Database
    broker: RabbitBroker
    clock: Clock
    relay: OutboxRelay
    max_attempts: int
    max_message_bytes: int
    commands: Mapping[str, CommandHandler]
    events: Mapping[str, EventHandler]
    ordering: Mapping[str, OrderingKey] = field(default_factory=dict)
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    tasks: Mapping[str, TaskHandler] = field(default_factory=dict)
    cipher: FieldCipher | None = None
    senders: Senders | None = None  # who may send which command; None: no check (unit tests)
    seal_dead_letters: bool = False  # a parked body may name a denouncer: keep it sealed
    # Deliveries being handled now, with when each message was sent (its CloudEvent time, or when
    # it arrived): the oldest of them is the oldest message this queue has not applied yet.
    in_flight: dict[int, datetime] = field(default_factory=dict)
    # Deliveries finished with (acknowledged, parked or sent back), since the process started:
    # with `in_flight` empty and this unchanged, the queue is at rest (tests wait on it).
    settled: int = 0
    # Events applied in batches of up to this many, one transaction each (1: one at a time).
    batch_size: int = 1
    batch_linger: float = 0.01

    def __post_init__(self) -> None:
        self.gate = Gate(self.queue.name, self.cipher, self.senders)
        self.dispatcher = Dispatcher(
            self.service,
            self.db,
            self.clock,
            self.relay,
            self.commands,
            self.events,
            self.tasks,
            self.ordering,
            self.locks,
            self.batch_size,
            self.batch_linger,
        )
        self.dead_letters = DeadLetters(
            self.service,
            self.queue,
            self.broker,
            self.clock,
            self.gate,
            self.max_attempts,
            self.cipher,
            self.seal_dead_letters,
        )

    @property
    def batches(self) -> EventBatches | None:
        return self.dispatcher.batches

    def oldest_unapplied(self) -> datetime | None:
        return min(self.in_flight.values(), default=None)

    def origin(self, raw: aio_pika.abc.AbstractIncomingMessage) -> Origin:
        return self.gate.origin(raw)

    async def run_inline(
        self, key: str, data: Mapping[str, Any], *, sender: str, source: str, event_id: str
    ) -> Outcome:
        """A command that came through another door (HTTP): the same schema, handler, inbox and
        outcome as on the bus — the same id from the same sender is a duplicate — without AMQP."""
        return await self.dispatcher.run_inline(
            key, data, sender=sender, source=source, event_id=event_id
        )

    async def __call__(self, message: RabbitMessage) -> None:
        raw: aio_pika.abc.AbstractIncomingMessage = message.raw_message
        structlog.contextvars.bind_contextvars(
            message_id=raw.message_id, correlation_id=raw.correlation_id, queue=self.queue.name
        )
        self.in_flight[id(raw)] = datetime.now(UTC)
        started = time.perf_counter()
        try:
            kind, result = await self._settle(message, raw)
        finally:
            self.in_flight.pop(id(raw), None)
            self.settled += 1
        metrics.MESSAGES.labels(self.service, self.queue.name, kind, result).inc()
        metrics.HANDLER_SECONDS.labels(self.service, self.queue.name).observe(
            time.perf_counter() - started
        )

    async def _settle(
        self, message: RabbitMessage, raw: aio_pika.abc.AbstractIncomingMessage
    ) -> tuple[str, str]:
        """Acknowledged once applied or parked, or sent back for another try: (the message's
        type, what became of it), for the metrics."""
        try:
            kind, result = await self._process(raw)
        except parse.Malformed as bad:
            await self.dead_letters.park(
                raw,
                bad.errors,
                reply_event=bad.event,
                event_id=bad.event_id,
                keep_body=bad.keep_body,
            )
            await message.ack()  # kept in the dead-letter queue: off this queue
            key = routing_key_of(bad.event.type) if bad.event is not None else "unknown"
            return (key if key in CATALOGUE else "unknown"), "parked"
        except Exception as exc:
            parked = await self.dead_letters.failed(message, raw, exc)
            return "unknown", "parked" if parked else "retried"
        await message.ack()
        return kind, result

    def _opened(self, raw: aio_pika.abc.AbstractIncomingMessage) -> bytes:
        """The body as sent: a sealed one (parked, then replayed) is unsealed with the service's key."""
        if (raw.headers or {}).get(SEALED) and self.cipher is not None:
            return self.cipher.unseal(raw.body, context=self.dead_letters.seal_context)
        return raw.body

    async def _process(self, raw: aio_pika.abc.AbstractIncomingMessage) -> tuple[str, str]:
        """Parse, authorise, dispatch: (the message's type, what became of it)."""
        event = parse.read(self._opened(raw), raw, self.max_message_bytes)
        structlog.contextvars.bind_contextvars(event_id=event.id, event_type=event.type)
        if event.time and event.time.tzinfo and id(raw) in self.in_flight:
            self.in_flight[id(raw)] = min(self.in_flight[id(raw)], event.time)
        key = routing_key_of(event.type)
        if not self.dispatcher.takes(key):
            raise parse.unknown(event)
        origin = self.gate.origin(raw)
        refused = self.gate.refusal(origin, key)
        if refused is not None:
            raise parse.Malformed([refused], event=event)
        data = parse.validated(key, event)
        return key, await self.dispatcher.dispatch(raw, event, key, data, origin.sender)
