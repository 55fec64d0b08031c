"""Messages as one unit of work sees them: each read once, then the same object; new and changed
ones written when the unit commits. `store` is the rest (rate windows, preferences, conferences)."""

from __future__ import annotations

from collections.abc import Sequence

from services.notification.domain import Event, Message
from services.notification.store import Store
from shared.lifecycle import Tracker, take_events


class Repository:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.messages: Tracker[Message] = Tracker(lambda m: m.id)

    async def message(self, message_id: str) -> Message | None:
        if (known := self.messages.get(message_id)) is not None:
            return known
        found = await self.store.message(message_id)
        return self.messages.seen(found) if found else None

    async def reported(self, channel: str, provider_ref: str) -> Message | None:
        """The message a provider's delivery report is about (its reference, or our key)."""
        found = await self.store.reported(channel, provider_ref)
        return self.messages.seen(found) if found else None

    async def has(self, message_id: str) -> bool:
        return self.messages.get(message_id) is not None or await self.store.has_message(message_id)

    def add(self, message: Message) -> None:
        self.messages.add(message)

    async def save(self) -> Sequence[Event]:
        """Write what changed; the events recorded, once each, in order."""
        await self.messages.write(self.store.add_message, self.store.save_message)
        return take_events(self.messages)
