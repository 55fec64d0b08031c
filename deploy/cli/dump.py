"""A service's database as one archive and back: every collection read in one snapshot and written
as mongodump lays out a dump (per collection, `<db>/<name>.bson`, the documents as they are
stored, and `<db>/<name>.metadata.json`, its indexes and options), in a gzip'd tar that starts
with a manifest; restored collection by collection, then counted against the manifest."""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any, cast

import bson
from bson import json_util
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient, IndexModel
from pymongo.read_concern import ReadConcern

FORMAT = 1
MANIFEST = "nghedan-backup.json"
RAW = CodecOptions(document_class=RawBSONDocument)  # documents restored byte for byte
INSERT_BATCH = 500
Progress = Callable[[int, int], None]  # (documents done, documents in all)
Client = AsyncMongoClient[dict[str, Any]]


class BackupError(Exception):
    """Why an archive cannot be made or restored, in a sentence for the operator."""


@dataclass
class Manifest:
    service: str
    database: str
    taken_at: str  # ISO 8601, UTC
    collections: dict[str, int]  # name -> documents
    format: int = FORMAT

    @property
    def documents(self) -> int:
        return sum(self.collections.values())


@dataclass
class _Collection:
    name: str
    metadata: bytes
    documents: int = 0


async def dump(
    client: Client,
    db_name: str,
    service: str,
    out: IO[bytes],
    *,
    taken_at: datetime,
    progress: Progress | None = None,
) -> Manifest:
    """Write the archive of `db_name` to `out`. The documents are read in one snapshot (one
    read-only transaction), so a state and the outbox rows committed with it are both in the
    archive or both not, while the service runs."""
    db = client[db_name]
    with tempfile.TemporaryDirectory(prefix="nghedan-backup-") as tmp:
        while True:
            # listCollections and listIndexes are not allowed in a transaction: read before it,
            # and once more after it, in case a collection was made in between.
            names = sorted(await db.list_collection_names())
            collections = [_Collection(name, await _metadata(db, name)) for name in names]
            total = sum([await db[name].estimated_document_count() for name in names])
            await _read_snapshot(client, db_name, collections, Path(tmp), total, progress)
            if sorted(await db.list_collection_names()) == names:
                break
        manifest = Manifest(
            service=service,
            database=db_name,
            taken_at=taken_at.isoformat(),
            collections={c.name: c.documents for c in collections},
        )
        with tarfile.open(fileobj=out, mode="w|gz") as archive:
            _add(archive, MANIFEST, json.dumps(asdict(manifest), ensure_ascii=False).encode())
            for c in collections:
                _add(archive, f"{db_name}/{c.name}.metadata.json", c.metadata)
                archive.add(Path(tmp) / f"{c.name}.bson", arcname=f"{db_name}/{c.name}.bson")
    return manifest


async def _metadata(db: Any, name: str) -> bytes:
    described: list[dict[str, Any]] = [
        c async for c in await db.list_collections(filter={"name": name})
    ]
    options = described[0].get("options", {}) if described else {}
    indexes = [dict(index) async for index in await db[name].list_indexes()]
    document = {
        "indexes": indexes,
        "collectionName": name,
        "type": "collection",
        "options": options,
    }
    return json_util.dumps(document, json_options=json_util.CANONICAL_JSON_OPTIONS).encode()


async def _read_snapshot(
    client: Client,
    db_name: str,
    collections: list[_Collection],
    folder: Path,
    total: int,
    progress: Progress | None,
) -> None:
    done = 0
    async with client.start_session() as session:
        async with await session.start_transaction(read_concern=ReadConcern("snapshot")):
            for c in collections:
                c.documents = 0
                # A local temporary file, written one cursor batch at a time: nothing to await.
                with open(folder / f"{c.name}.bson", "wb") as file:  # noqa: ASYNC230
                    batches = client[db_name][c.name].find_raw_batches({}, session=session)
                    async for batch in batches:
                        raw = cast(bytes, batch)  # typed as a document; a raw batch is bytes
                        file.write(raw)
                        count = len(bson.decode_all(raw, RAW))
                        c.documents, done = c.documents + count, done + count
                        if progress:
                            progress(done, max(total, done))


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    archive.addfile(info, BytesIO(data))


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest, checked: it is a Nghe Dân backup, of a format this version reads,
    with every collection it names present."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            names = set(archive.getnames())
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = Manifest(**json.loads(member.read()))
    except (
        tarfile.TarError,
        OSError,
        EOFError,
        zlib.error,
        KeyError,
        TypeError,
        ValueError,
    ) as exc:
        raise BackupError(f"không phải bản sao lưu Nghe Dân đọc được ({exc})") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"bản sao lưu định dạng {manifest.format}; phiên bản này đọc {FORMAT}")
    missing = [
        name
        for name in manifest.collections
        for suffix in (".bson", ".metadata.json")
        if f"{manifest.database}/{name}{suffix}" not in names
    ]
    if missing:
        raise BackupError(f"bản sao lưu thiếu {', '.join(missing)} (tệp bị cắt ngắn?)")
    return manifest


async def load(
    client: Client,
    db_name: str,
    path: Path,
    manifest: Manifest,
    *,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace every collection of `db_name` by those of the archive at `path`, whose manifest
    `read_manifest` gave: what the archive does not hold is dropped. Run again after an
    interruption, it ends in the same state. Returns the documents each collection holds
    afterwards, as counted by the database."""
    db = client[db_name]
    for name in await db.list_collection_names():
        if name not in manifest.collections:
            await db.drop_collection(name)
    done, counted = 0, {}
    with tarfile.open(path, mode="r:gz") as archive:
        for name, expected in manifest.collections.items():
            metadata = _member(archive, f"{manifest.database}/{name}.metadata.json")
            described = json_util.loads(metadata.read())
            await db.drop_collection(name)
            await db.create_collection(name, **described.get("options", {}))
            batch: list[RawBSONDocument] = []
            for document in bson.decode_file_iter(
                _member(archive, f"{manifest.database}/{name}.bson"), RAW
            ):
                batch.append(document)
                if len(batch) == INSERT_BATCH:
                    done += await _insert(db[name], batch, progress, done, manifest.documents)
            done += await _insert(db[name], batch, progress, done, manifest.documents)
            indexes = [_index(i) for i in described.get("indexes", []) if i["name"] != "_id_"]
            if indexes:
                await db[name].create_indexes(indexes)
            counted[name] = await db[name].count_documents({})
            if counted[name] != expected:
                raise BackupError(
                    f"{name}: {counted[name]} bản ghi sau khi khôi phục, bản sao lưu có {expected}"
                )
    return counted


def _member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    member = archive.extractfile(name)
    if member is None:
        raise BackupError(f"bản sao lưu thiếu {name}")
    return member


async def _insert(
    collection: Any, batch: list[RawBSONDocument], progress: Progress | None, done: int, total: int
) -> int:
    if not batch:
        return 0
    await collection.insert_many(batch, ordered=True)
    count = len(batch)
    batch.clear()
    if progress:
        progress(done + count, max(total, done + count))
    return count


def _index(described: dict[str, Any]) -> IndexModel:
    options = {k: v for k, v in described.items() if k not in ("v", "key", "ns")}
    return IndexModel(list(described["key"].items()), **options)


def spool(source: IO[bytes], folder: Path) -> Path:
    """An archive read from a pipe, kept as a file: it is checked whole before anything is dropped."""
    path = folder / "restore.tar.gz"
    with open(path, "wb") as file:
        shutil.copyfileobj(source, file)
    return path
