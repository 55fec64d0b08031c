"""Keys on the real database and in real processes: nothing logs a key, no start without one,
and a rotation re-seals every value while the data stays readable."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from pymongo import AsyncMongoClient

from deploy.cli.rotation import census, rotate
from shared.clock import FixedClock
from shared.crypto import new_key, sealed_key_id
from tests.helpers import intake_service, notification_service, registration_service
from tests.keys import PLANTED_DATA_KEY, PLANTED_LOOKUP_KEY, cipher_of, forms_of
from tests.waits import rounds
from tests.when import vn

PLANTED = {
    "NGHEDAN_DEVELOPMENT": False,
    "NGHEDAN_DATA_KEY": PLANTED_DATA_KEY,
    "NGHEDAN_LOOKUP_KEY": PLANTED_LOOKUP_KEY,
    "TICK_SECONDS": 0.05,
}


async def test_every_periodic_job_failing_logs_no_key(topology, own_db, capsys):

    from shared.logging import configure_logging

    configure_logging("tests", "INFO")
    clock = FixedClock(vn(2026, 9, 24, 16))
    makers = (registration_service, intake_service, notification_service)
    services = [make(topology, clock, MONGO_DB=own_db(make.__name__), **PLANTED) for make in makers]
    for service in services:
        await service.start()
    try:
        for service in services:
            await service.client.close()  # every job now fails on its first database call
        for service in services:
            await rounds(service)
    finally:
        for service in services:
            await service.stop()
    log = capsys.readouterr().err
    failures = [line for line in log.splitlines() if "periodic.failed" in line]
    assert len({line.split('"job": "')[1].split('"')[0] for line in failures}) >= 3, log[-2000:]
    for secret in (PLANTED_DATA_KEY, PLANTED_LOOKUP_KEY):
        for form in forms_of(secret):
            assert form not in log


def test_a_service_refuses_to_start_without_a_key_of_its_own(topology, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGHEDAN_")}
    env |= {"AMQP_URL": topology.amqp_url, "MONGO_URL": topology.mongo_url, "HEALTH_PORT": "0"}
    for keys in ({}, {"NGHEDAN_DATA_KEY": "", "NGHEDAN_LOOKUP_KEY": ""}):
        done = subprocess.run(
            [sys.executable, "-m", "services.registration"],
            env=env | keys,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0
        assert "NGHEDAN_DATA_KEY chưa được đặt" in done.stderr
        assert "service.started" not in done.stderr


async def test_a_rotation_reseals_every_value_and_leaves_none_under_the_old_key(topology):
    old_key, new = new_key(), new_key()
    old = cipher_of("intake", NGHEDAN_DATA_KEY=old_key, NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY)
    during = cipher_of(
        "intake",
        NGHEDAN_DATA_KEY=new,
        NGHEDAN_RETIRED_DATA_KEYS=old_key,
        NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY,
    )
    db_name = f"{topology.db_prefix}keys_{uuid.uuid4().hex[:6]}"
    client: AsyncMongoClient = AsyncMongoClient(topology.mongo_url)
    issues = client[db_name]["issues"]
    docs = [
        {
            "_id": f"TT-{n}",
            "content": old.encrypt(f"Nội dung {n}", context=f"intake:TT-{n}:content"),
            "history": [{"text": old.encrypt(f"Trả lời {n}", context=f"intake:TT-{n}:h0")}],
            "plain": "không mã hoá",
        }
        for n in range(30)
    ]
    await issues.insert_many(docs)
    try:
        before = await census(topology.mongo_url, db_name)
        assert before.by_key == {old.key_id: 60}
        seen: list[tuple[int, int]] = []
        result = await rotate(
            topology.mongo_url, db_name, during, progress=lambda d, t: seen.append((d, t))
        )
        assert result.resealed == 60 and seen[-1] == (30, 30)
        async for doc in issues.find():
            n = doc["_id"].split("-")[1]
            assert sealed_key_id(doc["content"]) == during.key_id
            assert (
                during.decrypt(doc["content"], context=f"intake:TT-{n}:content") == f"Nội dung {n}"
            )
            history = doc["history"][0]["text"]
            assert during.decrypt(history, context=f"intake:TT-{n}:h0") == f"Trả lời {n}"
        again = await rotate(topology.mongo_url, db_name, during)
        assert again.resealed == 0 and again.by_key == {during.key_id: 60}
    finally:
        await client.drop_database(db_name)
        await client.close()


def test_nghedan_keys_rotate_and_status_with_the_service_s_own_settings(topology):
    from pymongo import MongoClient
    from typer.testing import CliRunner

    from deploy.cli.main import app

    old_key, new = new_key(), new_key()
    old = cipher_of("intake", NGHEDAN_DATA_KEY=old_key, NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY)
    db_name = f"{topology.db_prefix}cli_keys_{uuid.uuid4().hex[:6]}"
    with MongoClient(topology.mongo_url) as mongo:
        mongo[db_name]["issues"].insert_one(
            {"_id": "TT-1", "content": old.encrypt("Nội dung", context="intake:TT-1:content")}
        )
        env = {
            "MONGO_URL": topology.mongo_url,
            "MONGO_DB": db_name,
            "NGHEDAN_DEVELOPMENT": "0",
            "NGHEDAN_DATA_KEY": new,
            "NGHEDAN_RETIRED_DATA_KEYS": old_key,
            "NGHEDAN_LOOKUP_KEY": PLANTED_LOOKUP_KEY,
        }
        runner = CliRunner()
        before = runner.invoke(app, ["keys", "status", "intake"], env=env)
        rotated = runner.invoke(app, ["keys", "rotate", "intake"], env=env)
        after = runner.invoke(app, ["keys", "status", "intake"], env=env)
        stored = mongo[db_name]["issues"].find_one({"_id": "TT-1"})["content"]
        mongo.drop_database(db_name)
    assert before.exit_code == 0 and f"{old.key_id} (khoá cũ): 1" in before.output
    assert rotated.exit_code == 0 and "Đã mã hoá lại 1 giá trị" in rotated.output, rotated.output
    assert "(khoá cũ)" not in after.output and "(khoá hiện tại): 1" in after.output
    assert sealed_key_id(stored) != old.key_id
    for secret in (old_key, new, PLANTED_LOOKUP_KEY):
        assert secret not in before.output + rotated.output + after.output
