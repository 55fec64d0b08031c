"""Starts and stops the whole platform: infrastructure on the embedded default, then the services."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from deploy.cli.embedded import EmbeddedMongo, InfraError, ensure_rabbitmq, stop_rabbitmq
from shared.settings import DEFAULT_AMQP_URL, EMBEDDED_MONGO_PORT

SERVICES = {
    "registration": 8181,
    "intake": 8182,
    "notification": 8183,
    "reporting": 8184,
    "office": 8185,  # the office's web application
}
# The services the bus's flows run through (the office only sends commands and reads doors).
FLOW_SERVICES = tuple(name for name in SERVICES if name != "office")


def home_dir() -> Path:
    return Path(os.environ.get("NGHEDAN_HOME", ".nghedan")).resolve()


def service_url(service: str) -> str:
    """Where a service answers (its health port): NGHEDAN_<SERVICE>_URL, else this machine."""
    default = f"http://127.0.0.1:{SERVICES[service]}"
    return os.environ.get(f"NGHEDAN_{service.upper()}_URL", default).rstrip("/")


@dataclass
class Platform:
    home: Path = field(default_factory=home_dir)
    amqp_url: str = ""
    mongo_url: str = ""
    health_ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    mongo: EmbeddedMongo | None = None
    rabbit: str = ""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)  # per service, e.g. MONGO_DB

    @property
    def clock_file(self) -> Path:
        return self.home / "clock.json"

    def start_infrastructure(self) -> list[str]:
        """RabbitMQ and MongoDB: the ones in AMQP_URL/MONGO_URL, or the embedded default."""
        said = []
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        self.amqp_url = os.environ.get("AMQP_URL", "")
        if not self.amqp_url:
            self.amqp_url = DEFAULT_AMQP_URL
            parsed = urlparse(self.amqp_url)
            self.rabbit = ensure_rabbitmq(
                parsed.hostname or "127.0.0.1",
                parsed.port or 5672,
                log=self.home / "logs" / "rabbitmq-setup.log",
            )
            said.append(
                {
                    "existing": "RabbitMQ: dùng máy chủ đang chạy ở cổng 5672",
                    "installed": "RabbitMQ: đã cài gói Debian rabbitmq-server",
                    "started": "RabbitMQ: đã khởi động rabbitmq-server",
                }[self.rabbit]
            )
        else:
            said.append("RabbitMQ: dùng AMQP_URL")
        self.mongo_url = os.environ.get("MONGO_URL", "")
        if not self.mongo_url:
            self.mongo = EmbeddedMongo(self.home / "data" / "mongo", EMBEDDED_MONGO_PORT)
            self.mongo.start()
            self.mongo_url = self.mongo.url
            said.append(
                f"MongoDB: SecantusDB nhúng ở cổng {EMBEDDED_MONGO_PORT}, dữ liệu tại "
                f"{self.mongo.data_dir}"
            )
        else:
            said.append("MongoDB: dùng MONGO_URL")
        return said

    def service_env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "AMQP_URL": self.amqp_url,
            "MONGO_URL": self.mongo_url,
            "HEALTH_PORT": str(self.health_ports[name]),
            "NGHEDAN_CLOCK_FILE": os.environ.get("NGHEDAN_CLOCK_FILE", str(self.clock_file)),
            "NOTIFY_FILE_DIR": os.environ.get("NOTIFY_FILE_DIR", str(self.home / "outbox")),
            # The embedded platform is for trying out: the published development keys are allowed
            # unless the operator says otherwise (NGHEDAN_DEVELOPMENT=0 with keys of their own).
            "NGHEDAN_DEVELOPMENT": os.environ.get("NGHEDAN_DEVELOPMENT", "1"),
            # Where each service answers, for the CLI run beside them (`nghedan notify list`…).
            **{
                f"NGHEDAN_{other.upper()}_URL": f"http://127.0.0.1:{port}"
                for other, port in self.health_ports.items()
            },
            **self.extra_env.get(name, {}),
        }

    def start_service(self, name: str) -> None:
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        log = open(self.home / "logs" / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            env=self.service_env(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start_services(self, timeout: float = 60) -> None:
        """Every service this platform has a port for (all of SERVICES unless told otherwise)."""
        for name in self.health_ports:
            self.start_service(name)
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 60, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = set(names or self.processes)
        while pending:
            for name in list(pending):
                if self.processes[name].poll() is not None:
                    raise InfraError(
                        f"Dịch vụ {name} dừng khi khởi động "
                        f"(xem {self.home / 'logs' / (name + '.log')})"
                    )
                if self.health(name).get("status") == "ok":
                    pending.discard(name)
            if time.monotonic() > deadline:
                raise InfraError(
                    f"Dịch vụ chưa sẵn sàng sau {timeout:.0f} giây: {', '.join(sorted(pending))}"
                )
            time.sleep(0.3)

    def health(self, name: str) -> dict[str, object]:
        try:
            url = f"http://127.0.0.1:{self.health_ports[name]}/health"
            health: dict[str, object] = httpx.get(url, timeout=3).json()
            return health
        except (httpx.HTTPError, ValueError):
            return {"status": "down"}

    def stop_service(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self, *, stop_rabbit: bool = True) -> None:
        for name in list(self.processes):
            self.stop_service(name)
        if self.mongo:
            self.mongo.stop()
        if stop_rabbit and self.rabbit == "started":
            stop_rabbitmq(self.home / "logs" / "rabbitmq-setup.log")
