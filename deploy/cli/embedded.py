"""The embedded default: a local RabbitMQ (found or installed) and a MongoDB wire server process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError


class InfraError(RuntimeError):
    """Something the platform needs could not be started; the message says what to do."""


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _run(cmd: list[str], log: Path | None = None, timeout: float = 900) -> None:
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    except (subprocess.CalledProcessError, FileNotFoundError, subprocess.TimeoutExpired) as exc:
        where = f" (xem {log})" if log else ""
        raise InfraError(f"Lệnh thất bại: {' '.join(cmd)}{where}") from exc
    finally:
        if log:
            out.close()  # type: ignore[union-attr]


def ensure_rabbitmq(host: str = "127.0.0.1", port: int = 5672, log: Path | None = None) -> str:
    """Use the RabbitMQ already listening, or install Debian's and start it. Says which it did."""
    if port_open(host, port):
        return "existing"
    if shutil.which("rabbitmq-server") is None:
        if os.geteuid() != 0:
            raise InfraError(
                "Chưa có RabbitMQ: chạy với quyền root, hoặc `apt-get install rabbitmq-server`,"
                " hoặc đặt AMQP_URL tới một RabbitMQ có sẵn"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "update", "-qq"],
            check=False,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _run(["apt-get", "install", "-y", "-qq", "rabbitmq-server"], log)
    if port_open(host, port):  # the package's own service may have started it
        return "installed"
    _run(["rabbitmq-plugins", "enable", "--offline", "rabbitmq_management"], log, timeout=120)
    _run(["rabbitmq-server", "-detached"], log, timeout=120)
    deadline = time.monotonic() + 180
    while not port_open(host, port):  # the node takes a while to register before it can be asked
        if time.monotonic() > deadline:
            raise InfraError(f"RabbitMQ không nghe ở cổng {port} sau 180 giây (xem {log})")
        subprocess.run(
            ["rabbitmqctl", "await_startup"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=200,
            check=False,
        )
        time.sleep(1)
    return "started"


def stop_rabbitmq(log: Path | None = None) -> None:
    _run(["rabbitmqctl", "stop"], log, timeout=120)


def mongo_server_command() -> list[str]:
    candidate = Path(sys.executable).parent / "secantusd-py"
    found = str(candidate) if candidate.exists() else shutil.which("secantusd-py")
    if not found:
        raise InfraError(
            "Chưa cài máy chủ MongoDB nhúng: `pip install '.[embedded]'` (SecantusDB), "
            "hoặc đặt MONGO_URL tới một MongoDB có sẵn"
        )
    return [found]


@dataclass
class EmbeddedMongo:
    """SecantusDB as its own process on a data directory that survives restarts."""

    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    def start(self, timeout: float = 60) -> None:
        if port_open(self.host, self.port):
            raise InfraError(f"Cổng {self.port} đã có tiến trình khác; đặt MONGO_URL hoặc dừng nó")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir.parent / "mongo.log", "ab")
        self.process = subprocess.Popen(
            [
                *mongo_server_command(),
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--storage-path",
                str(self.data_dir),
                "--log-level",
                "WARNING",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise InfraError(
                    f"Máy chủ MongoDB nhúng dừng ngay khi khởi động (xem {self.data_dir.parent / 'mongo.log'})"
                )
            if _mongo_ready(self.url):
                return
            time.sleep(0.3)
        raise InfraError("Máy chủ MongoDB nhúng không sẵn sàng sau 60 giây")

    def stop(self, timeout: float = 30) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _mongo_ready(url: str) -> bool:
    try:
        client: MongoClient[dict[str, Any]]
        with MongoClient(url, serverSelectionTimeoutMS=500) as client:
            client.admin.command("ping")
            return True
    except PyMongoError:
        return False
