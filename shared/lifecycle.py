"""The life cycle of the records a unit of work touches (as in *Architecture Patterns with Python*).

A service's repository keeps one `Tracker` per kind of record: whatever a handler loads or adds
is remembered, and read again it is the same object. When the unit of work commits, the service's
`LifeCycle` saves what changed, turns the events its rules recorded into messages (the service's
`outgoing.message`) and runs the service's reactions (an event → a notice, a receipt, an alarm),
all in the one transaction. A handler reads as load → rule → outcome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from shared.messaging.outbox import Message, UnitOfWork
from shared.storage import Document, record_document

A = TypeVar("A")
S = TypeVar("S")

# What an event causes beyond its message: given the repository, the unit of work, the event.
Reaction = Callable[[S, UnitOfWork, Any], Awaitable[None]]


class Tracker(Generic[A]):
    """The records of one kind a unit of work loaded or added, by key: read again, a record is
    the object read first (so two reads never diverge); `pending` is what a save must write."""

    def __init__(self, key: Callable[[A], str]) -> None:
        self._key = key
        self._records: dict[str, A] = {}
        self._stored: dict[str, Document | None] = {}  # as last read or written; None: new

    def seen(self, record: A) -> A:
        """The unit of work's own copy of a record just read."""
        key = self._key(record)
        if key not in self._records:
            self._records[key] = record
            self._stored[key] = record_document(record)
        return self._records[key]

    def get(self, key: str) -> A | None:
        return self._records.get(key)

    def add(self, record: A) -> None:
        """A record made in this unit of work: inserted at the next save."""
        key = self._key(record)
        if key in self._records:
            raise ValueError(f"{key} is already in this unit of work")
        self._records[key] = record
        self._stored[key] = None

    def pending(self) -> list[tuple[A, bool]]:
        """Each record new or changed since it was read or last written, and whether it is new."""
        return [
            (record, self._stored[key] is None)
            for key, record in self._records.items()
            if self._stored[key] != record_document(record)
        ]

    def saved(self, record: A) -> None:
        """The record as written now: a later save writes it only if it changes again."""
        self._stored[self._key(record)] = record_document(record)

    async def write(
        self, insert: Callable[[A], Awaitable[None]], update: Callable[[A], Awaitable[None]]
    ) -> None:
        """Each record new or changed written (`insert` or `update`), then remembered as written."""
        for record, new in self.pending():
            await (insert if new else update)(record)
            self.saved(record)

    def __iter__(self) -> Iterator[A]:
        return iter(list(self._records.values()))


class Recording(Protocol):
    events: list[Any]  # what its rules recorded, not yet published


def take_events(records: Iterable[Recording]) -> list[Any]:
    """The events these records recorded, in order, each taken once."""
    taken: list[Any] = []
    for record in records:
        taken += record.events
        record.events.clear()
    return taken


@dataclass(frozen=True)
class LifeCycle(Generic[S]):
    """What a service's unit of work does when it commits, with its repository `S`:
    `save` writes what changed and returns the events recorded (in order, each once);
    `message` is the contract message of an event, or None for one that is only the cause of a
    reaction (outgoing.py); `reactions` what each kind of event causes besides (notices to
    people, alarms to the office). A reaction that records something more is saved by the next
    round, until a round records no event."""

    save: Callable[[S], Awaitable[Sequence[Any]]]
    message: Callable[[Any], Message | None]
    reactions: Mapping[type, Sequence[Reaction[S]]] = field(default_factory=dict)

    def bind(self, uow: UnitOfWork, make: Callable[[], S]) -> S:
        """The unit of work's repository (made by `make` on first use, then the same one), to be
        settled when the unit of work commits."""
        if uow.repository is None:
            repository = make()
            uow.repository = repository
            uow.settle = lambda: self.settle(repository, uow)
        bound: S = uow.repository
        return bound

    async def settle(self, repository: S, uow: UnitOfWork) -> None:
        while events := await self.save(repository):
            uow.publish(m for m in map(self.message, events) if m is not None)
            for event in events:
                for react in self.reactions.get(type(event), ()):
                    await react(repository, uow, event)
