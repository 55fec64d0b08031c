"""The pipeline's last stage for a message it cannot apply: kept, with its reason, in its queue's
dead-letter queue (sealed when it may name a person), and answered `rejected`; or, for a failure
it may outlive, sent back to be tried again (counted by the broker) until the last attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage

from shared import vi
from shared.clock import Clock
from shared.contracts.common import Outcome, OutcomeError
from shared.contracts.envelope import STRUCTURED_CONTENT_TYPE, CloudEvent, to_structured
from shared.crypto import FieldCipher
from shared.logging import get_logger, redact_text
from shared.messaging.authorise import Gate
from shared.messaging.headers import (
    BODY_DROPPED,
    DLQ_HEADER_PREFIX,
    KEPT_WHEN_PARKED,
    ORIGIN,
    SEALED,
    SENDER,
)
from shared.messaging.outbox import outcome_event
from shared.messaging.parse import is_reply_queue, problem
from shared.messaging.topology import QueueSpec

log = get_logger(__name__)


@dataclass(frozen=True)
class DeadLetters:
    service: str
    queue: QueueSpec
    broker: RabbitBroker
    clock: Clock
    gate: Gate
    max_attempts: int
    cipher: FieldCipher | None = None
    seal: bool = False  # a parked body may name a denouncer: keep it sealed

    @property
    def seal_context(self) -> str:
        return f"dead-letter:{self.queue.name}"

    async def failed(
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
        await self.park(raw, [problem("(handler)", "handler_failed", reason)], answer=False)
        await message.ack()
        return True

    async def park(
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
        if keep_body and self.seal and self.cipher and not headers.get(SEALED):
            body = self.cipher.seal(raw.body, context=self.seal_context)
            headers[SEALED] = 1
        origin = self.gate.origin(raw)
        sealed_origin = self.gate.sealed_origin(origin, body)
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
            await self._answer(raw, errors, reply_event, event_id)

    async def _answer(
        self,
        raw: aio_pika.abc.AbstractIncomingMessage,
        errors: list[dict[str, str]],
        reply_event: CloudEvent[Any] | None,
        event_id: str | None,
    ) -> None:
        """`rejected`, with every reason, to the client's own reply queue."""
        command_id = (reply_event.id if reply_event else None) or event_id or raw.message_id or ""
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
