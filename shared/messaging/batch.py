"""Events applied in batches: one transaction for the deliveries that arrived together."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from pydantic import BaseModel

from shared.contracts.envelope import CloudEvent
from shared.logging import get_logger
from shared.messaging.outbox import UnitOfWork

log = get_logger(__name__)

Apply = Callable[[UnitOfWork, "Delivery"], Awaitable[None]]  # inbox claim + handler, in a uow
Commit = Callable[[Callable[[UnitOfWork], Awaitable[None]], str], Awaitable[None]]
Single = Callable[["Delivery"], Awaitable[str]]  # the one-event path: "applied" or "duplicate"


@dataclass
class Delivery:
    raw: aio_pika.abc.AbstractIncomingMessage
    event: CloudEvent[Any]
    data: BaseModel
    handler: Any
    done: asyncio.Future[str] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class EventBatches:
    """Up to `size` deliveries that arrived within `linger` seconds are applied in one transaction
    (each one's inbox claim and handler, in delivery order) and acknowledged together after it
    commits. One batch at a time per queue, so each thing's events keep their order. A batch that
    fails (a duplicate inside it, a poison message, a conflict) is applied again one delivery at a
    time: a duplicate is then acknowledged on purpose and a poison message fails alone."""

    apply: Apply
    commit: Commit
    single: Single
    size: int = 32
    linger: float = 0.01
    batches: int = 0
    applied: int = 0
    _waiting: list[Delivery] = field(default_factory=list)
    _full: asyncio.Event = field(default_factory=asyncio.Event)
    _flusher: asyncio.Task[None] | None = None

    async def submit(self, delivery: Delivery) -> str:
        """Once the delivery is applied: "applied", or "duplicate" when applied alone it was one;
        raises what applying it alone raised."""
        self._waiting.append(delivery)
        if len(self._waiting) >= self.size:
            self._full.set()
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="event-batches")
        return await delivery.done

    async def _flush(self) -> None:
        try:
            try:
                await asyncio.wait_for(self._full.wait(), self.linger)
            except TimeoutError:
                pass
            while self._waiting:
                batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
                self._full.clear()
                await self._apply(batch)
        finally:
            self._flusher = None

    async def _apply(self, batch: list[Delivery]) -> None:
        async def work(uow: UnitOfWork) -> None:
            for delivery in batch:
                await self.apply(uow, delivery)

        try:
            await self.commit(work, batch[0].event.id)
        except Exception as exc:  # the batch failed as a whole: each one alone, in order
            log.info("events.batch_split", size=len(batch), error=type(exc).__name__)
            for delivery in batch:
                try:
                    result = await self.single(delivery)
                except Exception as alone:
                    _settle(delivery, alone)
                else:
                    _settle(delivery, None, result)
            return
        self.batches += 1
        self.applied += len(batch)
        types = Counter(d.event.type.removeprefix("vn.nghedan.") for d in batch)
        log.info("events.handled", count=len(batch), types=dict(types))
        for delivery in batch:
            _settle(delivery, None)


def _settle(delivery: Delivery, error: Exception | None, result: str = "applied") -> None:
    if delivery.done.done():  # its task was cancelled (the service stopping): nothing to tell
        return
    if error is None:
        delivery.done.set_result(result)
    else:
        delivery.done.set_exception(error)
