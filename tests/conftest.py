"""Test infrastructure: the real RabbitMQ (a fresh vhost per run) and a real MongoDB wire server.

AMQP_URL and MONGO_URL, when set, point the suite at servers of your own (e.g. a real mongod
replica set); otherwise it uses the local RabbitMQ and starts SecantusDB on a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

# The suite runs on the published development keys, as `nghedan up` does; the tests that check
# a production start refuse them set NGHEDAN_DEVELOPMENT themselves.
os.environ.setdefault("NGHEDAN_DEVELOPMENT", "1")

from deploy.cli.embedded import EmbeddedMongo, ensure_rabbitmq
from shared.service import declare_topology

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Infra:
    amqp_url: str
    mongo_url: str
    db_prefix: str
    vhost: str | None

    def db_name(self, service: str) -> str:
        return f"{self.db_prefix}{service}"


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    run_id = uuid.uuid4().hex[:8]
    vhost = None
    amqp_url = os.environ.get("AMQP_URL")
    if not amqp_url:
        ensure_rabbitmq()
        vhost = f"nghedan-test-{run_id}"
        _rabbitmqctl("add_vhost", vhost)
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
    mongo = None
    mongo_url = os.environ.get("MONGO_URL")
    if not mongo_url:
        mongo = EmbeddedMongo(tmp_path_factory.mktemp("mongo") / "data", free_port())
        mongo.start()
        mongo_url = mongo.url
    try:
        yield Infra(amqp_url, mongo_url, f"t{run_id}_", vhost)
    finally:
        if mongo:
            mongo.stop()
        if vhost:
            _forget_vhost(vhost)


def _forget_vhost(vhost: str) -> None:
    """Cleanup, not a test: the run's own vhost (named for it, harmless if left) is deleted; if
    the broker refuses, the reason is shown as a warning instead of failing what passed (seen
    once at the end of a run under libfaketime)."""
    try:
        _rabbitmqctl("delete_vhost", vhost)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        said = (getattr(exc, "stderr", b"") or b"").decode(errors="replace").strip()
        warnings.warn(f"vhost {vhost} không xoá được: {said or exc}", stacklevel=1)


@pytest.fixture(scope="session")
async def topology(infra: Infra) -> Infra:
    await declare_topology(infra.amqp_url)
    return infra


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "nghedan-home"
    path.mkdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def purge_queues(topology: Infra) -> AsyncIterator[None]:
    """Start each flow test from empty queues (messages left by a killed process included)."""
    import aio_pika

    from shared.messaging.topology import DELAY_QUEUES, QUEUES

    connection = await aio_pika.connect(topology.amqp_url)
    async with connection:
        channel = await connection.channel()
        names = [n for spec in QUEUES for n in (spec.name, spec.dead_letter_queue)]
        for name in [*names, *(delay.name for delay in DELAY_QUEUES)]:
            await (await channel.declare_queue(name, passive=True)).purge()
    yield


@pytest.fixture
def smtp() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) in the test process; what it received is readable."""
    from tests.providers import SmtpServer

    with SmtpServer() as server:
        yield server


@pytest.fixture
async def provider() -> AsyncIterator[Any]:
    """The SMS gateway and Zalo ZNS, played by a local HTTP server."""
    from tests.providers import HttpProvider

    async with HttpProvider() as server:
        yield server


@pytest.fixture
def own_db(topology: Infra) -> Any:
    """A service's database of this test's own: nothing left by another test, nothing to drop."""
    suffix = uuid.uuid4().hex[:6]
    return lambda service: f"{topology.db_name(service)}_{suffix}"
