"""Other services' commands, sent as this service's broker user, each outcome awaited: what a
service with people in front of it (the office's pages) needs of the bus.

A command's id is made when its form is drawn, not when it is sent: sent again (a double click, a
page posted twice, a retry after a timeout), the owning service's inbox answers with the first
outcome, marked `duplicate`, and nothing is done twice. Nothing is kept here: a command whose
outcome did not come in time is `CommandPending`, and sending it again says how it ended.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractQueue

from shared.contracts.catalogue import CATALOGUE, INBOUND
from shared.contracts.common import Outcome
from shared.contracts.envelope import STRUCTURED_CONTENT_TYPE, new_event, to_structured
from shared.messaging.senders import amqp_user

OUTCOME_SECONDS = 30.0


class CommandPending(TimeoutError):
    """No outcome yet: the command may still be applied (send it again, with its id, to know)."""

    def __init__(self, command_id: str, seconds: float) -> None:
        super().__init__(f"no outcome for {command_id} after {seconds:.0f} s")
        self.command_id = command_id


class CommandClient:
    """One connection and one server-named reply queue for every command this process sends.

    Not aio-pika's robust connection: a reply queue is exclusive and server-named, and a robust
    channel would declare it again under its old name, which the broker refuses; a lost
    connection is opened again, with a new reply queue, by the next command."""

    def __init__(self, amqp_url: str, source: str) -> None:
        self.amqp_url, self.source = amqp_url, source
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._replies: AbstractQueue | None = None
        self._waiting: dict[str, asyncio.Future[Outcome]] = {}
        self._opening = asyncio.Lock()

    async def _open(self) -> tuple[AbstractChannel, AbstractQueue]:
        async with self._opening:
            if self._connection is None or self._connection.is_closed:
                self._connection = await aio_pika.connect(self.amqp_url)
                self._channel = await self._connection.channel(publisher_confirms=True)
                self._replies = await self._channel.declare_queue(exclusive=True)
                await self._replies.consume(self._on_reply, no_ack=True)
            if self._channel is None or self._replies is None:
                raise RuntimeError("the command client's channel did not open")
            return self._channel, self._replies

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        for future in self._waiting.values():
            future.cancel()
        self._waiting.clear()

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self._waiting.pop(message.correlation_id or "", None)
        if future is None or future.done():
            return  # an outcome nobody waits for any more: its sender asks again, by its id
        try:
            future.set_result(Outcome.model_validate(json.loads(message.body)["data"]))
        except (ValueError, KeyError) as exc:  # not an outcome: the waiting page says so
            future.set_exception(exc)

    async def send(
        self,
        key: str,
        data: Mapping[str, Any],
        *,
        command_id: str,
        at: datetime,
        acted_by: str | None = None,
        timeout: float = OUTCOME_SECONDS,
    ) -> Outcome:
        """Publish `key` with `data` as command `command_id` (made when its form was drawn), for
        the person `acted_by`, and return its outcome, or raise `CommandPending` after `timeout`
        seconds."""
        if CATALOGUE[key].kind != "command":
            raise ValueError(f"{key} is not a command")
        channel, replies = await self._open()
        event = new_event(
            key, dict(data), source=self.source, event_id=command_id, time=at, acted_by=acted_by
        )
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting[command_id] = future
        exchange = await channel.get_exchange(INBOUND, ensure=False)
        try:
            await exchange.publish(
                aio_pika.Message(
                    to_structured(event),
                    content_type=STRUCTURED_CONTENT_TYPE,
                    message_id=command_id,
                    correlation_id=command_id,
                    reply_to=replies.name,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    user_id=amqp_user(self.amqp_url),  # checked by the broker, then the service
                ),
                routing_key=key,
                mandatory=True,
            )
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise CommandPending(command_id, timeout) from None
        finally:
            self._waiting.pop(command_id, None)
