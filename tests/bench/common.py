"""What every benchmark stands on: a vhost of its own on the local RabbitMQ and an embedded
database server on a data directory of its own, both removed afterwards; and the figures."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from deploy.cli.embedded import EmbeddedMongo, ensure_rabbitmq
from tests.conftest import Infra, free_port


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@contextmanager
def bench_infra() -> Iterator[Infra]:
    ensure_rabbitmq()
    run = uuid.uuid4().hex[:6]
    vhost = f"nghedan-bench-{run}"
    _ctl("add_vhost", vhost)
    _ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    mongo = EmbeddedMongo(Path(tempfile.mkdtemp()) / "data", free_port())
    mongo.start()
    try:
        yield Infra(
            f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}",
            mongo.url,
            f"bench_{run}_",
            vhost,
        )
    finally:
        mongo.stop()
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=120)


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of a sample (its only value three times when there is one)."""
    if len(values) < 2:
        return (values[0],) * 3 if values else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]
