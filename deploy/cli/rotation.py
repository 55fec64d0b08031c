"""Key rotation: every sealed value of a service's database opened and sealed again under the current key."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from pymongo import AsyncMongoClient

from shared.crypto import FieldCipher, UnknownKeyError, sealed_key_id

Progress = Callable[[int, int], None]  # (documents read, documents in all)


@dataclass
class KeyCensus:
    """How many sealed values each key holds in one database; what a rotation changed."""

    by_key: Counter[str] = field(default_factory=Counter)
    resealed: int = 0
    changed_meanwhile: int = 0  # a service wrote the field first: its new value is already current
    unopened: int = 0  # sealed by a key this process was not given: nothing is changed


def sealed_values(value: Any, path: str = "") -> Iterator[tuple[str, bytes]]:
    """Every sealed value inside a document, with its dotted path (array items by index)."""
    if isinstance(value, bytes) and sealed_key_id(value):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from sealed_values(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from sealed_values(item, f"{path}.{index}")


async def census(mongo_url: str, db_name: str, *, progress: Progress | None = None) -> KeyCensus:
    return await _walk(mongo_url, db_name, None, progress)


async def rotate(
    mongo_url: str, db_name: str, cipher: FieldCipher, *, progress: Progress | None = None
) -> KeyCensus:
    """Seal every value not under the current key again; safe while the service runs (each field
    is replaced only if it still holds the value that was read)."""
    return await _walk(mongo_url, db_name, cipher, progress)


async def _walk(
    mongo_url: str, db_name: str, cipher: FieldCipher | None, progress: Progress | None
) -> KeyCensus:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_url, serverSelectionTimeoutMS=5000
    )
    result = KeyCensus()
    try:
        db = client[db_name]
        names = sorted(await db.list_collection_names())
        total = sum([await db[name].estimated_document_count() for name in names])
        done = 0
        for name in names:
            async for doc in db[name].find({}):
                for path, value in sealed_values(doc):
                    await _one(db[name], doc["_id"], path, value, cipher, result)
                done += 1
                if progress:
                    progress(done, max(total, done))
    finally:
        await client.close()
    return result


async def _one(
    collection: Any,
    doc_id: Any,
    path: str,
    value: bytes,
    cipher: FieldCipher | None,
    result: KeyCensus,
) -> None:
    try:
        fresh = cipher.reseal(value) if cipher else None
    except (UnknownKeyError, InvalidTag):
        result.unopened += 1
        result.by_key[sealed_key_id(value) or "?"] += 1
        return
    if fresh is None:
        result.by_key[sealed_key_id(value) or "?"] += 1
        return
    changed = await collection.update_one({"_id": doc_id, path: value}, {"$set": {path: fresh}})
    if changed.modified_count:
        result.resealed += 1
        result.by_key[cipher.key_id if cipher else "?"] += 1
    else:
        result.changed_meanwhile += 1
