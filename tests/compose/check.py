"""`make compose-check`: the operator's compose deployment started, used, broken and restarted on
this machine, in a real Docker engine, with images built here (a Debian base from debootstrap,
RabbitMQ from Debian's package, SecantusDB standing in for MongoDB: tests/compose/here.yaml).

deploy-secrets → build → up → every container healthy → systems over AMQPS 5671 → an invitation at
a real mail server → the province's results on its own queue → the office's and the dashboard's
pages after a login → a service and the broker killed mid-stream: nothing lost, nothing twice →
one service's database backed up and restored → down and up with the volumes kept → down -v. It
prints a table: step, seconds, result.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml
from rich.console import Console
from rich.table import Table

from deploy.cli.secrets import SERVICES
from tests.compose.engine import ROOT, CheckFailed, Engine, Project
from tests.compose.story import (
    Outside,
    conference_times,
    delegate,
    invitations,
    login_office,
    mail_until,
    mails,
    wait_for_mail,
)
from tests.waits import platform_settled

console = Console()
ONE_SHOTS = {"definitions", "mongo-init"}
KILLED_BATCH = 30
INTAKE_PORTS = "28186-28187"  # tests/compose/here.env


class Steps:
    """Each step's seconds and what it showed; the first failure ends the run."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str, bool]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[dict[str, str]]:
        said: dict[str, str] = {"result": "xong"}
        console.rule(f"[bold]{name}")
        started = time.monotonic()
        try:
            yield said
        except Exception as exc:
            said_ = f"LỖI: {exc}"
            said_ = said_ if len(said_) < 400 else said_[:400] + "…"
            self.rows.append((name, time.monotonic() - started, said_, False))
            raise
        self.rows.append((name, time.monotonic() - started, said["result"], True))
        console.print(f"[green]✓[/] {name}: {said['result']}")

    def table(self) -> Table:
        table = Table(title="make compose-check")
        for column in ("bước", "giây", "kết quả"):
            table.add_column(column)
        for name, seconds, result, ok in self.rows:
            table.add_row(name, f"{seconds:.0f}", result if ok else f"[red]{result}")
        return table


def nghedan(*args: str, stdin: str | None = None) -> str:
    cli = Path(sys.executable).parent / "nghedan"
    done = subprocess.run(
        [str(cli), *args], input=stdin, text=True, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise CheckFailed(f"nghedan {args[0]}: {done.stderr.strip()[-300:]}")
    return done.stdout


def make_secrets(project: Project) -> str:
    work = project.work
    nghedan("deploy-secrets", "--dir", str(work / "secrets"), "--hostname", "localhost")
    password = secrets.token_urlsafe(18)
    line = nghedan("dashboard-user", "chanh-vp", stdin=f"{password}\n{password}\n")
    with open(work / "secrets" / "dashboard_users", "a", encoding="utf-8") as users:
        users.write(line)
    (work / "dashboard_password").write_text(password)
    shutil.copytree(ROOT / "shared" / "reference_data", work / "reference")
    for folder in ("mail", "clock"):
        (work / folder).mkdir(mode=0o755)
    made = len(list((work / "secrets").iterdir()))
    return f"{made} tệp bí mật, 1 tài khoản bảng điều khiển"


def wait_healthy(project: Project, timeout: float = 420) -> str:
    """Until every long-running container is healthy and each one-shot exited 0: the engine's own
    health checks are the signal; a container that dies says so at once, with its last lines."""
    deadline = time.monotonic() + timeout
    with console.status("Chờ các container khoẻ…") as status:
        while True:
            rows = project.containers()
            waiting = []
            for row in rows:
                service, state = row["Service"], row["State"]
                if service in ONE_SHOTS:
                    if state == "exited" and row.get("ExitCode", 0) != 0:
                        logs = project.run("logs", "--tail", "8", service, check=False).stdout
                        raise CheckFailed(f"{service} thoát với mã {row['ExitCode']}: {logs}")
                    continue
                if row.get("Health", "") != "healthy":
                    waiting.append(f"{service} ({row.get('Health') or state})")
            if rows and not waiting:
                return f"{len(rows)} container, mọi container khoẻ"
            if time.monotonic() > deadline:
                raise CheckFailed("chưa khoẻ sau " + f"{timeout:.0f} giây: {', '.join(waiting)}")
            status.update(f"Chờ các container khoẻ: còn {', '.join(waiting) or '…'}")
            time.sleep(1)


async def systems_over_tls(outside: Outside) -> str:
    issue = await outside.accepted("mot_cua", "intake.submit-issue.v1", {"village_code": "T02"})
    if not await outside.refused_login("operator"):
        raise CheckFailed("người dùng operator đăng nhập được qua cổng TLS công khai")
    return f"mot_cua gửi kiến nghị qua AMQPS: {issue.get('tracking_code')}; operator bị từ chối"


async def new_system(outside: Outside) -> str:
    """An integrating system added as the operator's guide says: its entry in senders.yaml (the
    mounted reference folder), its password file (`nghedan deploy-secrets`), the broker's
    definitions made again and imported, the services restarted to read the file. No image built."""
    project = outside.project
    senders = project.work / "reference" / "senders.yaml"
    data = yaml.safe_load(senders.read_text(encoding="utf-8"))
    data["systems"]["hop_tac_xa"] = {"commands": ["intake.submit-issue.v1"]}
    senders.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    nghedan("deploy-secrets", "--dir", str(project.work / "secrets"), "--senders", str(senders))
    project.run("run", "--rm", "definitions")
    project.run(
        "exec",
        "-T",
        "rabbitmq",
        "rabbitmqctl",
        "import_definitions",
        "/etc/rabbitmq/generated/definitions.json",
    )
    project.run("restart", *SERVICES)
    wait_healthy(project)
    issue = await outside.accepted("hop_tac_xa", "intake.submit-issue.v1", {"village_code": "T03"})
    return f"hop_tac_xa thêm vào senders.yaml, không dựng lại ảnh: {issue.get('tracking_code')}"


async def invitation(outside: Outside, state: dict[str, Any]) -> str:
    session = await outside.accepted(
        "van_phong", "registration.create-session.v1", {"capacity_min": 1, "topics": []}
    )
    state["session_id"] = session_id = session["session_id"]
    await outside.accepted(
        "van_phong",
        "registration.schedule-session.v1",
        {
            "session_id": session_id,
            "starts_at": "2026-09-25T08:00:00+07:00",
            "ends_at": "2026-09-25T11:30:00+07:00",
        },
    )
    state["first_id"] = str(uuid.uuid4())
    registered = await outside.accepted(
        "van_phong", "registration.register-delegate.v1", delegate(session_id, 0), state["first_id"]
    )
    state["codes"] = {registered["registration_code"]}
    got = await wait_for_mail(outside.project.work / "mail" / "inbox", state["codes"], console)
    return f"thư mời {registered['registration_code']} tới máy chủ thư ({sum(got.values())} thư)"


async def province_results(outside: Outside, state: dict[str, Any]) -> str:
    session_id, times = state["session_id"], conference_times()
    queue = f"province.kiem-tra-{uuid.uuid4().hex[:6]}"
    listener = asyncio.create_task(
        outside.example.listen(outside.url("province"), outside.document, 1, queue, outside.ca)
    )
    outside.set_clock(times["check_in"])
    await outside.accepted(
        "van_phong", "registration.check-in.v1", {"registration_code": min(state["codes"])}
    )
    outside.set_clock(times["concluded"])
    await outside.accepted(
        "van_phong", "registration.conclude-session.v1", {"session_id": session_id}
    )
    outside.set_clock(times["issued"])
    await _until_accepted(
        lambda: outside.operator_sends(
            "reporting.issue-results.v1",
            {
                "session_id": session_id,
                "document_number": "01/TB-UBND",
                "issued_on": "2026-09-30",
                "signer_name": "Lý Hoàng Long",
                "signer_title": "CHỦ TỊCH",
                "requested_by": "Chánh Văn phòng",
            },
        )
    )
    received = await asyncio.wait_for(listener, 180)
    if not received or received[0]["data"].get("session_id") != session_id:
        raise CheckFailed(f"hàng đợi của tỉnh nhận: {received}")
    return f"tỉnh đọc {received[0]['type']} trên hàng đợi {queue} của mình"


async def _until_accepted(send: Callable[[], str], timeout: float = 120) -> str:
    """Reporting follows registration's events at its own pace: its refusal `not_concluded` means
    it has not yet heard; sent again until it has (the outcome is the signal), within a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return send()
        except CheckFailed as exc:
            behind = "not_concluded" in str(exc) or "not_ready" in str(exc)
            if not behind or time.monotonic() > deadline:
                raise
            console.print("  reporting chưa nghe tin hội nghị kết thúc; gửi lại khi nó theo kịp…")
            await asyncio.sleep(1)


def pages(outside: Outside) -> str:
    password = (outside.project.work / "dashboard_password").read_text()
    url = f"http://127.0.0.1:{outside.dashboard_port}/"
    if httpx.get(url, timeout=30).status_code != 401:
        raise CheckFailed("bảng điều khiển mở khi chưa đăng nhập")
    dashboard = httpx.get(url, auth=("chanh-vp", password), timeout=30)
    if dashboard.status_code != 200:
        raise CheckFailed(f"bảng điều khiển sau đăng nhập: {dashboard.status_code}")
    office_password = secrets.token_urlsafe(18)
    outside.project.run(
        "run",
        "--rm",
        "-T",
        "cli",
        "nghedan",
        "office-user",
        "chanh-van-phong",
        "--full-name",
        "Nguyễn Thị Văn Phòng",
        "--role",
        "clerk",
        stdin=f"{office_password}\n{office_password}\n",
    )
    first = login_office(outside.office_port, "chanh-van-phong", office_password)
    if first.status_code != 200 or "Nguyễn Thị Văn Phòng" not in first.text:
        raise CheckFailed(f"trang đầu của văn phòng: {first.status_code}")
    for port in (outside.office_port, outside.dashboard_port):  # the proxy's ports: no metrics
        internal = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).status_code
        if internal != 404:
            raise CheckFailed(f"/metrics trả lời {internal} qua cổng công khai {port}")
    return (
        "bảng điều khiển 401 rồi 200; văn phòng: đăng nhập, trang đầu 200; "
        "/metrics qua cổng công khai: 404"
    )


async def killed_mid_stream(outside: Outside, state: dict[str, Any]) -> str:
    """30 registrations published and confirmed by the broker; at once the registration container
    and the broker container are killed; once the mail server has the first of the new
    invitations, the notification container is killed while it sends the rest (email goes out
    at the rate limit's pace, so it is mid-stream). Afterwards the same commands, sent again with
    the same ids, must give one delegate each, and the mail server one invitation each."""
    project, session_id = outside.project, state["session_id"]
    inbox = project.work / "mail" / "inbox"
    batch = [(str(uuid.uuid4()), delegate(session_id, seq)) for seq in range(1, KILLED_BATCH + 1)]
    await outside.publish("van_phong", "registration.register-delegate.v1", batch)
    project.engine.docker("kill", project.container_id("registration"))
    project.engine.docker("kill", project.container_id("rabbitmq"))
    project.run("up", "-d", "--no-recreate")  # what the restart policy did not bring back
    wait_healthy(project)
    before = len(invitations(inbox))
    enough = before + 3  # the first new invitations are out: notification is mid-stream
    seen = len(
        await mail_until(
            inbox, lambda got: None if len(got) >= enough else f"{len(got)}/{enough}", console
        )
    )
    project.engine.docker("kill", project.container_id("notification"))
    project.run("up", "-d", "--no-recreate")
    wait_healthy(project)
    outcomes = [
        await outside.send("van_phong", "registration.register-delegate.v1", d, i) for i, d in batch
    ]
    # Sent again with its id, a command applied before the faults answers `duplicate` with its
    # first outcome; one the faults had stopped is applied now: either way, accepted once.
    done = [o for o in outcomes if "accepted" in (o["status"], o.get("first_status"))]
    codes = {o["result"]["registration_code"] for o in done}
    again = sum(o["status"] == "duplicate" for o in outcomes)
    if len(codes) != KILLED_BATCH:
        refused = [o.get("errors") for o in outcomes if o["status"] != "accepted"][:3]
        raise CheckFailed(f"{len(codes)}/{KILLED_BATCH} đại biểu sau sự cố; {refused}")
    state["codes"] |= codes
    got = await wait_for_mail(inbox, state["codes"], console)
    twice = {code: n for code, n in got.items() if n > 1}  # two Message-IDs: a second message
    if twice:
        raise CheckFailed(f"thư mời gửi hai lần: {twice}")
    wire = mails(inbox)
    state["mail_count"] = sum(got.values())
    state["wire_count"] = sum(wire.values())
    return (
        f"{KILLED_BATCH} đăng ký đã xác nhận, kill registration và rabbitmq, rồi kill notification "
        f"khi máy chủ thư mới có {seen - before}/{KILLED_BATCH} thư mời mới; gửi lại: {again} "
        f"duplicate, {KILLED_BATCH - again} áp dụng sau; {len(codes)} đại biểu, {len(got)} thư "
        f"mời, mỗi người một Message-ID; {state['wire_count'] - len(wire)} lần gửi lại cùng "
        "Message-ID (đang gửi dở lúc kill)"
    )


async def kept_across_restart(outside: Outside, state: dict[str, Any]) -> str:
    """down, then up with the volumes kept: the first delegate is still known (sending its
    registration again gives the same code), and no invitation is sent again."""
    project = outside.project
    project.run("down")
    project.run("up", "-d")
    wait_healthy(project)
    again = await outside.send(  # the first registration, sent again with its id
        "van_phong",
        "registration.register-delegate.v1",
        delegate(state["session_id"], 0),
        state["first_id"],
    )
    code = (again.get("result") or {}).get("registration_code")
    if again.get("status") != "duplicate" or code not in state["codes"]:
        raise CheckFailed(f"sau down/up, đại biểu đầu tiên không còn: {again}")
    # Counted once notification is at rest by its own /health (through its published port):
    # queues empty, nothing owed, nothing waiting to be retried, nothing moving between two looks.
    await platform_settled({"notification": outside.notification_port})
    after = mails(project.work / "mail" / "inbox")
    if sum(after.values()) != state["wire_count"]:
        raise CheckFailed(f"sau down/up có thư mời gửi lại: {sum(after.values())}")
    return (
        f"dữ liệu còn: đăng ký đầu gửi lại trả lời duplicate, mã {code}; "
        f"{state['mail_count']} thư mời, không thêm thư nào"
    )


async def backup_drill(outside: Outside) -> str:
    """The operator's guide's drill (section 4) on intake's database, through the `cli` service
    and a file on the host: backed up while intake runs; a submission made after the backup; a
    restore into the running intake refused; intake stopped, restored, started. Judged by intake
    over AMQPS: the submission from before the backup is still known (sent again with its id, a
    duplicate with its code), the one from after is not (sent again, applied as new)."""
    project, archive = outside.project, outside.project.work / "intake-backup.tar.gz"
    before_id, after_id = str(uuid.uuid4()), str(uuid.uuid4())
    submit = {"village_code": "T05"}
    before = await outside.accepted("mot_cua", "intake.submit-issue.v1", submit, before_id)
    project.run("run", "--rm", "-T", "cli", "nghedan", "backup", "intake", write_to=archive)
    after = await outside.accepted("mot_cua", "intake.submit-issue.v1", submit, after_id)
    restore = ("run", "--rm", "-T", "cli", "nghedan", "restore", "intake", "--yes")
    refused = project.run(*restore, read_from=archive, check=False)
    if refused.returncode == 0 or "vẫn đang chạy" not in refused.stdout + refused.stderr:
        raise CheckFailed(f"khôi phục vào intake đang chạy không bị từ chối: {refused.stderr}")
    project.run("stop", "intake")
    project.run(*restore, read_from=archive)
    project.run("start", "intake")
    wait_healthy(project)
    again = await outside.send("mot_cua", "intake.submit-issue.v1", submit, before_id)
    kept = (again.get("result") or {}).get("tracking_code")
    if again.get("status") != "duplicate" or kept != before["tracking_code"]:
        raise CheckFailed(f"sau khôi phục, kiến nghị trước lúc sao lưu không còn: {again}")
    lost = await outside.send("mot_cua", "intake.submit-issue.v1", submit, after_id)
    if lost.get("status") != "accepted":
        raise CheckFailed(f"sau khôi phục, kiến nghị sau lúc sao lưu vẫn còn: {lost}")
    anew = lost["result"]["tracking_code"]
    same = (
        " (cùng mã: bộ đếm của intake lùi về lúc sao lưu)" if anew == after["tracking_code"] else ""
    )
    return (
        f"sao lưu {archive.stat().st_size // 1024} KiB qua dịch vụ cli; khôi phục khi intake "
        f"đang chạy: bị từ chối; dừng, khôi phục, chạy lại: {before['tracking_code']} còn "
        f"(duplicate), {after['tracking_code']} mất, gửi lại thành {anew}{same}"
    )


async def scaled(outside: Outside) -> str:
    """intake scaled to two replicas (its published port a range, as the operator's guide
    says), then commands from a system: each applied once, whichever replica took it."""
    project = outside.project
    project.run("up", "-d", "--no-recreate", "--scale", "intake=2")
    wait_healthy(project)
    replicas = [row for row in project.containers() if row["Service"] == "intake"]
    sent = [
        await outside.accepted("mot_cua", "intake.submit-issue.v1", {"village_code": "T04"})
        for _ in range(6)
    ]
    codes = {issue["tracking_code"] for issue in sent}
    if len(replicas) != 2 or len(codes) != 6:
        raise CheckFailed(f"{len(replicas)} bản intake, {len(codes)}/6 mã tiếp nhận")
    project.run("up", "-d", "--no-recreate", "--scale", "intake=1")
    return f"2 bản intake (cổng {INTAKE_PORTS}); 6 kiến nghị, 6 mã khác nhau; về 1 bản"


def removed(project: Project) -> str:
    project.run("down", "-v", "--remove-orphans")
    left = project.engine.docker(
        "volume", "ls", "-q", "--filter", "label=com.docker.compose.project=nghedan-check"
    ).stdout.split()
    if left:
        raise CheckFailed(f"còn volume: {left}")
    return "container, mạng và volume đã xoá"


async def story(steps: Steps, project: Project, outside: Outside) -> None:
    """The outside's steps, in order; each one's result is a sentence of what it saw."""
    state: dict[str, Any] = {}
    plan: list[tuple[str, Callable[[], Any]]] = [
        ("hệ thống tích hợp qua AMQPS 5671", lambda: systems_over_tls(outside)),
        ("thêm một hệ thống tích hợp", lambda: new_system(outside)),
        ("thư mời qua SMTP thật", lambda: invitation(outside, state)),
        (
            "kill registration, rabbitmq, notification giữa chừng",
            lambda: killed_mid_stream(outside, state),
        ),
        ("trang văn phòng và bảng điều khiển", lambda: pages(outside)),
        ("--scale intake=2", lambda: scaled(outside)),
        ("tỉnh đọc kết quả", lambda: province_results(outside, state)),
        ("sao lưu và khôi phục intake", lambda: backup_drill(outside)),
        ("down rồi up, giữ volume", lambda: kept_across_restart(outside, state)),
    ]
    for name, act in plan:
        with steps.step(name) as said:
            result = act()
            said["result"] = await result if asyncio.iscoroutine(result) else result


def run(keep: bool) -> int:
    work = Path(tempfile.mkdtemp(prefix="nghedan-compose-"))
    engine = Engine(console, work / "dockerd.log")
    project = Project(engine, work)
    steps = Steps()
    try:
        with steps.step("Docker engine") as said:
            said["result"] = engine.start() + "; ảnh gốc Debian: " + engine.base_image()
        project.run("down", "-v", "--remove-orphans", check=False)  # an earlier run's leftovers
        with steps.step("nghedan deploy-secrets") as said:
            said["result"] = make_secrets(project)
        with steps.step("dựng ảnh") as said:
            project.run("build", timeout=1800)
            said["result"] = "nghedan, rabbitmq (gói Debian), công cụ kiểm tra"
        outside = Outside(project)
        outside.start_clock()
        with steps.step("up -d, mọi container khoẻ") as said:
            project.run("up", "-d")
            said["result"] = wait_healthy(project)
        asyncio.run(story(steps, project, outside))
        if not keep:
            with steps.step("down -v") as said:
                said["result"] = removed(project)
        return 0
    except Exception as exc:  # the table says which step, the logs say why
        logs = project.run("logs", "--tail", "30", check=False).stdout
        (work / "compose.log").write_text(logs)
        console.print(f"[red]{type(exc).__name__}: {exc}[/] (nhật ký: {work / 'compose.log'})")
        if not keep:
            project.run("down", "-v", "--remove-orphans", check=False)
        return 1
    finally:
        console.print(steps.table())
        engine.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    for name in ("aiormq", "aio_pika"):  # the check says what failed; not every reconnect
        logging.getLogger(name).setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the deployment running")
    return run(parser.parse_args().keep)


if __name__ == "__main__":
    sys.exit(main())
