"""Each event of a message's life, as what notification publishes: its status event on the bus,
and the task that makes its next attempt."""

from __future__ import annotations

from datetime import date

from services.notification.domain import DeliveryDue, Event, StatusChanged
from shared.contracts import notification as contract
from shared.messaging.outbox import Message
from shared.messaging.topology import DELAY_QUEUES


def message(event: Event) -> Message:
    match event:
        case StatusChanged(message=m):
            status = contract.MessageStatus(
                message_id=m.id,
                cause_id=m.cause_id,
                template=m.template,
                channel=m.channel,
                status=event.status,
                attempt=event.attempt,
                reason=event.reason,
                provider_ref=event.provider_ref,
                required_by_law=m.required_by_law,
                send_by=date.fromisoformat(m.send_by) if m.send_by else None,
                late=event.late,
                segments=event.segments,
                fallback_of=m.fallback_of,
                at=event.at,
            )
            return Message("notification.message.status.v1", status, m.id)
        case DeliveryDue(message=m, wait=None):
            task = contract.DeliverMessage(message_id=m.id)
            return Message("notification.deliver.v1", task, m.id)
        case DeliveryDue(message=m, wait=(retry, delay)):
            task = contract.DeliverMessage(message_id=m.id)
            return Message("notification.deliver.v1", task, m.id, (DELAY_QUEUES[retry].name, delay))
    raise TypeError(f"no message for {type(event).__name__}")  # a new event needs its mapping
