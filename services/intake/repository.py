"""Issues as one unit of work sees them: each read once, then the same object; new and changed
ones written when the unit commits (and before a query on issues, so what this unit changed is
what the query sees). `store` is the rest of the storage (contacts, marks, signatures, a
person's own data), reached directly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.intake.domain import events, lifecycle
from services.intake.domain.issues import Issue
from services.intake.store import Store
from shared.contracts.intake import Submitter
from shared.lifecycle import Tracker


def _clocks(issue: Issue) -> dict[str, Any] | None:
    """A case's limits as the rest of the platform knows them (its revision aside)."""
    clocks = lifecycle.case_clocks(issue)
    return clocks.model_dump(exclude={"revision"}) if clocks else None


class Repository:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.issues: Tracker[Issue] = Tracker(lambda i: i.tracking_code)
        self._persons: dict[str, Submitter | None] = {}  # of the issues received in this unit
        self._clocks: dict[str, dict[str, Any] | None] = {}  # as read
        self._recorded: list[events.Event] = []  # events about no issue (a voters' request)
        self.actor: str | None = None  # who the command was sent for: named on what it changed
        self._history: dict[str, int] = {}  # each issue's changes when this unit first saw it

    def _seen(self, issue: Issue) -> Issue:
        if self.issues.get(issue.tracking_code) is None:
            self._clocks[issue.tracking_code] = _clocks(issue)
            self._history[issue.tracking_code] = len(issue.history)
        return self.issues.seen(issue)

    async def next_number(self, commune: str, year: int) -> int:
        return await self.store.next_tracking_number(commune, year)

    def add(self, issue: Issue, person: Submitter | None) -> None:
        """An issue received in this unit of work, with the person who sent it (sealed at save)."""
        self.issues.add(issue)
        self._persons[issue.tracking_code] = person
        self._clocks[issue.tracking_code] = None
        self._history[issue.tracking_code] = 0

    def person(self, tracking_code: str) -> Submitter | None:
        """Who sent an issue received in this unit of work (for its receipt)."""
        return self._persons.get(tracking_code)

    async def issue(self, tracking_code: str) -> Issue | None:
        if (known := self.issues.get(tracking_code)) is not None:
            return known
        found = await self.store.load_issue(tracking_code)
        return self._seen(found) if found else None

    async def candidates(
        self, village_code: str, topic: str, kind: str, handled_as: str
    ) -> list[Issue]:
        """The open issues a new one of this village, topic, kind and handling may repeat."""
        await self._write()
        found = await self.store.open_candidates(village_code, topic, kind, handled_as)
        return [self._seen(i) for i in found]

    async def open_issues(self) -> list[Issue]:
        await self._write()
        return [self._seen(i) for i in await self.store.open_issues()]

    def record(self, event: events.Event) -> None:
        """An event about no issue, published when the unit of work commits."""
        self._recorded.append(event)

    async def _write(self) -> None:
        self._name_actor()
        await self.issues.write(self._insert, self.store.save_issue)

    def _name_actor(self) -> None:
        """The person the command was sent for, on each change this unit of work made."""
        if self.actor is None:
            return
        for issue in self.issues:
            for change in issue.history[self._history.get(issue.tracking_code, 0) :]:
                change.acted_by = change.acted_by or self.actor

    async def _insert(self, issue: Issue) -> None:
        await self.store.insert_issue(issue, self._persons[issue.tracking_code])

    async def save(self) -> Sequence[events.Event]:
        """Write what changed; the events recorded, once each, in order — each issue's, then
        whether its limits moved (a case), then those about no issue."""
        await self._write()
        recorded: list[events.Event] = []
        for issue in self.issues:
            recorded += issue.events
            issue.events.clear()
            issue.notices.clear()
            clocks = _clocks(issue)
            if clocks is not None and clocks != self._clocks[issue.tracking_code]:
                recorded.append(events.ClocksChanged(issue))
                self._clocks[issue.tracking_code] = clocks
        recorded += self._recorded
        self._recorded.clear()
        return recorded
