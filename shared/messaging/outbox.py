"""The transactional outbox: a unit of work collects outgoing messages; a relay publishes them."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from aiormq.exceptions import PublishError
from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from shared.clock import Clock
from shared.contracts.catalogue import CATALOGUE, PROVINCIAL
from shared.contracts.common import OUTCOME_KEY, Outcome
from shared.contracts.envelope import STRUCTURED_CONTENT_TYPE, CloudEvent, new_event, to_structured
from shared.contracts.notification import Recipient, SendNotification
from shared.contracts.templates import Params
from shared.crypto import FieldCipher
from shared.logging import get_logger
from shared.storage import Database, Document, Session

log = get_logger(__name__)
T = TypeVar("T")
PUBLISH_TIMEOUT = 10.0
FAST_PATH_LEASE = timedelta(seconds=15)
PUBLISH_WINDOW = 64  # outbox rows awaiting their confirm at once


def source_of(service: str) -> str:
    return f"/nghedan/{service}"


def outcome_event(outcome: Outcome, service: str, clock: Clock) -> CloudEvent[Any]:
    """`vn.nghedan.outcome.v1`: absent fields are left out, so `result` only when there is one."""
    return new_event(
        OUTCOME_KEY,
        outcome.model_dump(mode="json", exclude_none=True),
        source=source_of(service),
        subject=outcome.command_id,
        time=clock.now(),
    )


class Message(NamedTuple):
    """A message a service publishes: its routing key, its contract data, its subject, and the
    delay queue it waits in first, with how long (none: sent at once)."""

    routing_key: str
    data: BaseModel
    subject: str | None = None
    delay: tuple[str, timedelta] | None = None


@dataclass
class UnitOfWork:
    """One transaction's session and the messages it will send once it commits."""

    db: Database
    session: Session
    service: str
    clock: Clock
    correlation_id: str | None = None
    lease_owner: str | None = None  # the relay that publishes these rows right after the commit
    cipher: FieldCipher | None = None  # seals rows that carry personal data
    rows: list[Document] = field(default_factory=list)
    # What to do once the transaction committed (counting it in the metrics): never on an abort.
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # The service's repository bound to this transaction (made on first use, one per unit of
    # work, so a record read twice is one object), and its life cycle's last step: save what
    # changed, publish the events, run the reactions (shared.lifecycle).
    repository: Any = None
    settle: Callable[[], Awaitable[None]] | None = None

    def emit(
        self,
        routing_key: str,
        data: BaseModel,
        *,
        subject: str | None = None,
        delay: tuple[str, timedelta] | None = None,
    ) -> str:
        """Record a message; it is published only if the transaction commits.

        A point-to-point request (it carries a contact) rests sealed in the outbox until sent.
        `delay` = (delay queue, how long): the message waits there, then dead-letters to its route.
        """
        spec = CATALOGUE[routing_key]
        if not isinstance(data, spec.model):
            raise TypeError(
                f"{routing_key} carries {spec.model.__name__}, not {type(data).__name__}"
            )
        event = new_event(
            routing_key,
            data,
            source=source_of(self.service),
            subject=subject,
            time=self.clock.now(),
        )
        body = to_structured(event)
        if spec.kind == "request":
            if self.cipher is None:
                raise RuntimeError(
                    f"{routing_key} carries a contact: the unit of work needs a cipher"
                )
            body = self.cipher.seal(body, context=f"outbox:{event.id}")
        exchange, key = (spec.exchange, routing_key) if delay is None else ("", delay[0])
        self._add(event.id, exchange, key, body, "request" if spec.kind == "request" else "event")
        if delay is not None:
            self.rows[-1]["expiration_ms"] = max(1, int(delay[1].total_seconds() * 1000))
        return event.id

    def publish(self, messages: Iterable[Message]) -> None:
        """Record each message, in order, as `emit` does."""
        for m in messages:
            self.emit(m.routing_key, m.data, subject=m.subject, delay=m.delay)

    def notify(
        self,
        cause: str,
        recipient: Recipient,
        params: Params,
        *,
        required: bool = False,
        send_by: date | None = None,
        subject: str | None = None,
    ) -> None:
        """Ask notification to send one message to one person (`notification.send.v1`, point to
        point: it carries the contact): the template `params` is for, with them as text; the
        cause and the contact make it unique."""
        request = SendNotification(
            cause_id=cause,
            template=params.template,
            recipient=recipient,
            params=params.as_params(),
            required_by_law=required,
            send_by=send_by,
        )
        self.emit("notification.send.v1", request, subject=subject or cause)

    def reply(self, reply_to: str, outcome: Outcome) -> None:
        event = outcome_event(outcome, self.service, self.clock)
        self._add(
            event.id, "", reply_to, to_structured(event), "reply", correlation_id=outcome.command_id
        )

    def _add(
        self,
        event_id: str,
        exchange: str,
        routing_key: str,
        body: bytes,
        kind: str,
        correlation_id: str | None = None,
    ) -> None:
        self.rows.append(
            {
                "_id": event_id,
                "exchange": exchange,
                "routing_key": routing_key,
                "body": body,
                "kind": kind,
                "correlation_id": correlation_id or self.correlation_id or event_id,
                "created_at": datetime.now(UTC),
                "order": len(self.rows),
                # Leased to the relay that publishes right after the commit; free for any otherwise.
                "lease_until": (
                    datetime.now(UTC) + FAST_PATH_LEASE
                    if self.lease_owner
                    else datetime.fromtimestamp(0, UTC)
                ),
                "lease_owner": self.lease_owner,
                "attempts": 0,
            }
        )

    async def flush(self) -> None:
        if self.settle is not None:
            await self.settle()
            # the events come before the command's reply, as when a handler published them, for
            # the relay too (it sends a transaction's rows by when they were made, then in order)
            self.rows.sort(key=lambda row: row["kind"] == "reply")
            made = min((row["created_at"] for row in self.rows), default=datetime.now(UTC))
            for order, row in enumerate(self.rows):
                row["order"], row["created_at"] = order, made
        await self.db.add_to_outbox(self.session, self.rows)


def _outlived(exc: BaseException) -> str:
    """What the relay logs of a failure it outlives; re-raises its own cancellation. A library may
    fail an await with CancelledError while this task is not being cancelled (aiormq does, when
    the broker's connection resets): that is an outage like any other."""
    task = asyncio.current_task()
    if isinstance(exc, asyncio.CancelledError) and task is not None and task.cancelling() > 0:
        raise exc
    return f"{type(exc).__name__}: {exc}"


async def publish_row(
    broker: RabbitBroker,
    row: Document,
    cipher: FieldCipher | None = None,
    user_id: str | None = None,
) -> bool:
    """Publish one outbox row with confirms; False when the broker returned it as unroutable.
    `user_id`: the service's own broker user, which the broker verifies and consumers check."""
    body = bytes(row["body"])
    if row["kind"] == "request":
        if cipher is None:
            raise RuntimeError("a sealed outbox row needs the service's cipher")
        body = (cipher.decrypt(body, context=f"outbox:{row['_id']}") or "").encode()
    async with asyncio.timeout(PUBLISH_TIMEOUT):
        try:
            await broker.publish(
                body,
                exchange=row["exchange"] or None,
                routing_key=row["routing_key"],
                message_id=row["_id"],
                correlation_id=row["correlation_id"],
                persist=True,
                mandatory=True,
                content_type=STRUCTURED_CONTENT_TYPE,
                user_id=user_id,
                expiration=timedelta(milliseconds=row["expiration_ms"])
                if row.get("expiration_ms")
                else None,
            )
        except PublishError:
            return False
    return True


class OutboxRelay:
    """Publishes pending outbox rows in order; safe with several instances (rows are leased)."""

    def __init__(
        self,
        db: Database,
        broker: RabbitBroker,
        *,
        poll_seconds: float = 1.0,
        lease: timedelta = timedelta(seconds=30),
        cipher: FieldCipher | None = None,
        window: int = PUBLISH_WINDOW,
        user_id: str | None = None,
    ) -> None:
        self.db, self.broker, self.poll_seconds, self.lease = db, broker, poll_seconds, lease
        self.user_id = user_id  # the service's broker user: what its messages say they come from
        self.window = window
        self._known_exchanges: set[str] = {""}  # the default exchange is never declared
        self.cipher = cipher
        self.owner = str(uuid.uuid4())
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        self.crash_trigger: Path | None = None  # the fault tests' switch (NGHEDAN_FAULT_TRIGGERS)

    def crash_if_asked(self) -> None:
        """The fault tests' crash between a commit and its publish: once per trigger file."""
        if self.crash_trigger is not None and self.crash_trigger.exists():
            self.crash_trigger.unlink(missing_ok=True)
            log.warning("fault.crash_after_commit")
            os._exit(137)  # as SIGKILL would: nothing flushed, nothing published

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.drain()
            except (Exception, asyncio.CancelledError) as exc:
                # the relay must outlive a broker or database outage, aiormq's CancelledError on a
                # connection reset included (it ended here once, and left rows unsent for good)
                log.warning("outbox.relay_error", error=_outlived(exc))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def drain(self) -> int:
        """Publish every row whose lease has run out (or that nobody leased), oldest first, a
        batch at a time with confirms in flight."""
        sent = 0
        while rows := await self.db.claim_outgoing(self.lease, self.owner, self.window):
            published, complete = await self._publish_in_order(rows)
            await self.db.forget_outgoing_many(published)
            sent += len(published)
            if not complete:
                return sent
        return sent

    async def publish_now(self, rows: list[Document]) -> None:
        """The fast path: publish a just-committed transaction's rows, leased to this relay, then
        forget them in one delete (a crash in between sends them again, with the same ids)."""
        published, complete = await self._publish_in_order(rows)
        await self.db.forget_outgoing_many(published)
        if not complete:
            self.wake()

    async def _publish_in_order(self, rows: list[Document]) -> tuple[list[str], bool]:
        """Publish rows in their order with up to `window` confirms awaited at once; the ids of
        the rows the broker took, and whether all of them went.

        Order holds because aiormq writes a channel's publishes under one FIFO lock, which the
        tasks reach in the order they are started: nothing before it waits, once the exchange is
        known (the first publish to an exchange declares it, so that one goes alone).
        After a failure nothing more is started; the rows not sent are released for a retry."""
        gate = asyncio.Semaphore(self.window)
        started: list[tuple[Document, asyncio.Task[bool]]] = []
        failed = asyncio.Event()

        async def one(row: Document) -> bool:
            try:
                sent = await self._send(row)
            finally:
                gate.release()
            if not sent:
                failed.set()
            return sent

        for row in rows:
            if failed.is_set():
                break
            await gate.acquire()
            task = asyncio.create_task(one(row))
            started.append((row, task))
            if row["exchange"] not in self._known_exchanges:
                if not await task:
                    break
                self._known_exchanges.add(row["exchange"])
        results = await asyncio.gather(*(task for _, task in started))
        published = [row["_id"] for (row, _), ok in zip(started, results, strict=True) if ok]
        for row in rows[len(started) :]:
            await self.db.release_outgoing(row["_id"], "an earlier row failed")
        return published, len(published) == len(rows)

    async def _send(self, row: Document) -> bool:
        """Publish one row; False (row released for a retry) when it must wait."""
        try:
            routed = await publish_row(self.broker, row, self.cipher, self.user_id)
        except (Exception, asyncio.CancelledError) as exc:  # the row waits for the next try
            error = _outlived(exc)
            await self.db.release_outgoing(row["_id"], error)
            log.warning("outbox.publish_failed", outbox_id=row["_id"], error=error)
            return False
        if not routed and row["exchange"] == PROVINCIAL:
            # A broadcast to other systems: none subscribed yet, none hears it (a province that
            # binds later asks for a period again, reporting.replay-results). Retried, it would sit
            # in the outbox for ever and keep every "caught up" wait from ending.
            log.info(
                "outbox.broadcast_unheard", outbox_id=row["_id"], routing_key=row["routing_key"]
            )
        elif not routed and row["kind"] != "reply":
            await self.db.release_outgoing(row["_id"], "unroutable")
            log.error(
                "outbox.event_unroutable", outbox_id=row["_id"], routing_key=row["routing_key"]
            )
            return False
        if not routed:  # the sender's reply queue is gone: nobody can read this outcome any more
            log.warning(
                "outbox.reply_unroutable", outbox_id=row["_id"], reply_to=row["routing_key"]
            )
        self.published += 1
        return True


async def commit(
    db: Database,
    relay: OutboxRelay,
    service: str,
    clock: Clock,
    work: Callable[[UnitOfWork], Awaitable[T]],
    correlation: str | None = None,
) -> T:
    """Run `work` in one transaction with its outgoing messages, then publish them at once.

    The rows are written leased to this relay, so no other relay takes them while they are
    published here; if this process dies first, the lease runs out and a relay sends them.
    """
    committed: list[UnitOfWork] = []

    async def attempt(session: Session) -> T:
        uow = UnitOfWork(
            db, session, service, clock, correlation, lease_owner=relay.owner, cipher=relay.cipher
        )
        result = await work(uow)
        await uow.flush()
        committed[:] = [uow]  # a retried transaction replaces the rows of the failed attempt
        return result

    result = await db.transaction(attempt)
    for done in committed[0].after_commit:
        done()
    relay.crash_if_asked()
    await relay.publish_now(committed[0].rows)
    return result
