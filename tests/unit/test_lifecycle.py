"""The unit of work's life cycle in the kit (shared/lifecycle.py), alone: a record read twice is
one object, only what changed is written, and at commit the events go out in order, each once,
with the reactions they cause — a reaction's own change written by the next round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from shared.clock import FixedClock
from shared.contracts.intake import LegalClock
from shared.lifecycle import LifeCycle, Tracker
from shared.messaging.outbox import Message, UnitOfWork
from shared.storage import Database, Session
from tests.when import vn


@dataclass
class Thing:
    code: str
    count: int = 0
    events: list[str] = field(default_factory=list)


class Repository:
    def __init__(self, stored: dict[str, int]) -> None:
        self.stored, self.written = stored, []
        self.things: Tracker[Thing] = Tracker(lambda t: t.code)

    def get(self, code: str) -> Thing:
        return self.things.get(code) or self.things.seen(Thing(code, self.stored[code]))

    async def save(self) -> Sequence[tuple[str, str]]:
        for thing, new in self.things.pending():
            self.written.append((thing.code, new))
            self.stored[thing.code] = thing.count
            self.things.saved(thing)
        recorded = [(t.code, e) for t in self.things for e in t.events]
        for thing in self.things:
            thing.events.clear()
        return recorded


def unit() -> UnitOfWork:
    return UnitOfWork(
        cast(Database, None), cast(Session, None), "intake", FixedClock(vn(2026, 9, 1))
    )


def message(event: tuple[str, str]) -> Message | None:
    code, what = event
    if what == "quiet":
        return None  # only the cause of a reaction
    clock = LegalClock(
        tracking_code=code,
        handled_as="complaint",
        clock="settlement",
        due="2026-09-30",
        days_left=3,
    )
    return Message("intake.legal-clock.due-soon.v1", clock, code)


def test_a_record_read_twice_is_one_object_and_only_what_changed_is_pending():
    repo = Repository({"A": 1, "B": 2})
    a, b = repo.get("A"), repo.get("B")
    assert repo.get("A") is a
    a.count += 1
    assert repo.things.pending() == [(a, False)]
    repo.things.add(Thing("C"))
    assert [(t.code, new) for t, new in repo.things.pending()] == [("A", False), ("C", True)]
    assert b not in [t for t, _ in repo.things.pending()]


async def test_at_commit_what_changed_is_written_and_the_events_go_out_once_in_order():
    repo, uow, reacted = Repository({"A": 1, "B": 2}), unit(), []

    async def react(repo: Repository, uow: UnitOfWork, event: Any) -> None:
        reacted.append(event)
        if event == ("A", "quiet"):
            repo.get("B").count += 10  # a reaction's own change: written by the next round
            repo.get("B").events.append("moved")

    cycle = LifeCycle(save=Repository.save, message=message, reactions={tuple: [react]})
    bound = cycle.bind(uow, lambda: repo)
    assert cycle.bind(uow, lambda: Repository({})) is bound  # one repository per unit of work
    a = bound.get("A")
    a.count += 1
    a.events += ["due", "quiet"]
    assert uow.settle is not None
    await uow.settle()

    assert repo.written == [("A", False), ("B", False)] and repo.stored == {"A": 2, "B": 12}
    assert reacted == [("A", "due"), ("A", "quiet"), ("B", "moved")]
    keys = [row["routing_key"] for row in uow.rows]
    assert keys == ["intake.legal-clock.due-soon.v1", "intake.legal-clock.due-soon.v1"]
    await uow.settle()  # nothing more: each event went out once
    assert len(uow.rows) == 2
