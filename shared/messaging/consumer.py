"""The consumer pipeline every queue uses: parse, validate, inbox, handle, outbox, or park with a reason."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import aio_pika
import structlog
from cryptography.exceptions import InvalidTag
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from pydantic import BaseModel

from shared import metrics, vi
from shared.clock import Clock
from shared.contracts.catalogue import CATALOGUE
from shared.contracts.common import Outcome, OutcomeError, Rejected
from shared.contracts.envelope import (
    STRUCTURED_CONTENT_TYPE,
    CloudEvent,
    EnvelopeError,
    new_event,
    parse_message,
    routing_key_of,
    to_structured,
    validate_data,
)
from shared.crypto import FieldCipher
from shared.logging import get_logger, redact_text
from shared.messaging.batch import Delivery, EventBatches
from shared.messaging.outbox import OutboxRelay, UnitOfWork, commit, outcome_event
from shared.messaging.senders import Senders
from shared.messaging.topology import QueueSpec, publishers_of
from shared.storage import Database, DuplicateKeyError, Session

log = get_logger(__name__)
T = TypeVar("T")
DLQ_HEADER_PREFIX = "x-nghedan-"
SEALED = DLQ_HEADER_PREFIX + "sealed"
# How often an operator sent a message back, and whether its body is sealed, survive parking.
SENDER = DLQ_HEADER_PREFIX + "sender"  # a parked message's sender, for the operator to read
# Who sent a parked message, on which exchange and routing key, into which queue, with a hash of
# the body kept: sealed by the service that parked it, so a replay is believed only from it.
ORIGIN = DLQ_HEADER_PREFIX + "origin"
BODY_DROPPED = DLQ_HEADER_PREFIX + "body-dropped"  # an oversized body's size: the body is not kept
KEPT_WHEN_PARKED = (DLQ_HEADER_PREFIX + "replays", SEALED)


@dataclass(frozen=True)
class Origin:
    """Who sent a message (its broker-verified AMQP user_id), on which exchange, under which key."""

    sender: str | None
    exchange: str
    routing_key: str


ANY_EVENT = "*"  # an event handler under this key takes every catalogued event its queue receives


@dataclass
class HandlerContext:
    uow: UnitOfWork
    event: CloudEvent[Any]
    clock: Clock
    sender: str | None = None  # a command's broker-verified sender

    @property
    def session(self) -> Session:
        return self.uow.session


CommandHandler = Callable[[Any, HandlerContext], Awaitable[dict[str, Any]]]
EventHandler = Callable[[Any, HandlerContext], Awaitable[None]]
# A task does work outside any transaction (a call to a provider) and commits by itself; it must be
# idempotent through its own state, since no inbox stands in front of it.
TaskHandler = Callable[[Any, CloudEvent[Any]], Awaitable[None]]
OrderingKey = Callable[[Any], str | None]  # None: no order needed


async def apply_rows(
    ctx: HandlerContext,
    rows: list[tuple[str, dict[str, Any]]],
    row_type: str,
    handler: CommandHandler,
) -> dict[str, Any]:
    """A batch command's rows, each as the command `row_type` would be, in their order and in the
    batch's transaction: one outcome per row (`accepted`, `duplicate` of its first outcome, or
    `rejected` with its reasons), each row kept in the inbox as that command, so sending a row
    again, alone or in another batch, is a duplicate. `handler` must refuse a row (Rejected)
    before it writes anything, so a refused row leaves nothing behind."""
    source = ctx.event.source
    seen = await ctx.uow.db.inbox_entries(ctx.session, ctx.sender, source, [i for i, _ in rows])
    answers: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for row_id, row_data in rows:
        if row_id in seen:
            first = Outcome.model_validate(seen[row_id]["outcome"])
            outcome = first.again(row_id, row_type)
        else:
            outcome, judged = await _judge_row(ctx, row_id, row_type, row_data, handler)
            # A row that fails its schema is judged again when sent again, as a parked command
            # is: only what was judged against the rules is remembered.
            if judged:
                entry = {"sender": ctx.sender, "source": source, "id": row_id, "type": row_type}
                seen[row_id] = entry | {"outcome": outcome.model_dump(mode="json")}
                claims.append(seen[row_id])
        answers.append(outcome.model_dump(mode="json", exclude_none=True))
    await ctx.uow.db.claim_inbox_many(ctx.session, claims)
    counts = {status: sum(a["status"] == status for a in answers) for status in STATUSES}
    return {"rows": answers, **counts}


STATUSES = ("accepted", "duplicate", "rejected")


async def _judge_row(
    ctx: HandlerContext,
    row_id: str,
    row_type: str,
    row_data: dict[str, Any],
    handler: CommandHandler,
) -> tuple[Outcome, bool]:
    """One row's outcome, and whether it was judged against the rules (not refused by schema)."""
    try:
        data = validate_data(CATALOGUE[routing_key_of(row_type)].model, row_data)
    except EnvelopeError as bad:
        errors = [OutcomeError(**e) for e in bad.errors]
        return Outcome(
            command_id=row_id, command_type=row_type, status="rejected", errors=errors
        ), False
    try:
        result = await handler(data, ctx)
    except Rejected as refused:
        return Outcome(
            command_id=row_id, command_type=row_type, status="rejected", errors=refused.errors
        ), True
    return Outcome(command_id=row_id, command_type=row_type, status="accepted", result=result), True


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


def problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


class Malformed(Exception):
    def __init__(
        self,
        errors: list[dict[str, str]],
        event: CloudEvent[Any] | None = None,
        event_id: str | None = None,
        keep_body: bool = True,
    ) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors, self.event, self.event_id = errors, event, event_id
        self.keep_body = keep_body  # an oversized body is not kept: its size and headers are


def is_reply_queue(name: str | None) -> bool:
    """Outcomes go only to a client's own reply queue (server-named, or direct reply-to): never
    into another service's queue, where an outcome could pose as a command."""
    return name is not None and name.startswith(("amq.gen-", "amq.rabbitmq.reply-to"))


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

    def oldest_unapplied(self) -> datetime | None:
        return min(self.in_flight.values(), default=None)

    @property
    def _seal_context(self) -> str:
        return f"dead-letter:{self.queue.name}"

    def _opened(self, raw: aio_pika.abc.AbstractIncomingMessage) -> bytes:
        """The body as sent: a sealed one (parked, then replayed) is unsealed with the service's key."""
        if (raw.headers or {}).get(SEALED) and self.cipher is not None:
            return self.cipher.unseal(raw.body, context=self._seal_context)
        return raw.body

    async def __call__(self, message: RabbitMessage) -> None:
        raw: aio_pika.abc.AbstractIncomingMessage = message.raw_message
        structlog.contextvars.bind_contextvars(
            message_id=raw.message_id, correlation_id=raw.correlation_id, queue=self.queue.name
        )
        self.in_flight[id(raw)] = datetime.now(UTC)
        started = time.perf_counter()
        try:
            kind, result = await self._handle(message, raw)
        finally:
            self.in_flight.pop(id(raw), None)
            self.settled += 1
        metrics.MESSAGES.labels(self.service, self.queue.name, kind, result).inc()
        metrics.HANDLER_SECONDS.labels(self.service, self.queue.name).observe(
            time.perf_counter() - started
        )

    async def _handle(
        self, message: RabbitMessage, raw: aio_pika.abc.AbstractIncomingMessage
    ) -> tuple[str, str]:
        """(the message's type, what became of it), for the metrics."""
        try:
            kind, result = await self._process(raw)
        except Malformed as bad:
            await self._park(
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
            parked = await self._failed(message, raw, exc)
            return "unknown", "parked" if parked else "retried"
        await message.ack()
        return kind, result

    def sender(self, raw: aio_pika.abc.AbstractIncomingMessage) -> str | None:
        return self.origin(raw).sender

    @property
    def _origin_context(self) -> str:
        return f"dead-letter-origin:{self.queue.name}"

    def origin(self, raw: aio_pika.abc.AbstractIncomingMessage) -> Origin:
        """Who sent it and how, as the broker verified (AMQP user_id, exchange, routing key). A
        dead letter the operator replays stands for its first sending only if this queue's
        service sealed that origin when it parked the very same body: a header anyone may set
        is never believed."""
        told = Origin(raw.user_id, raw.exchange or "", raw.routing_key or "")
        kept = (raw.headers or {}).get(ORIGIN)
        if not (kept and self.cipher and self.senders and self.senders.may_replay(raw.user_id)):
            return told
        try:
            sealed = base64.b64decode(kept if isinstance(kept, bytes) else str(kept), validate=True)
            first = json.loads(self.cipher.unseal(sealed, context=self._origin_context))
        except (InvalidTag, ValueError, UnicodeError, binascii.Error):
            log.warning("dead_letter.origin_unverified")
            return told
        if first.get("body") != hashlib.sha256(raw.body).hexdigest():
            log.warning("dead_letter.origin_unverified")
            return told
        return Origin(first.get("sender"), first["exchange"], first["routing_key"])

    def _sealed_origin(self, origin: Origin, body: bytes) -> str | None:
        if self.cipher is None:
            return None
        kept = {
            "sender": origin.sender,
            "exchange": origin.exchange,
            "routing_key": origin.routing_key,
            "body": hashlib.sha256(body).hexdigest(),
        }
        sealed = self.cipher.seal(json.dumps(kept).encode(), context=self._origin_context)
        return base64.b64encode(sealed).decode()

    def refusal(self, origin: Origin, key: str) -> dict[str, str] | None:
        """Why a message of this type may not come this way from this sender, or None. Its type
        must be the routing key it was published under, on the exchange that carries it; a
        command must come from a sender allowed to send it, anything else from the service the
        topology says publishes it (a service's user reaches every queue through the default
        exchange, which the broker cannot limit by routing key: this check does)."""
        if self.senders is None:
            return None
        spec = CATALOGUE[key]
        if (origin.exchange, origin.routing_key) != (spec.exchange, key):
            text = vi.WRONG_ROUTE.format(
                type=key,
                exchange=origin.exchange or vi.DEFAULT_EXCHANGE,
                routing_key=origin.routing_key,
                expected=spec.exchange,
            )
            return problem("type", "wrong_route", text)
        who = origin.sender
        if spec.kind == "command":
            if self.senders.allows(who, key):
                return None
            text = (vi.NOT_PERMITTED if who else vi.NO_USER_ID).format(user=who, type=key)
            return problem("user_id", "not_permitted", text)
        if self.senders.may_publish(who, spec.exchange, key):
            return None
        owners = ", ".join(sorted(publishers_of(spec.exchange, key))) or "—"
        return problem("user_id", "forged", vi.FORGED.format(user=who, type=key, owners=owners))

    async def _process(self, raw: aio_pika.abc.AbstractIncomingMessage) -> tuple[str, str]:
        body = self._opened(raw)
        if len(body) > self.max_message_bytes:
            limit = self.max_message_bytes
            raise Malformed(
                [problem("(body)", "oversized", vi.OVERSIZED.format(size=len(body), limit=limit))],
                keep_body=False,
            )
        if raw.reply_to and not is_reply_queue(raw.reply_to):
            text = vi.NOT_A_REPLY_QUEUE.format(queue=raw.reply_to)
            raise Malformed([problem("reply_to", "reply_to_refused", text)])
        try:
            event = parse_message(body, raw.content_type, raw.headers)
        except EnvelopeError as exc:
            raise Malformed(exc.errors, event_id=exc.event_id) from exc
        structlog.contextvars.bind_contextvars(event_id=event.id, event_type=event.type)
        if event.time and event.time.tzinfo and id(raw) in self.in_flight:
            self.in_flight[id(raw)] = min(self.in_flight[id(raw)], event.time)
        key = routing_key_of(event.type)
        command, task = self.commands.get(key), self.tasks.get(key)
        on_event = self.events.get(key) or self.events.get(ANY_EVENT)
        if not (command or task or on_event) or key not in CATALOGUE:
            text = vi.UNKNOWN_TYPE.format(type=event.type)
            raise Malformed([problem("type", "unknown_type", text)], event=event)
        refused = self.refusal(self.origin(raw), key)
        if refused is not None:
            raise Malformed([refused], event=event)
        try:
            data = validate_data(CATALOGUE[key].model, event.data)
        except EnvelopeError as exc:
            raise Malformed(exc.errors, event=event) from exc
        if self.batches is not None and on_event and not (command or task):
            # one batch at a time keeps the queue's order, each thing's events included
            return key, await self.batches.submit(Delivery(raw, event, data, on_event))
        ordering = self.ordering.get(key)
        async with self.locks.hold(ordering(data) if ordering else None):
            if command:
                return key, await self._run_command(raw, event, data, command)
            if task:
                await task(data, event)
                log.info("task.done", event_type=event.type)
                return key, "done"
            if on_event:
                return key, await self._run_event(raw, event, data, on_event)
        raise Malformed([problem("type", "unknown_type", vi.UNKNOWN_TYPE.format(type=event.type))])

    async def _commit(self, work: Callable[[UnitOfWork], Awaitable[T]], correlation: str) -> T:
        return await commit(self.db, self.relay, self.service, self.clock, work, correlation)

    async def _run_command(
        self,
        raw: aio_pika.abc.AbstractIncomingMessage,
        event: CloudEvent[Any],
        data: BaseModel,
        handler: CommandHandler,
    ) -> str:
        correlation = raw.correlation_id or event.id
        reply_to = raw.reply_to if is_reply_queue(raw.reply_to) else None
        outcome = await self._decide(
            event, data, handler, self.sender(raw) or "", reply_to, correlation
        )
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

    async def _failed(
        self, message: RabbitMessage, raw: aio_pika.abc.AbstractIncomingMessage, exc: Exception
    ) -> bool:
        """Tried again, or after the last attempt parked (True)."""
        attempts = int(str((raw.headers or {}).get("x-delivery-count") or 0)) + 1
        error = redact_text(f"{type(exc).__name__}: {exc}")  # the reason is kept on the broker too
        if attempts < self.max_attempts:
            log.warning("message.retry", attempt=attempts, error=error)
            await message.reject(requeue=True)  # a counted retry: reject, not nack (RabbitMQ 4.3)
            return False
        reason = vi.HANDLER_FAILED.format(attempts=attempts, error=error)
        await self._park(raw, [problem("(handler)", "handler_failed", reason)], answer=False)
        await message.ack()
        return True

    async def _park(
        self,
        raw: aio_pika.abc.AbstractIncomingMessage,
        errors: list[dict[str, str]],
        *,
        reply_event: CloudEvent[Any] | None = None,
        event_id: str | None = None,
        answer: bool = True,
        keep_body: bool = True,
    ) -> None:
        """Keep the message, with its reason, in this queue's dead-letter queue; answer `rejected`."""
        reason = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        headers = {
            k: v
            for k, v in (raw.headers or {}).items()
            if k in KEPT_WHEN_PARKED or not k.startswith(DLQ_HEADER_PREFIX)
        }
        body = raw.body if keep_body else b""
        if not keep_body:
            headers[BODY_DROPPED] = len(raw.body)
        if keep_body and self.seal_dead_letters and self.cipher and not headers.get(SEALED):
            body = self.cipher.seal(raw.body, context=self._seal_context)
            headers[SEALED] = 1
        origin = self.origin(raw)
        sealed_origin = self._sealed_origin(origin, body)
        if sealed_origin is not None:
            headers[ORIGIN] = sealed_origin
        headers.update(
            {
                SENDER: origin.sender or "",
                "x-nghedan-reason": reason,
                "x-nghedan-queue": self.queue.name,
                "x-nghedan-exchange": origin.exchange,
                "x-nghedan-routing-key": origin.routing_key,
                "x-nghedan-service": self.service,
                "x-nghedan-failed-at": datetime.now(UTC).isoformat(),
            }
        )
        await self.broker.publish(
            body,
            routing_key=self.queue.dead_letter_queue,
            headers=headers,
            persist=True,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            reply_to=raw.reply_to if is_reply_queue(raw.reply_to) else None,
            content_type=raw.content_type,
            mandatory=True,
        )
        log.warning("message.dead_lettered", reason=reason)
        if answer and is_reply_queue(raw.reply_to):
            command_id = (
                (reply_event.id if reply_event else None) or event_id or raw.message_id or ""
            )
            outcome = Outcome(
                command_id=command_id,
                command_type=reply_event.type if reply_event else "",
                status="rejected",
                errors=[OutcomeError(**e) for e in errors],
            )
            reply = outcome_event(outcome, self.service, self.clock)
            await self.broker.publish(
                to_structured(reply),
                routing_key=raw.reply_to or "",
                persist=True,
                mandatory=False,
                message_id=reply.id,
                correlation_id=command_id,
                content_type=STRUCTURED_CONTENT_TYPE,
            )
