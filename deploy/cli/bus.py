"""The CLI's side of the bus: send commands and collect outcomes, read and replay dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from aiormq.exceptions import ChannelNotFoundEntity

from shared.contracts.catalogue import INBOUND
from shared.contracts.envelope import STRUCTURED_CONTENT_TYPE, routing_key_of, type_of
from shared.messaging.headers import BODY_DROPPED, DLQ_HEADER_PREFIX, ORIGIN, SEALED, SENDER
from shared.messaging.senders import amqp_user
from shared.messaging.topology import QUEUES, QUEUES_BY_NAME

CLI_SOURCE = "/nghedan/cli"


def as_command(doc: dict[str, Any], *, source: str = CLI_SOURCE) -> dict[str, Any]:
    """A full structured CloudEvent from a file's content: `{type, data}` or a whole event."""
    if "type" not in doc or "data" not in doc:
        raise ValueError("tệp lệnh cần có `type` (ví dụ registration.create-session.v1) và `data`")
    event = dict(doc)
    if not event["type"].startswith("vn.nghedan."):
        event["type"] = type_of(event["type"])
    event.setdefault("specversion", "1.0")
    event.setdefault("id", str(uuid.uuid4()))
    event.setdefault("source", source)
    event.setdefault("time", datetime.now(UTC).isoformat())
    event.setdefault("datacontenttype", "application/json")
    return event


@dataclass
class Bus:
    url: str
    connection: aio_pika.abc.AbstractConnection | None = None
    channel: AbstractChannel | None = None
    replies: AbstractQueue | None = None
    waiting: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)

    async def __aenter__(self) -> Bus:
        # Not a robust connection: its queues get client-made names, and outcomes go only to
        # server-named reply queues (amq.gen-…). A command-line run is short; it just reconnects.
        self.connection = await aio_pika.connect(self.url)
        self.channel = await self.connection.channel(publisher_confirms=True)
        self.replies = await self.channel.declare_queue(exclusive=True, auto_delete=True)
        await self.replies.consume(self._on_reply, no_ack=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.connection:
            await self.connection.close()

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self.waiting.pop(message.correlation_id or "", None)
        if future and not future.done():
            future.set_result(json.loads(message.body).get("data", {}))

    async def publish(
        self, event: dict[str, Any], *, reply: bool = True
    ) -> asyncio.Future[dict[str, Any]]:
        if not (self.channel and self.replies):
            raise RuntimeError("Bus is used outside `async with`")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        if reply:
            self.waiting[event["id"]] = future
        exchange = await self.channel.get_exchange(INBOUND, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                json.dumps(event, ensure_ascii=False).encode(),
                content_type=STRUCTURED_CONTENT_TYPE,
                message_id=event["id"],
                correlation_id=event["id"],
                reply_to=self.replies.name if reply else None,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                user_id=amqp_user(self.url),  # checked by the broker, then by the service
            ),
            routing_key=routing_key_of(event["type"]),
            mandatory=True,
        )
        return future

    async def send(self, event: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
        future = await self.publish(event)
        return await asyncio.wait_for(future, timeout)

    async def send_many(
        self,
        events: Iterable[dict[str, Any]],
        *,
        window: int = 16,
        timeout: float = 120,
        on_outcome: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Publish in the given order (a list's order is its order of arrival), with at most
        `window` commands awaiting their outcome; outcomes come back in input order."""
        gate = asyncio.Semaphore(window)

        async def settle(
            index: int, event: dict[str, Any], future: asyncio.Future[dict[str, Any]]
        ) -> dict[str, Any]:
            try:
                outcome = await asyncio.wait_for(future, timeout)
            except TimeoutError:
                message = f"không nhận được kết quả sau {timeout:.0f} giây"
                outcome = {
                    "command_id": event["id"],
                    "status": "no_outcome",
                    "errors": [{"field": "(bus)", "message": message}],
                }
            finally:
                gate.release()
            if on_outcome:
                on_outcome(index, outcome)
            return outcome

        waiting = []
        for index, event in enumerate(events):
            await gate.acquire()
            waiting.append(asyncio.create_task(settle(index, event, await self.publish(event))))
        return list(await asyncio.gather(*waiting))


async def queue_depths(url: str) -> list[dict[str, Any]]:
    """Messages and consumers of every queue and dead-letter queue (passive declares)."""
    rows = []
    connection = await aio_pika.connect(url)
    async with connection:
        for spec in QUEUES:
            for name in (spec.name, spec.dead_letter_queue):
                channel = await connection.channel()
                try:
                    declared = await channel.declare_queue(name, passive=True)
                    result = declared.declaration_result
                    rows.append(
                        {
                            "queue": name,
                            "service": spec.service,
                            "messages": result.message_count,
                            "consumers": result.consumer_count,
                        }
                    )
                except ChannelNotFoundEntity:
                    rows.append(
                        {
                            "queue": name,
                            "service": spec.service,
                            "messages": None,
                            "consumers": None,
                        }
                    )
    return rows


def describe_dead_letter(message: AbstractIncomingMessage) -> dict[str, Any]:
    headers = message.headers or {}

    def text(key: str) -> str:
        value = headers.get(DLQ_HEADER_PREFIX + key, "")
        return value.decode() if isinstance(value, bytes) else str(value)

    reason = text("reason")
    deaths = headers.get("x-death")
    if not reason and isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        cause = deaths[0].get("reason")  # dead-lettered by the broker itself
        reason = f"broker: {cause.decode() if isinstance(cause, bytes) else cause}"
    return {
        "message_id": message.message_id,
        "queue": text("queue"),
        "reason": reason,
        "failed_at": text("failed-at"),
        "routing_key": text("routing-key"),
        "size": len(message.body),
        "body_dropped": int(str(headers.get(BODY_DROPPED) or 0)),
        "replayed": int(str(headers.get(DLQ_HEADER_PREFIX + "replays") or 0)),
    }


def dead_letter_queues(queue: str | None) -> list[str]:
    if queue:
        spec = QUEUES_BY_NAME.get(queue.removesuffix(".dlq"))
        if spec is None:
            raise ValueError(f"không có hàng đợi {queue}; có: {', '.join(QUEUES_BY_NAME)}")
        return [spec.dead_letter_queue]
    return [q.dead_letter_queue for q in QUEUES]


async def _drain(channel: AbstractChannel, name: str, limit: int) -> list[AbstractIncomingMessage]:
    try:
        queue = await channel.declare_queue(name, passive=True)
    except ChannelNotFoundEntity:  # never declared: the platform has not run on this broker yet
        return []
    messages: list[AbstractIncomingMessage] = []
    while len(messages) < limit and (message := await queue.get(no_ack=False, fail=False)):
        messages.append(message)
    return messages


async def list_dead_letters(
    url: str, queue: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Read dead letters without taking them: they go back when the channel closes unacknowledged."""
    found = []
    connection = await aio_pika.connect(url)
    async with connection:
        for name in dead_letter_queues(queue):
            channel = await connection.channel()
            for message in await _drain(channel, name, limit):
                found.append({"dlq": name, **describe_dead_letter(message)})
            await channel.close()
    return found


async def replay_dead_letters(
    url: str, queue: str | None = None, ids: set[str] | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Send dead letters back to the queue they failed in (all, or those with the given ids)."""
    replayed = []
    connection = await aio_pika.connect(url)
    async with connection:
        for name in dead_letter_queues(queue):
            channel = await connection.channel(publisher_confirms=True)
            for message in await _drain(channel, name, limit):
                info = describe_dead_letter(message)
                if ids is not None and info["message_id"] not in ids:
                    continue
                target = info["queue"] or name.removesuffix(".dlq")
                headers = {
                    k: v
                    for k, v in (message.headers or {}).items()
                    if (k in (SEALED, SENDER, ORIGIN) or not k.startswith(DLQ_HEADER_PREFIX))
                    and k not in ("x-death", "x-delivery-count")
                }
                headers[DLQ_HEADER_PREFIX + "replays"] = info["replayed"] + 1
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        message.body,
                        headers=headers,
                        content_type=message.content_type,
                        message_id=message.message_id,
                        correlation_id=message.correlation_id,
                        reply_to=message.reply_to,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        user_id=amqp_user(url),  # the operator; the letter keeps its sender
                    ),
                    routing_key=target,
                    mandatory=True,
                )
                await message.ack()
                replayed.append({"dlq": name, "to": target, **info})
            await channel.close()
    return replayed


async def purge_all(url: str) -> int:
    """Empty every queue of the topology (the demo starts its story afresh); messages dropped."""
    from shared.messaging.topology import DELAY_QUEUES

    names = [n for q in QUEUES for n in (q.name, q.dead_letter_queue)]
    names += [d.name for d in DELAY_QUEUES]
    dropped = 0
    connection = await aio_pika.connect(url)
    async with connection:
        for name in names:
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                continue  # not declared yet: nothing in it
            dropped += (await queue.purge()).message_count or 0
    return dropped
