"""`nghedan keys`: make a key, see which keys seal a service's data, rotate to a new key."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import typer
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from deploy.cli.rotation import KeyCensus, census, rotate
from deploy.cli.rotation import Progress as Progress_
from shared.crypto import DataKeyError, new_key
from shared.passwords import DASHBOARD_ROLES, hash_password
from shared.settings import ServiceSettings, cipher_for

keys_app = typer.Typer(
    help="Khoá mã hoá dữ liệu cá nhân: tạo khoá, xem, đổi khoá.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)
SERVICE_NAMES = ("registration", "intake", "notification", "reporting")
ServiceName = Annotated[
    str, typer.Argument(help="registration, intake, notification hoặc reporting")
]


def service_settings(service: str, names: tuple[str, ...] = SERVICE_NAMES) -> ServiceSettings:
    """The service's own settings, from the same environment the service runs with."""
    if service not in names:
        raise fail(f"không có dịch vụ {service!r} (chọn: {', '.join(names)})")
    # The service's environment (MONGO_URL, MONGO_DB, its keys) read as the shared settings: the
    # kit needs no service's own code to open that service's sealed values.
    settings = ServiceSettings(service_name=service)
    if "MONGO_DB" not in os.environ:
        settings = settings.model_copy(update={"mongo_db": f"nghedan_{service}"})
    return settings


def fail(message: str) -> typer.Exit:
    """The error on standard error: standard output may be a file the command writes (a
    dashboard user's line, an archive)."""
    errors.print(f"[bold red]Lỗi:[/] {message}")
    return typer.Exit(2)


def _walk(title: str, work: Callable[[Progress_], Coroutine[Any, Any, KeyCensus]]) -> KeyCensus:
    with Progress(
        TextColumn(title), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("keys", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            return asyncio.run(work(advance))
        except PyMongoError as exc:
            raise fail(f"không đọc được cơ sở dữ liệu: {exc}") from exc


def _print_census(result: KeyCensus, current: str) -> None:
    if not result.by_key:
        console.print("Chưa có giá trị nào được mã hoá.")
    for key_id, count in sorted(result.by_key.items()):
        mark = " (khoá hiện tại)" if key_id == current else " (khoá cũ)"
        console.print(f"  khoá {key_id}{mark}: {count} giá trị")


@keys_app.command("new")
def keys_new() -> None:
    """In ra một khoá mới (32 byte ngẫu nhiên, base64) cho NGHEDAN_DATA_KEY hoặc NGHEDAN_LOOKUP_KEY."""
    print(new_key())


@keys_app.command("status")
def keys_status(service: ServiceName) -> None:
    """Đếm các giá trị đã mã hoá trong cơ sở dữ liệu của dịch vụ, theo khoá đã dùng."""
    settings = service_settings(service)
    try:
        current = cipher_for(settings, service).key_id
    except DataKeyError as exc:
        raise fail(str(exc)) from exc
    result = _walk(
        f"Đọc {service}",
        lambda advance: census(settings.mongo_url, settings.mongo_db, progress=advance),
    )
    console.print(f"Dịch vụ {service}, khoá hiện tại {current}:")
    _print_census(result, current)


@keys_app.command("rotate")
def keys_rotate(service: ServiceName) -> None:
    """Mã hoá lại mọi giá trị bằng khoá hiện tại (NGHEDAN_DATA_KEY); khoá cũ đặt ở
    NGHEDAN_RETIRED_DATA_KEYS cho đến khi xong. Chạy lại bao nhiêu lần cũng được."""
    settings = service_settings(service)
    try:
        cipher = cipher_for(settings, service)
    except DataKeyError as exc:
        raise fail(str(exc)) from exc
    result = _walk(
        f"Mã hoá lại {service}",
        lambda advance: rotate(settings.mongo_url, settings.mongo_db, cipher, progress=advance),
    )
    console.print(f"Đã mã hoá lại {result.resealed} giá trị bằng khoá {cipher.key_id}.")
    if result.changed_meanwhile:
        console.print(
            f"{result.changed_meanwhile} giá trị được dịch vụ ghi mới trong lúc chạy: "
            "chạy lại lệnh để kiểm tra."
        )
    _print_census(result, cipher.key_id)
    if result.unopened:
        console.print(
            f"[red]{result.unopened} giá trị mã hoá bằng khoá không có trong NGHEDAN_DATA_KEY / "
            "NGHEDAN_RETIRED_DATA_KEYS: thêm khoá đó rồi chạy lại.[/]"
        )
        raise typer.Exit(1)
    old = sum(n for key_id, n in result.by_key.items() if key_id != cipher.key_id)
    if old == 0 and not result.changed_meanwhile:
        console.print(
            "[green]Mọi giá trị đã dùng khoá hiện tại.[/] Khi hàng thư chết của dịch vụ đã được "
            "xử lý hết, có thể bỏ khoá cũ khỏi NGHEDAN_RETIRED_DATA_KEYS."
        )


def dashboard_user(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập của cán bộ")],
    role: Annotated[
        str, typer.Option(help="viewer: xem bảng điều khiển; api: chỉ đọc JSON dưới /api/")
    ] = "viewer",
) -> None:
    """Tạo một dòng cho DASHBOARD_USERS (mật khẩu được băm scrypt, không lưu mật khẩu)."""
    if role not in DASHBOARD_ROLES or ":" in name or "," in name or not name.strip():
        raise fail(f"tên không được chứa “:” hay “,”; vai trò là {' hoặc '.join(DASHBOARD_ROLES)}")
    # The prompts and the hint on standard error: standard output is the one line, so that
    # `nghedan dashboard-user NAME >> deploy/secrets/dashboard_users` appends only it.
    password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại", err=True)
    if len(password) < 12:
        raise fail("mật khẩu cần ít nhất 12 ký tự")
    Console(stderr=True).print(
        "Dòng dưới đây là một tài khoản của DASHBOARD_USERS (mỗi dòng, hoặc mỗi đoạn cách nhau"
        " bằng dấu phẩy, một tài khoản)."
    )
    print(f"{name.strip()}:{role}:{hash_password(password)}")
