"""What a message's events cause besides their message, and notification's unit of work's life
cycle: when it commits, the messages its handler changed are saved, their status events and
delivery tasks published (outgoing.message), then the reactions listed here run."""

from __future__ import annotations

from services.notification import outgoing
from services.notification.domain import StatusChanged
from services.notification.repository import Repository
from shared import metrics
from shared.lifecycle import LifeCycle, Reaction
from shared.logging import get_logger
from shared.messaging.outbox import UnitOfWork

log = get_logger(__name__)


async def counted(repo: Repository, uow: UnitOfWork, event: StatusChanged) -> None:
    """Each move counted in the metrics once the unit of work committed; a late one logged."""
    m = event.message
    uow.after_commit.append(metrics.NOTIFICATIONS.labels(m.channel, m.template, event.status).inc)
    if event.late:
        log.warning("notification.late", message_id=m.id, send_by=m.send_by)


REACTIONS: dict[type, list[Reaction[Repository]]] = {StatusChanged: [counted]}
LIFECYCLE: LifeCycle[Repository] = LifeCycle(
    save=Repository.save, message=outgoing.message, reactions=REACTIONS
)
