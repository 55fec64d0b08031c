"""What notification publishes: a message's status event, and the tasks that deliver it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared import metrics
from shared.contracts import notification as contract
from shared.messaging.outbox import UnitOfWork
from shared.messaging.topology import DELAY_QUEUES
from shared.storage import Document


def status(
    uow: UnitOfWork,
    doc: Document,
    status: contract.Status,
    now: datetime,
    reason: str | None,
    late: bool,
    changes: dict[str, Any],
) -> None:
    """`notification.message.status.v1` for `doc` moved to `status` (counted once committed)."""
    counted = metrics.NOTIFICATIONS.labels(doc["channel"], doc["template"], status)
    uow.after_commit.append(counted.inc)
    event = contract.MessageStatus(
        message_id=doc["_id"],
        cause_id=doc["cause_id"],
        template=doc["template"],
        channel=doc["channel"],
        status=status,
        attempt=int(changes.get("attempts", doc.get("attempts")) or 0),
        reason=reason,
        provider_ref=changes.get("provider_ref"),
        required_by_law=doc["required_by_law"],
        send_by=doc.get("send_by"),
        late=late,
        segments=changes.get("segments"),
        fallback_of=doc.get("fallback_of"),
        at=now,
    )
    uow.emit("notification.message.status.v1", event, subject=doc["_id"])


def deliver(uow: UnitOfWork, message_id: str, wait: tuple[int, timedelta] | None = None) -> None:
    """A delivery task: now, or after `wait` (retry number, 0-based; its delay) in a delay queue."""
    task = contract.DeliverMessage(message_id=message_id)
    if wait is None:
        uow.emit("notification.deliver.v1", task, subject=message_id)
        return
    retry, delay = wait
    uow.emit(
        "notification.deliver.v1", task, subject=message_id, delay=(DELAY_QUEUES[retry].name, delay)
    )
