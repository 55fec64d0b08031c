"""One unit of work's events applied to the read models (reporting's part in the life cycle).

Each event is kept in reporting's own record and moves the thing it is about (projections.apply,
pure); the figures move by the difference between what the thing counts for now and before
(projections.delta), gathered over the unit's events and written once when it commits, with the
record's rows. A conclusion's follow-up that moved is recorded for the province (its message:
`dialogue.followup.updated.v1`). The same projection, without a record, rebuilds the read
models from the record beside the live ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.reporting import projections as p
from services.reporting.results import FEEDS_FOLLOWUP, is_denunciation
from services.reporting.store import ReadModels, Record
from shared.contracts import reporting as contract
from shared.lifecycle import LifeCycle
from shared.messaging.outbox import Message
from shared.storage import Database, Document
from shared.storage import Session as DbSession


@dataclass(frozen=True)
class FollowupMoved:
    """A conclusion's follow-up moved (in progress, overdue, resolved): the province hears it."""

    issue: Document
    at: datetime


class Projection:
    def __init__(self, models: ReadModels, record: Record | None, tx: DbSession | None) -> None:
        self.models, self.record, self.tx = models, record, tx
        self.rows: list[Document] = []  # for the record, written at once
        self.moves: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.events: list[FollowupMoved] = []

    def keep(self, row: Document) -> None:
        """An event for reporting's own record."""
        self.rows.append(row)

    async def apply(self, key: str, data: dict[str, Any], at: datetime) -> Document | None:
        """Apply one event to the thing it is about; the thing as it now stands (None when no
        read model cares about this event)."""
        target = p.ENTITY_OF.get(key)
        if target is None:
            return None
        data = p.as_plain(data)
        model, field = target
        thing = await self._update(model, data[field], key, data)
        if key == "intake.issue.merged.v1":
            await self._update("issues", data["merged_into"], p.RAISED, data)
        if key in FEEDS_FOLLOWUP and thing.get("deadline") and not is_denunciation(thing):
            # a denunciation is counted in the announcement, never followed by its code
            self.events.append(FollowupMoved(thing, at))
        return thing

    async def _update(self, model: str, entity: str, key: str, data: dict[str, Any]) -> Document:
        old = await self.models.thing(model, entity, self.tx)
        new = p.apply(key, old, data)
        if new != old:
            await self.models.put(model, entity, new, self.tx)
            for doc, counts in p.delta(model, old, new).items():
                self.moves[doc].update(counts)  # Counter.update adds
        return {"_id": entity, **new}

    async def save(self) -> Sequence[FollowupMoved]:
        """The record's rows and the figures' differences written; the follow-ups that moved."""
        if self.rows and self.record is not None:
            await self.record.record_events(self.rows)
        self.rows = []
        await self.models.add_to_figures(self.moves, self.tx)
        self.moves.clear()
        moved, self.events = self.events, []
        return moved


def followup_message(commune_code: str, event: FollowupMoved) -> Message:
    issue = event.issue
    state = p.followup_of(issue)
    followup = contract.FollowupUpdated(
        commune_code=commune_code,
        session_id=issue.get("session_id") or "",
        matter_ref=issue["_id"],
        status="in_progress" if state == "on_time" else state,
        responsible_agency=issue.get("responsible_agency") or "",
        deadline=issue["deadline"],
        updated_at=event.at,
    )
    return Message("dialogue.followup.updated.v1", followup, issue["_id"])


def lifecycle_of(commune_code: str) -> LifeCycle[Projection]:
    return LifeCycle(
        save=Projection.save, message=lambda event: followup_message(commune_code, event)
    )


async def rebuild(models: ReadModels, record: Record) -> int:
    """Every read model again, from reporting's own record of the events, in arrival order."""
    await models.drop()
    projection, replayed = Projection(models, None, None), 0
    async for row in record.events_in_order():
        key = row["type"].removeprefix("vn.nghedan.")
        await projection.apply(key, row["data"], row.get("time") or row["received_at"])
        replayed += 1
    await projection.save()
    return replayed


async def compare_with_rebuild(db: Database) -> tuple[int, list[str]]:
    """Rebuild the read models beside the live ones (prefix `rb_`) and name the figures that
    differ: none, when the live ones were kept right event by event. Events keep coming while
    the platform runs: the comparison is made again until no event was recorded during it (the
    live figures and the record move in one transaction, so then they agree)."""
    live, rebuilt, record = ReadModels(db), ReadModels(db, prefix="rb_"), Record(db)
    while True:  # an event recorded meanwhile moved the live figures: compare again, without it
        recorded = await record.count_events()
        replayed = await rebuild(rebuilt, record)
        now, again = await live.all_figures(), await rebuilt.all_figures()
        if await record.count_events() == recorded:
            break
    return replayed, sorted(k for k in set(now) | set(again) if now.get(k) != again.get(k))
