"""The Docker engine and the compose project of `make compose-check`, on this machine.

Debian's dockerd with the `vfs` driver, under a data root and a socket of its own (started here
when it is not already answering, stopped at the end if this run started it), the local Debian base
image made with debootstrap once, and `docker compose` on the deployment's own file with the
check's overlay (tests/compose/here.yaml, here.env).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROJECT = "nghedan-check"
BASE_IMAGE = "nghedan-check/debian:bookworm"
DATA_ROOT = Path(os.environ.get("NGHEDAN_DOCKER_ROOT", "/var/lib/nghedan-check"))
RUN_DIR = Path("/run/nghedan-check")
DEBIAN_MIRROR = "http://deb.debian.org/debian"


class CheckFailed(RuntimeError):
    """A step of the check did not do what it should; the message says what was seen."""


def _debian_mirror() -> str:
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for line in sources.read_text(encoding="utf-8").splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    return DEBIAN_MIRROR


@dataclass
class Engine:
    """dockerd on its own socket; started by this run only when nothing answers there."""

    console: Console
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return os.environ.get("CHECK_DOCKER_HOST", f"unix://{RUN_DIR / 'docker.sock'}")

    def docker(self, *args: str, check: bool = True, **kw: Any) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DOCKER_HOST": self.host}
        return subprocess.run(
            ["docker", *args], env=env, text=True, capture_output=True, check=check, **kw
        )

    def answering(self) -> bool:
        return self.docker("info", "--format", "{{.ServerVersion}}", check=False).returncode == 0

    def start(self, timeout: float = 120) -> str:
        if self.answering():
            return "đã chạy sẵn"
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        DATA_ROOT.mkdir(parents=True, exist_ok=True)
        # Nothing answers: a pid file left by an engine that was killed is stale (dockerd refuses
        # to start while it names a running process, even one that only reused the number).
        (RUN_DIR / "dockerd.pid").unlink(missing_ok=True)
        out = open(self.log, "ab")
        self.process = subprocess.Popen(
            [
                "dockerd",
                "--storage-driver",
                "vfs",
                "--data-root",
                str(DATA_ROOT / "docker"),
                "--exec-root",
                str(RUN_DIR / "exec"),
                "--pidfile",
                str(RUN_DIR / "dockerd.pid"),
                "-H",
                self.host,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + timeout
        with self.console.status("Chờ Docker engine trả lời trên socket của nó…"):
            while not self.answering():  # the socket answers: the engine is ready
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise CheckFailed(f"dockerd không khởi động được (xem {self.log})")
                time.sleep(0.5)
        return "khởi động (vfs)"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def base_image(self) -> str:
        """A Debian 12 base made with debootstrap, once: no registry is reachable here."""
        if self.docker("image", "inspect", BASE_IMAGE, check=False).returncode == 0:
            return "có sẵn"
        rootfs = DATA_ROOT / "rootfs-bookworm"
        if not (rootfs / "etc" / "debian_version").exists():
            shutil.rmtree(rootfs, ignore_errors=True)
            with self.console.status("debootstrap bookworm (khoảng 3 phút)…"):
                subprocess.run(
                    ["debootstrap", "--variant=minbase", "bookworm", str(rootfs), _debian_mirror()],
                    check=True,
                    capture_output=True,
                )
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        env = {**os.environ, "DOCKER_HOST": self.host}
        subprocess.run(
            ["docker", "import", "-", BASE_IMAGE],
            stdin=tar.stdout,
            env=env,
            check=True,
            capture_output=True,
        )
        tar.wait()
        return "debootstrap + import"


@dataclass
class Project:
    """`docker compose` on deploy/compose.yaml with the check's overlay and settings."""

    engine: Engine
    work: Path
    env: dict[str, str] = field(default_factory=dict)

    def settings(self) -> dict[str, str]:
        return {
            **os.environ,
            "DOCKER_HOST": self.engine.host,
            "NGHEDAN_SECRETS_DIR": str(self.work / "secrets"),
            "NGHEDAN_REFERENCE_DIR": str(self.work / "reference"),
            "NGHEDAN_ENV_FILE": str(HERE / "here.env"),
            "CHECK_MAIL_DIR": str(self.work / "mail"),
            "CHECK_CLOCK_DIR": str(self.work / "clock"),
            "PIP_CA_FILE": os.environ.get("PIP_CA_FILE", "/etc/ssl/certs/ca-certificates.crt"),
            **self.env,
        }

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        check: bool = True,
        timeout: float = 900,
        read_from: Path | None = None,
        write_to: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`docker compose … args`; `read_from`/`write_to` are files given as its standard input
        and output, byte for byte (an archive), as a shell's `<` and `>` would."""
        command = [
            "docker",
            "compose",
            "-p",
            PROJECT,
            "-f",
            str(ROOT / "deploy" / "compose.yaml"),
            "-f",
            str(HERE / "here.yaml"),
            "--env-file",
            str(HERE / "here.env"),
            *args,
        ]
        with contextlib.ExitStack() as files:
            streams: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
            if read_from:
                streams["stdin"] = files.enter_context(open(read_from, "rb"))
            if write_to:
                streams["stdout"] = files.enter_context(open(write_to, "wb"))
            done = subprocess.run(
                command,
                env=self.settings(),
                input=stdin,
                text=True,
                timeout=timeout,
                check=False,
                **streams,
            )
        if check and done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()[-12:]
            raise CheckFailed(f"docker compose {' '.join(args)}: " + " | ".join(said))
        return done

    def containers(self) -> list[dict[str, Any]]:
        out = self.run("ps", "-a", "--format", "json").stdout.strip()
        if not out:
            return []
        if out.startswith("["):
            return list(json.loads(out))
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def container_id(self, service: str) -> str:
        return self.run("ps", "-q", service).stdout.strip()
