"""The pipeline's third stage: a valid message handed to what applies it, once.

A command runs in one transaction with its state change, the events it causes, its outcome
(in the outbox, to its reply queue) and its inbox entry; a duplicate gets the first outcome
again, a broken rule `rejected` with every reason. An event is applied once (inbox), alone or
in a batch of its queue's events, one transaction each. A task does its work itself. Messages
about the same thing (the service's ordering keys) run one at a time in this process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aio_pika
from pydantic import BaseModel

from shared import metrics
from shared.clock import Clock
from shared.contracts.catalogue import CATALOGUE
from shared.contracts.common import Outcome, OutcomeError, Rejected
from shared.contracts.envelope import CloudEvent, EnvelopeError, new_event, validate_data
from shared.logging import get_logger
from shared.messaging.batch import Delivery, EventBatches
from shared.messaging.handling import (
    ANY_EVENT,
    CommandHandler,
    EventHandler,
    HandlerContext,
    OrderingKey,
    TaskHandler,
)
from shared.messaging.outbox import OutboxRelay, UnitOfWork, commit
from shared.messaging.parse import is_reply_queue
from shared.storage import Database, DuplicateKeyError

log = get_logger(__name__)
T = TypeVar("T")


class KeyedLocks:
    """One lock per aggregate: messages about the same thing run one at a time in this process.

    Several instances still race; their transactions conflict and retry. This only spares one
    instance from fighting itself.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


@dataclass
class Dispatcher:
    service: str
    db: Database
    clock: Clock
    relay: OutboxRelay
    commands: Mapping[str, CommandHandler]
    events: Mapping[str, EventHandler]
    tasks: Mapping[str, TaskHandler] = field(default_factory=dict)
    ordering: Mapping[str, OrderingKey] = field(default_factory=dict)
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    # Events applied in batches of up to this many, one transaction each (1: one at a time).
    batch_size: int = 1
    batch_linger: float = 0.01
    batches: EventBatches | None = None

    def __post_init__(self) -> None:
        if self.batch_size > 1 and self.events:
            self.batches = EventBatches(
                apply=self._apply_event,
                commit=self._commit,
                single=lambda d: self._run_event(d.raw, d.event, d.data, d.handler),
                size=self.batch_size,
                linger=self.batch_linger,
            )

    def takes(self, key: str) -> bool:
        """Whether this queue has something that applies messages of this type."""
        found = self.commands.get(key) or self.tasks.get(key) or self._on_event(key)
        return found is not None and key in CATALOGUE

    def _on_event(self, key: str) -> EventHandler | None:
        return self.events.get(key) or self.events.get(ANY_EVENT)

    async def dispatch(
        self,
        raw: aio_pika.abc.AbstractIncomingMessage,
        event: CloudEvent[Any],
        key: str,
        data: BaseModel,
        sender: str | None,
    ) -> str:
        """Apply one message (its type taken: `takes`); what became of it."""
        command, task, on_event = self.commands.get(key), self.tasks.get(key), self._on_event(key)
        if self.batches is not None and on_event and not (command or task):
            # one batch at a time keeps the queue's order, each thing's events included
            return await self.batches.submit(Delivery(raw, event, data, on_event))
        ordering = self.ordering.get(key)
        async with self.locks.hold(ordering(data) if ordering else None):
            if command:
                return await self._run_command(raw, event, data, command, sender)
            if task:
                await task(data, event)
                log.info("task.done", event_type=event.type)
                return "done"
            if on_event is None:
                raise RuntimeError(f"no handler for {key}: dispatch only what `takes`")
            return await self._run_event(raw, event, data, on_event)

    async def _commit(self, work: Callable[[UnitOfWork], Awaitable[T]], correlation: str) -> T:
        return await commit(self.db, self.relay, self.service, self.clock, work, correlation)

    async def _run_command(
        self,
        raw: aio_pika.abc.AbstractIncomingMessage,
        event: CloudEvent[Any],
        data: BaseModel,
        handler: CommandHandler,
        sender: str | None,
    ) -> str:
        correlation = raw.correlation_id or event.id
        reply_to = raw.reply_to if is_reply_queue(raw.reply_to) else None
        outcome = await self._decide(event, data, handler, sender or "", reply_to, correlation)
        return outcome.status

    async def run_inline(
        self, key: str, data: Mapping[str, Any], *, sender: str, source: str, event_id: str
    ) -> Outcome:
        """A command that came through another door (HTTP): the same schema, handler, inbox and
        outcome as on the bus — the same id from the same sender is a duplicate — without AMQP."""
        event = new_event(key, data, source=source, event_id=event_id, time=self.clock.now())
        try:
            model = validate_data(CATALOGUE[key].model, event.data)
        except EnvelopeError as exc:
            errors = [OutcomeError.model_validate(e) for e in exc.errors]
            outcome = Outcome(
                command_id=event.id, command_type=event.type, status="rejected", errors=errors
            )
            metrics.MESSAGES.labels(self.service, "(http)", key, "rejected").inc()
            return outcome
        ordering = self.ordering.get(key)
        async with self.locks.hold(ordering(model) if ordering else None):
            outcome = await self._decide(event, model, self.commands[key], sender, None, event.id)
        metrics.MESSAGES.labels(self.service, "(http)", key, outcome.status).inc()
        return outcome

    async def _decide(
        self,
        event: CloudEvent[Any],
        data: BaseModel,
        handler: CommandHandler,
        sender: str,
        reply_to: str | None,
        correlation: str,
    ) -> Outcome:
        """Apply a command once and settle its one outcome in the same transaction."""

        async def settle(uow: UnitOfWork, outcome: Outcome) -> Outcome:
            await self.db.claim_inbox(
                uow.session,
                sender,
                event.source,
                event.id,
                event.type,
                outcome.model_dump(mode="json"),
            )
            if reply_to:
                uow.reply(reply_to, outcome)
            return outcome

        async def accept(uow: UnitOfWork) -> Outcome:
            result = await handler(data, HandlerContext(uow, event, self.clock, sender))
            return await settle(
                uow,
                Outcome(
                    command_id=event.id, command_type=event.type, status="accepted", result=result
                ),
            )

        try:
            # No inbox read first: the inbox's unique index answers a duplicate when the
            # transaction claims it, and a duplicate is rare (one round trip saved per command).
            try:
                outcome = await self._commit(accept, correlation)
            except Rejected as rejected:
                refusal = Outcome(
                    command_id=event.id,
                    command_type=event.type,
                    status="rejected",
                    errors=rejected.errors,
                )
                outcome = await self._commit(lambda uow: settle(uow, refusal), correlation)
        except DuplicateKeyError:
            outcome = await self._answer_duplicate(event, sender, reply_to, correlation)
        log.info(
            "command.handled",
            command_type=event.type,
            status=outcome.status,
            errors=[e.code or e.field for e in outcome.errors],
        )
        return outcome

    async def _answer_duplicate(
        self, event: CloudEvent[Any], sender: str, reply_to: str | None, correlation: str
    ) -> Outcome:
        first = await self.db.inbox_entry(sender, event.source, event.id)
        if first is None or first.get("outcome") is None:
            raise RuntimeError("duplicate key outside the inbox")  # a bug: retried, then parked
        outcome = Outcome.model_validate(first["outcome"]).again(event.id, event.type)

        async def answer(uow: UnitOfWork) -> None:
            if reply_to:
                uow.reply(reply_to, outcome)

        await self._commit(answer, correlation)  # an expected duplicate: acknowledged on purpose
        return outcome

    async def _apply_event(self, uow: UnitOfWork, delivery: Delivery) -> None:
        event = delivery.event
        await self.db.claim_inbox(uow.session, None, event.source, event.id, event.type)
        await delivery.handler(delivery.data, HandlerContext(uow, event, self.clock))

    async def _run_event(
        self,
        raw: aio_pika.abc.AbstractIncomingMessage,
        event: CloudEvent[Any],
        data: BaseModel,
        handler: EventHandler,
    ) -> str:
        async def apply(uow: UnitOfWork) -> None:
            await self._apply_event(uow, Delivery(raw, event, data, handler))

        try:
            await self._commit(apply, raw.correlation_id or event.id)
        except DuplicateKeyError:
            if await self.db.inbox_entry(None, event.source, event.id) is None:
                raise
            log.info("event.duplicate", event_type=event.type)  # acknowledged on purpose
            return "duplicate"
        log.info("event.handled", event_type=event.type)
        return "applied"
