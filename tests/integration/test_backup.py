"""`nghedan backup` and `nghedan restore` on the real wire server, run as the operator runs them (the
archive through a pipe): a restore gives back every document byte for byte and every index, a
write made while the backup reads is not half in it, and what would lose data is refused with
nothing changed."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import bson
import pytest
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from pymongo import ASCENDING, AsyncMongoClient, MongoClient

from deploy.cli.dump import RAW, dump
from tests.conftest import Infra, free_port
from tests.when import vn

NGHEDAN = Path(sys.executable).parent / "nghedan"


def cli(
    infra: Infra, db: str, *args: str, stdin: bytes = b"", **env: str
) -> subprocess.CompletedProcess[bytes]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "MONGO_URL": infra.mongo_url,
        "MONGO_DB": db,
        "NGHEDAN_DEVELOPMENT": "1",
        "NGHEDAN_INTAKE_URL": f"http://127.0.0.1:{free_port()}",  # nothing answers: stopped
        "COLUMNS": "200",
    } | env
    return subprocess.run(
        [str(NGHEDAN), *args], input=stdin, capture_output=True, env=environment, timeout=120
    )


def said(done: subprocess.CompletedProcess[bytes]) -> str:
    return " ".join(done.stderr.decode().split())


def fill(infra: Infra, db: str) -> None:
    with MongoClient(infra.mongo_url) as client:
        issues = client[db]["issues"]
        issues.insert_many(
            {
                "_id": f"KN-{n:04d}",
                "sealed": bson.Binary(b"\x01k1" + bytes([n % 256]) * 40),  # as a sealed value
                "at": datetime(2026, 9, 1, 2, n % 60, tzinfo=UTC),
                "count": Int64(2**40 + n),
                "money": Decimal128("1.10"),
                "nested": {"village": "T02", "tags": ["giao thông", n]},
            }
            for n in range(700)  # more than one batch of the cursor and of the restore's inserts
        )
        issues.create_index([("nested.village", ASCENDING), ("at", ASCENDING)], name="by_village")
        inbox = client[db]["inbox"]
        inbox.insert_one({"_id": "a", "sender": "mot_cua", "source": "s", "id": "1"})
        inbox.create_index(
            [("sender", ASCENDING), ("source", ASCENDING), ("id", ASCENDING)],
            unique=True,
            name="sender_source_id_unique",
        )
        client[db]["counters"].insert_one({"_id": "issue", "value": 700})
        client[db].create_collection("outbox")  # a service's, empty when all is published


def state(infra: Infra, db: str) -> dict[str, Any]:
    """Every collection's documents as raw bytes, in _id order, and its indexes."""
    with MongoClient(infra.mongo_url, document_class=RAW.document_class) as client:
        database = client[db]
        return {
            name: (
                [doc.raw for doc in database[name].find({}, sort=[("_id", ASCENDING)])],
                sorted(
                    (i["name"], tuple(i["key"].items()), bool(i.get("unique")))
                    for i in database[name].list_indexes()
                ),
            )
            for name in sorted(database.list_collection_names())
        }


def test_a_restore_gives_back_every_document_and_index_as_they_were(infra):
    db = f"{infra.db_prefix}backup_{uuid.uuid4().hex[:6]}"
    fill(infra, db)
    before = state(infra, db)
    backed_up = cli(infra, db, "backup", "intake")
    assert backed_up.returncode == 0, said(backed_up)
    assert "701 bản ghi" not in said(backed_up) and "702 bản ghi, 4 bộ sưu tập" in said(backed_up)
    with MongoClient(infra.mongo_url) as client:  # what happens after the backup
        client[db]["issues"].insert_one({"_id": "KN-9999"})
        client[db]["issues"].update_one({"_id": "KN-0001"}, {"$set": {"count": 0}})
        client[db]["inbox"].delete_many({})
        client[db]["counters"].drop()
        client[db]["extra"].insert_one({"_id": 1})
    assert state(infra, db) != before

    restored = cli(infra, db, "restore", "intake", "--yes", stdin=backed_up.stdout)
    assert restored.returncode == 0, said(restored)
    assert state(infra, db) == before
    again = cli(infra, db, "restore", "intake", "--yes", stdin=backed_up.stdout)
    assert again.returncode == 0, said(again)
    assert state(infra, db) == before  # run twice, the same state


def test_an_archive_file_is_for_the_owner_only_and_restores_the_same(infra, tmp_path):
    db = f"{infra.db_prefix}backup_{uuid.uuid4().hex[:6]}"
    fill(infra, db)
    before = state(infra, db)
    archive = tmp_path / "intake.tar.gz"
    assert cli(infra, db, "backup", "intake", "-o", str(archive)).returncode == 0
    assert archive.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["intake.tar.gz"]  # no .part left behind
    with MongoClient(infra.mongo_url) as client:
        client[db]["issues"].delete_many({})
    restored = cli(infra, db, "restore", "intake", "--yes", "-i", str(archive))
    assert restored.returncode == 0, said(restored)
    assert state(infra, db) == before


async def test_a_write_made_while_the_backup_reads_is_not_in_it(infra, tmp_path):
    """The outbox row a service commits with its state is read in the same snapshot: here a pair
    written into two collections while the first one is being read is in neither."""
    db = f"{infra.db_prefix}backup_{uuid.uuid4().hex[:6]}"
    fill(infra, db)
    writer = MongoClient(infra.mongo_url)
    writes: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not writes:  # after the first batch of `inbox`/`counters`/`issues`, in name order
            writer[db]["issues"].insert_one({"_id": "KN-late"})
            writer[db]["outbox"].insert_one({"_id": "late", "about": "KN-late"})
            writes.append(done)

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    out = BytesIO()
    try:
        manifest = await dump(
            client, db, "intake", out, taken_at=vn(2026, 9, 30, 17), progress=meanwhile
        )
    finally:
        await client.close()
        writer.close()
    assert writes
    assert manifest.collections == {"counters": 1, "inbox": 1, "issues": 700, "outbox": 0}
    assert b"late" not in gzip.decompress(out.getvalue())


class _Answering(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def running_intake():
    server = HTTPServer(("127.0.0.1", 0), _Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_what_would_lose_data_is_refused_and_nothing_is_changed(infra, running_intake):
    db = f"{infra.db_prefix}backup_{uuid.uuid4().hex[:6]}"
    fill(infra, db)
    archive = cli(infra, db, "backup", "intake").stdout
    other = cli(infra, db, "backup", "registration").stdout
    with MongoClient(infra.mongo_url) as client:
        client[db]["issues"].insert_one({"_id": "KN-after"})
    after = state(infra, db)
    refusals = {
        "--yes": (cli(infra, db, "restore", "intake", stdin=archive), "Thêm --yes"),
        "running": (
            cli(
                infra,
                db,
                "restore",
                "intake",
                "--yes",
                stdin=archive,
                NGHEDAN_INTAKE_URL=running_intake,
            ),
            "intake vẫn đang chạy",
        ),
        "other service": (
            cli(infra, db, "restore", "intake", "--yes", stdin=other),
            "bản sao lưu của registration, không phải của intake",
        ),
        "cut short": (
            cli(infra, db, "restore", "intake", "--yes", stdin=archive[: len(archive) // 2]),
            "không phải bản sao lưu Nghe Dân đọc được",
        ),
    }
    refusals["unknown service"] = (cli(infra, db, "backup", "kho"), "không có dịch vụ 'kho'")
    for case, (done, sentence) in refusals.items():
        assert done.returncode == 2, (case, said(done))
        assert sentence in said(done), (case, said(done))
        assert not done.stdout, case  # where an archive goes, nothing but an archive
    assert state(infra, db) == after
