"""Records kept as numbered versions, none ever overwritten: the latest is in force, the earlier
ones are its history (the contacts the commune office keeps: an agency's, a village head's).

One collection per kind, one document per version (`_id` `<code>:<version>`, unique per code);
a second writer of the same version fails on the unique key and its message is retried."""

from __future__ import annotations

from typing import Any

from shared.storage import ASCENDING, Database, Document, Session


class Versions:
    """Every version of each record of one kind, keyed by `key` (its code), bound to `tx`."""

    def __init__(self, db: Database, collection: str, key: str, tx: Session | None) -> None:
        self.versions, self.key, self.tx = db[collection], key, tx

    async def ensure_index(self) -> None:
        await self.versions.create_index(
            [(self.key, ASCENDING), ("version", ASCENDING)],
            unique=True,
            name=self.key.removesuffix("_code") + "_version",
        )

    @staticmethod
    def id_of(code: str, version: int) -> str:
        return f"{code}:{version}"

    async def latest(self) -> dict[str, dict[str, Any]]:
        """The latest version of each record that has one, by code."""
        found: dict[str, dict[str, Any]] = {}
        async for doc in self.versions.find({}, session=self.tx).sort("version", ASCENDING):
            found[doc[self.key]] = doc
        return found

    async def latest_of(self, code: str) -> Document | None:
        return await self.versions.find_one(
            {self.key: code}, sort=[("version", -1)], session=self.tx
        )

    async def next_version(self, code: str) -> int:
        latest = await self.latest_of(code)
        return (latest["version"] if latest else 0) + 1

    async def keep(self, code: str, version: int, fields: Document) -> None:
        """One version (its number unique per code: a second writer of it is retried)."""
        doc = {"_id": self.id_of(code, version), self.key: code, "version": version}
        await self.versions.insert_one(doc | fields, session=self.tx)

    async def history(self) -> list[Document]:
        """Every version, newest first within each record, without its `_id`."""
        found = self.versions.find({}, session=self.tx).sort(
            [(self.key, ASCENDING), ("version", -1)]
        )
        return [{k: v for k, v in doc.items() if k != "_id"} async for doc in found]


def in_force(
    code: str, name: str, filed: Document, history: list[Document], key: str
) -> dict[str, Any]:
    """One record as the office's pages show it: the version in force (the latest kept, else
    what the reference file says, `filed`) with its source, and every version kept, newest first
    (`history` as `Versions.history` gives it, for every code)."""
    versions = [h for h in history if h[key] == code]
    current = versions[0] | {"source": "office"} if versions else filed | {"source": "file"}
    return {"code": code, "name": name, "current": current, "history": versions}
