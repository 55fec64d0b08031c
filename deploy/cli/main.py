"""`nghedan`: the operator's command line."""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, TypeVar

import httpx
import typer
import yaml
from aiormq.exceptions import AMQPConnectionError
from rich.console import Console
from rich.table import Table

from deploy.cli import bus as busmod
from deploy.cli.backup import backup, restore
from deploy.cli.bulk import import_rows, summarise_import
from deploy.cli.embedded import InfraError, ensure_rabbitmq
from deploy.cli.keys import dashboard_user, keys_app
from deploy.cli.office import print_office
from deploy.cli.platform import SERVICES, Platform, home_dir, service_url
from deploy.cli.readside import ReadSideStalled, wait_caught_up
from deploy.cli.secrets import deploy_secrets
from shared import delegate_lists as importer
from shared.clock import FileClock, write_clock_file
from shared.contracts.registration import MAX_BATCH_ROWS
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA, ServiceSettings

T = TypeVar("T")
app = typer.Typer(
    help="Nghe Dân: vận hành nền tảng đối thoại của xã.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
dlq_app = typer.Typer(help="Hàng thư chết (dead-letter): xem và gửi lại.", no_args_is_help=True)
clock_app = typer.Typer(
    help="Đồng hồ chung của nền tảng (dùng cho thử nghiệm và demo).", no_args_is_help=True
)
contracts_app = typer.Typer(
    help="Hợp đồng công khai: JSON Schema của các thông điệp.", no_args_is_help=True
)
app.add_typer(dlq_app, name="dlq")
app.add_typer(clock_app, name="clock")
app.add_typer(contracts_app, name="contracts")
notify_app = typer.Typer(
    help="Tin nhắn gửi người dân: xem, gửi lại, từ chối nhận.", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")
report_app = typer.Typer(help="Báo cáo: dựng lại số liệu từ sự kiện đã nhận.", no_args_is_help=True)
app.add_typer(report_app, name="report")
reference_app = typer.Typer(
    help="Dữ liệu danh mục của xã: kiểm tra với danh mục hành chính 2025, tạo tệp cho xã mới.",
    no_args_is_help=True,
)
app.add_typer(reference_app, name="reference")
app.add_typer(keys_app, name="keys")
app.command("dashboard-user")(dashboard_user)
app.command("deploy-secrets")(deploy_secrets)
app.command("backup")(backup)
app.command("restore")(restore)
console = Console()


@app.callback()
def quiet_clients() -> None:
    """The CLI says what went wrong itself; the AMQP client's own error lines would repeat it.

    Without keys of its own the CLI works on the embedded platform, as `nghedan up` runs it."""
    if not os.environ.get("NGHEDAN_DATA_KEY"):
        os.environ.setdefault("NGHEDAN_DEVELOPMENT", "1")
    for name in ("aiormq", "aio_pika"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def amqp_url() -> str:
    """AMQP_URL with AMQP_PASSWORD (or AMQP_PASSWORD_FILE) put into it, read as the services read
    it: in a deployment the CLI runs as the `cli` service with the operator's secret."""
    return ServiceSettings().amqp_url


def reference_path() -> Path:
    return Path(os.environ.get("NGHEDAN_REFERENCE_DATA", SHIPPED_REFERENCE_DATA))


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]Lỗi:[/] {message}")
    return typer.Exit(code)


def on_bus(work: Coroutine[Any, Any, T]) -> T:
    """Run the CLI's bus work; a broker that cannot be reached is said plainly, not as a traceback."""
    try:
        return asyncio.run(work)
    except TimeoutError:
        raise  # an outcome that did not come: the caller says so (TimeoutError is an OSError)
    except (AMQPConnectionError, ConnectionError, OSError) as exc:
        where = amqp_url().rsplit("@", 1)[-1]
        raise fail(
            f"không kết nối được RabbitMQ tại {where}: {exc}. RabbitMQ có đang chạy? "
            "(`make up`, hoặc đặt AMQP_URL)"
        ) from exc


@app.command()
def up() -> None:
    """Chạy cả nền tảng ở chế độ tiền cảnh; Ctrl-C để dừng gọn."""
    platform = Platform()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, and a service manager's stop
        signal.signal(sig, lambda *_: stop.set())
    try:
        for line in platform.start_infrastructure():
            console.print(f"• {line}")
        platform.start_services()
        print_status(platform)
        console.print(
            f"Bảng điều khiển: http://127.0.0.1:{platform.health_ports['reporting']}/ · "
            f"tin nhắn (kênh tệp): {platform.home / 'outbox'}"
        )
        print_office(console, platform.health_ports["office"])
        console.print(
            f"[green]Nền tảng đang chạy.[/] Nhật ký: {platform.home / 'logs'}. Nhấn Ctrl-C để dừng."
        )
        while not stop.is_set():
            stop.wait(1)
            for name, process in list(platform.processes.items()):
                if process.poll() is not None:
                    console.print(
                        f"[yellow]Dịch vụ {name} đã dừng (mã {process.returncode}); khởi động lại.[/]"
                    )
                    platform.start_service(name)
    except KeyboardInterrupt:
        pass
    except InfraError as exc:
        raise fail(str(exc)) from exc
    finally:
        console.print("Đang dừng các dịch vụ…")
        platform.stop()
        console.print("Đã dừng.")


def print_status(platform: Platform) -> None:
    table = Table(title="Dịch vụ")
    for column in ("dịch vụ", "trạng thái", "broker", "CSDL", "outbox chờ gửi"):
        table.add_column(column)
    lag = Table(title="Độ trễ của từng consumer (thông điệp chưa áp dụng)")
    for column in ("hàng đợi", "đang chờ", "đang xử lý", "cũ nhất (giây)"):
        lag.add_column(column)
    for name in SERVICES:
        health = platform.health(name)
        table.add_row(
            name,
            str(health.get("status")),
            str(health.get("broker", "-")),
            str(health.get("database", "-")),
            str(health.get("outbox_pending", "-")),
        )
        for q in health.get("consumers", []):  # type: ignore[attr-defined]
            late = q["behind"] > 0
            lag.add_row(
                q["queue"],
                f"[yellow]{q['waiting']}[/]" if late else str(q["waiting"]),
                str(q["in_flight"]),
                f"{q['oldest_seconds']:.0f}",
            )
    console.print(table)
    console.print(lag)


@app.command()
def status() -> None:
    """Sức khoẻ từng dịch vụ và số thông điệp trong từng hàng đợi."""
    print_status(Platform())
    rows = on_bus(busmod.queue_depths(amqp_url()))
    table = Table(title="Hàng đợi")
    for column in ("hàng đợi", "dịch vụ", "số thông điệp", "consumer"):
        table.add_column(column)
    for row in rows:
        alert = row["queue"].endswith(".dlq") and (row["messages"] or 0) > 0
        messages = "chưa khai báo" if row["messages"] is None else str(row["messages"])
        table.add_row(
            row["queue"],
            row["service"],
            f"[red]{messages}[/]" if alert else messages,
            "-" if row["consumers"] is None else str(row["consumers"]),
        )
    console.print(table)


def load_command_file(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
        loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise fail(f"không đọc được {path}: {exc}") from exc
    docs = loaded if isinstance(loaded, list) else [loaded]
    try:
        return [busmod.as_command(doc) for doc in docs]
    except (ValueError, TypeError, AttributeError) as exc:
        raise fail(f"{path}: {exc}") from exc


def print_outcome(outcome: dict[str, Any]) -> None:
    colour = {"accepted": "green", "duplicate": "yellow"}.get(outcome.get("status", ""), "red")
    console.print(
        f"[{colour}]{outcome.get('status')}[/] {outcome.get('command_type', '')} "
        f"({outcome.get('command_id')})"
    )
    if outcome.get("result"):
        console.print_json(data=outcome["result"])
    for err in outcome.get("errors", []):
        console.print(f"  [red]•[/] {err.get('field')}: {err.get('message')}")


@app.command()
def send(
    file: Annotated[
        Path, typer.Argument(help="Tệp JSON/YAML: {type, data} hoặc cả CloudEvent, hoặc danh sách")
    ],
    timeout: Annotated[float, typer.Option(help="Chờ kết quả bao nhiêu giây")] = 30,
) -> None:
    """Gửi lệnh từ tệp và in kết quả (outcome) của từng lệnh."""
    commands = load_command_file(file)

    async def go() -> list[dict[str, Any]]:
        async with busmod.Bus(amqp_url()) as bus:
            return [await bus.send(c, timeout) for c in commands]

    try:
        outcomes = on_bus(go())
    except TimeoutError as exc:
        raise fail(
            f"không có kết quả sau {timeout:.0f} giây: dịch vụ có đang chạy? "
            "(`nghedan status`, `nghedan dlq list`)",
            3,
        ) from exc
    for outcome in outcomes:
        print_outcome(outcome)
    if any(o.get("status") == "rejected" for o in outcomes):
        raise typer.Exit(1)


@app.command("import-delegates")
def import_delegates(
    file: Annotated[Path, typer.Argument(help="Danh sách đại biểu .csv hoặc .xlsx")],
    session: Annotated[str, typer.Option("--session", "-s", help="Mã phiên, ví dụ TT-2026-DK1")],
    report: Annotated[Path | None, typer.Option(help="Nơi ghi báo cáo từng dòng (.csv)")] = None,
    batch: Annotated[
        int, typer.Option(min=1, max=MAX_BATCH_ROWS, help="Số dòng mỗi lệnh gửi đi")
    ] = 50,
) -> None:
    """Đăng ký hàng loạt từ danh sách của trưởng thôn; báo cáo kết quả từng dòng."""
    try:
        rows = importer.read_rows(file)
    except (OSError, ValueError) as exc:
        raise fail(f"không đọc được {file}: {exc}") from exc
    if not rows:
        raise fail(f"{file} không có dòng nào")
    if rows[0].unknown_columns:
        console.print(
            f"[yellow]Bỏ qua các cột không nhận ra:[/] {', '.join(rows[0].unknown_columns)}"
        )
    commands = importer.build_commands(rows, session, load_reference_data(reference_path()))
    lines = run_import(rows, commands, batch)
    refused = [line for line in lines if line["kết quả"] not in ("đã nhận", "đã nhận trước đó")]
    summarise_import(lines if len(lines) <= 40 else refused, lines)
    report = report or file.with_name(file.stem + ".ket-qua.csv")
    importer.write_report(report, lines)
    console.print(f"Báo cáo từng dòng: {report}")


def run_import(
    rows: list[importer.Row], commands: list[dict[str, Any]], batch: int
) -> list[dict[str, str]]:
    return on_bus(import_rows(amqp_url(), rows, commands, batch))


@dlq_app.command("list")
def dlq_list(
    queue: Annotated[
        str | None, typer.Option(help="Chỉ một hàng đợi, ví dụ registration.commands")
    ] = None,
) -> None:
    """Liệt kê thư chết cùng lý do (không lấy chúng ra khỏi hàng)."""
    try:
        letters = on_bus(busmod.list_dead_letters(amqp_url(), queue))
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if not letters:
        console.print("Không có thư chết.")
        return
    table = Table(title=f"Thư chết ({len(letters)})")
    for column in ("hàng", "message_id", "lý do", "lúc", "đã gửi lại"):
        table.add_column(column, overflow="fold")
    for letter in letters:
        table.add_row(
            letter["dlq"],
            str(letter["message_id"]),
            letter["reason"],
            letter["failed_at"],
            str(letter["replayed"]),
        )
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(
    queue: Annotated[str | None, typer.Option(help="Chỉ một hàng đợi")] = None,
    message_id: Annotated[
        list[str] | None, typer.Option("--id", help="message_id cần gửi lại")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Gửi lại tất cả")] = False,
) -> None:
    """Gửi thư chết trở lại hàng đợi nơi nó thất bại."""
    if not message_id and not all_:
        raise fail("chọn --id <message_id> (có thể nhiều lần) hoặc --all")
    try:
        replayed = on_bus(
            busmod.replay_dead_letters(amqp_url(), queue, set(message_id) if message_id else None)
        )
    except ValueError as exc:
        raise fail(str(exc)) from exc
    for letter in replayed:
        console.print(f"Đã gửi lại {letter['message_id']} → {letter['to']}")
    console.print(f"Tổng cộng {len(replayed)} thư.")


@notify_app.command("list")
def notify_list(
    limit: Annotated[int, typer.Option(help="Bao nhiêu tin gần nhất")] = 20,
    failed: Annotated[
        bool, typer.Option("--failed", help="Chỉ tin thất bại, chờ thử lại hoặc tạm giữ")
    ] = False,
    status: Annotated[str | None, typer.Option(help="Chỉ một trạng thái, ví dụ sent")] = None,
) -> None:
    """Liệt kê các tin gần đây (địa chỉ được che một phần)."""
    params = {"limit": str(limit), "failed": "1" if failed else "", "status": status or ""}
    rows = [SimpleNamespace(**r) for r in admin_get("notification", "/admin/messages", params)]
    if not rows:
        console.print("Không có tin nào.")
        return
    table = Table(title=f"Tin nhắn ({len(rows)})")
    for column in ("lúc", "mã tin", "mẫu", "kênh", "trạng thái", "lần", "đến", "lý do"):
        table.add_column(column, overflow="fold")
    for row in rows:
        late = " [red](trễ hạn)[/]" if row.late else ""
        table.add_row(
            row.created_at,
            row.message_id,
            row.template,
            row.channel,
            row.status + late,
            str(row.attempts),
            row.to,
            row.reason,
        )
    console.print(table)


@notify_app.command("resend")
def notify_resend(
    message_id: Annotated[str, typer.Argument(help="Mã tin (cột `mã tin` của `notify list`)")],
    by: Annotated[str | None, typer.Option(help="Người yêu cầu gửi lại")] = None,
) -> None:
    """Gửi lại một tin (dịch vụ notification thực hiện và ghi lại)."""
    data = {"message_id": message_id, "requested_by": by or os.environ.get("USER")}
    _send_one("notification.resend-message.v1", data)


@notify_app.command("opt-out")
def notify_opt_out(
    contact: Annotated[str, typer.Argument(help="Số điện thoại hoặc email")],
    undo: Annotated[bool, typer.Option("--undo", help="Nhận lại tin như trước")] = False,
) -> None:
    """Người dân từ chối nhận tin không bắt buộc (tin pháp luật yêu cầu vẫn được gửi)."""
    _send_one("notification.set-preference.v1", {"contact": contact, "opt_out": not undo})


def _send_one(command_type: str, data: dict[str, Any], timeout: float = 30) -> None:
    async def go() -> dict[str, Any]:
        async with busmod.Bus(amqp_url()) as bus:
            return await bus.send(busmod.as_command({"type": command_type, "data": data}), timeout)

    try:
        outcome = on_bus(go())
    except TimeoutError as exc:
        raise fail(
            f"không có kết quả sau {timeout:.0f} giây: notification có đang chạy?", 3
        ) from exc
    print_outcome(outcome)
    if outcome.get("status") == "rejected":
        raise typer.Exit(1)


def admin_token() -> str | None:
    """The operator's token for the services' /admin/ door (NGHEDAN_ADMIN_TOKEN[_FILE])."""
    path = os.environ.get("NGHEDAN_ADMIN_TOKEN_FILE")
    if path and not os.environ.get("NGHEDAN_ADMIN_TOKEN"):
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get("NGHEDAN_ADMIN_TOKEN") or None


def admin_call(
    service: str,
    method: str,
    path: str,
    params: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> Any:
    """A call to a service's /admin/ door; what goes wrong said in a sentence."""
    token = admin_token()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = service_url(service) + path
    try:
        answer = httpx.request(method, url, params=params, json=body, headers=headers, timeout=300)
    except httpx.HTTPError as exc:
        raise fail(f"không gọi được {service} tại {url}: {exc}. Dịch vụ có đang chạy?") from exc
    if answer.status_code != 200:
        try:
            said = str(answer.json().get("error") or answer.text)
        except ValueError:
            said = answer.text
        raise fail(f"{service} trả lời {answer.status_code}: {said[:300]}")
    return answer.json()


def admin_get(service: str, path: str, params: dict[str, str] | None = None) -> Any:
    return admin_call(service, "GET", path, params)


@app.command("office-user")
def office_user(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập (mỗi người một tài khoản)")],
    full_name: Annotated[
        str, typer.Option("--full-name", help="Họ tên, như lịch sử ghi người làm")
    ],
    role: Annotated[
        str,
        typer.Option(help="reception, clerk, chair, agency, village_head hoặc viewer"),
    ],
    village: Annotated[str | None, typer.Option(help="Mã thôn (Trưởng thôn)")] = None,
    agency: Annotated[str | None, typer.Option(help="Mã cơ quan (cán bộ cơ quan)")] = None,
) -> None:
    """Tạo hoặc sửa tài khoản của một người trên trang văn phòng (mật khẩu băm argon2id)."""
    password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại")
    body = {"name": name, "full_name": full_name, "role": role, "password": password}
    body |= {"village": village, "agency": agency, "by": getpass.getuser()}
    answer = admin_call("office", "POST", "/admin/accounts", body=body)
    verb = "Đã tạo" if answer["created"] else "Đã cập nhật"
    console.print(f"[green]{verb} tài khoản {answer['account']}[/] ({role}).")


@report_app.command("rebuild")
def report_rebuild() -> None:
    """Dựng lại mọi số liệu từ sổ sự kiện của dịch vụ báo cáo (bên cạnh số liệu đang dùng) và so."""
    try:  # events still being applied would show as differences: let reporting catch up first
        asyncio.run(wait_caught_up(service_url("reporting") + "/health", "reporting", console))
    except (httpx.HTTPError, ValueError):
        console.print("[yellow]Không hỏi được độ trễ của reporting (dịch vụ có đang chạy?).[/]")
    except ReadSideStalled as exc:
        console.print(f"[yellow]{exc}[/]")
    with console.status("Đang dựng lại số liệu từ sổ sự kiện…"):
        answer = admin_call("reporting", "POST", "/admin/rebuild")
    replayed, differences = answer["replayed"], answer["differences"]
    console.print(f"Đã dựng lại từ {replayed} sự kiện.")
    if not differences:
        console.print("[green]Số liệu dựng lại giống hệt số liệu đang dùng.[/]")
        return
    console.print(f"[yellow]{len(differences)} nhóm số liệu khác (sự kiện đang xử lý?):[/]")
    for name in differences:
        console.print(f"  • {name}")
    raise typer.Exit(1)


@clock_app.command("show")
def clock_show() -> None:
    """Giờ hiện tại theo đồng hồ chung."""
    console.print(FileClock(clock_path()).now().isoformat())


def clock_path() -> Path:
    return Path(os.environ.get("NGHEDAN_CLOCK_FILE", home_dir() / "clock.json"))


@clock_app.command("set")
def clock_set(
    at: Annotated[str, typer.Argument(help="Thời điểm ISO 8601, ví dụ 2026-09-25T08:00:00+07:00")],
) -> None:
    """Dừng đồng hồ chung ở một thời điểm."""
    write_clock_file(clock_path(), frozen_at=datetime.fromisoformat(at))
    clock_show()


@clock_app.command("advance")
def clock_advance(days: float = 0, hours: float = 0) -> None:
    """Chỉnh đồng hồ chung tiến lên."""
    current = FileClock(clock_path()).now()
    write_clock_file(clock_path(), frozen_at=current + timedelta(days=days, hours=hours))
    clock_show()


@clock_app.command("reset")
def clock_reset() -> None:
    """Trở về giờ thật."""
    clock_path().unlink(missing_ok=True)
    clock_show()


@reference_app.command("check")
def reference_check(
    file: Annotated[
        Path | None, typer.Option(help="Tệp danh mục (mặc định: NGHEDAN_REFERENCE_DATA)")
    ] = None,
) -> None:
    """Kiểm tra mã, tên xã và tỉnh với danh mục 3.321 đơn vị hành chính cấp xã năm 2025."""
    from deploy.cli import admin_units

    path = file or reference_path()
    try:
        ref = load_reference_data(path)
        found = admin_units.problems(ref.commune)
    except admin_units.AdminUnitsMissing as exc:
        raise fail(str(exc)) from exc
    except (OSError, ValueError) as exc:
        raise fail(f"không đọc được {path}: {exc}") from exc
    if found:
        for problem in found:
            console.print(f"[red]•[/] {problem}")
        raise typer.Exit(1)
    unit = admin_units.units()[ref.commune.official_code or ""]
    console.print(
        f"[green]Khớp[/] danh mục 2025: {unit.kind} {unit.name}, tỉnh {unit.province} "
        f"(mã {unit.code}, mã tỉnh {unit.province_code})."
    )


@reference_app.command("new")
def reference_new(
    code: Annotated[str, typer.Option(help="Mã đơn vị hành chính cấp xã (5 chữ số), ví dụ 06436")],
    prefix: Annotated[str, typer.Option(help="Tiền tố mã phiên và mã theo dõi, ví dụ TT")],
    out: Annotated[Path, typer.Option(help="Tệp YAML sẽ ghi")],
    villages: Annotated[int, typer.Option(min=1, max=200, help="Số thôn (tên tạm)")] = 26,
    force: Annotated[bool, typer.Option(help="Ghi đè tệp đã có")] = False,
) -> None:
    """Tạo tệp danh mục cho một xã mới từ danh mục hành chính 2025 (tên, tỉnh theo mã)."""
    import yaml

    from deploy.cli import admin_units
    from shared.reference import ReferenceData

    if out.exists() and not force:
        raise fail(f"{out} đã có: thêm --force để ghi đè")
    try:
        data = admin_units.starter(code, prefix, villages, SHIPPED_REFERENCE_DATA)
        ReferenceData.model_validate(data)
    except admin_units.AdminUnitsMissing as exc:
        raise fail(str(exc)) from exc
    except KeyError as exc:
        raise fail(exc.args[0]) from exc
    except ValueError as exc:
        raise fail(f"tệp tạo ra không hợp lệ: {exc}") from exc
    header = (
        f"# Danh mục của {data['commune']['name']} ({data['commune']['province']}), tạo bởi "
        f"`nghedan reference new --code {code}` từ danh mục đơn vị hành chính 2025.\n"
        "# Mọi giá trị `placeholder` (tên thôn, số cử tri, liên hệ các cơ quan) văn phòng phải "
        "thay bằng số liệu thật.\n"
    )
    out.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    console.print(f"Đã ghi {out}: {data['commune']['name']}, tỉnh {data['commune']['province']}.")


@contracts_app.command("generate")
def contracts_generate() -> None:
    """Sinh lại JSON Schema của mọi thông điệp và tài liệu AsyncAPI (docs/asyncapi.yaml)."""
    from shared.contracts.schemagen import generate
    from shared.messaging import asyncapi

    for path in generate():
        console.print(str(path))
    console.print(str(asyncapi.write()))


@app.command("rabbitmq-definitions")
def rabbitmq_definitions(
    secrets_dir: Annotated[
        Path, typer.Option(help="Thư mục bí mật: tệp rabbitmq_<user>_password cho từng người dùng")
    ] = Path("deploy/secrets"),
    output: Annotated[Path, typer.Option("-o", help="Nơi ghi (không đưa vào git)")] = Path(
        "deploy/secrets/definitions.json"
    ),
    systems_dir: Annotated[
        Path | None,
        typer.Option(help="Mật khẩu của các hệ thống tích hợp (mặc định: <secrets-dir>/systems)"),
    ] = None,
) -> None:
    """Sinh tệp definitions của RabbitMQ (vhost, hàng đợi, người dùng và quyền) lúc triển khai,
    từ mật khẩu trong thư mục bí mật và bảng ai được gửi lệnh nào (NGHEDAN_SENDERS)."""
    from shared.messaging.definitions import definitions, passwords_from_files
    from shared.messaging.senders import load_senders

    senders = load_senders(ServiceSettings().senders)
    try:
        passwords = passwords_from_files(secrets_dir, senders, systems_dir)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(definitions(passwords, senders), indent=2) + "\n")
    console.print(f"Đã ghi {output} ({len(passwords)} người dùng)")


@app.command("ensure-rabbitmq")
def ensure_rabbitmq_command() -> None:
    """Bảo đảm có RabbitMQ cục bộ (dùng máy chủ đang chạy, hoặc cài và khởi động)."""
    try:
        console.print(f"RabbitMQ: {ensure_rabbitmq()}")
    except InfraError as exc:
        raise fail(str(exc)) from exc


@app.command()
def demo() -> None:
    """Chạy kịch bản đăng ký đại biểu với dữ liệu xã Thiện Tân rồi dừng gọn."""
    from deploy.cli.demo import run_demo

    sys.exit(run_demo(console))


if __name__ == "__main__":
    app()
