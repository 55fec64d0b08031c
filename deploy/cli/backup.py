"""`nghedan backup` and `nghedan restore`: one service's database to an archive and back, with a
progress bar, refusing what would lose data (a restore into a running service, an archive of
another service, a half-read archive)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import typer
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from deploy.cli.dump import BackupError, Manifest, dump, load, read_manifest, spool
from deploy.cli.dump import Progress as Progress_
from deploy.cli.keys import fail, service_settings
from deploy.cli.platform import SERVICES, service_url

T = TypeVar("T")
# Standard output may be the archive itself: every word for the operator goes to standard error.
console = Console(stderr=True)
ServiceName = Annotated[
    str, typer.Argument(help="registration, intake, notification, reporting hoặc office")
]
STDIO = "-"


def _with_database(
    service: str, title: str, work: Callable[[Any, str, Progress_], Coroutine[Any, Any, T]]
) -> T:
    """Run `work(client, database, progress)` on the service's database, with a progress bar."""
    settings = service_settings(service, tuple(SERVICES))

    async def run(advance: Progress_) -> T:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            settings.mongo_url, serverSelectionTimeoutMS=10_000, tz_aware=True
        )
        try:
            return await work(client, settings.mongo_db, advance)
        finally:
            await client.close()

    with Progress(
        TextColumn(title), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task(title, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            return asyncio.run(run(advance))
        except BackupError as exc:
            raise fail(str(exc)) from exc
        except PyMongoError as exc:
            where = settings.mongo_url.rsplit("@", 1)[-1].split("?")[0]
            raise fail(f"cơ sở dữ liệu {settings.mongo_db} tại {where}: {exc}") from exc


def backup(
    service: ServiceName,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Tệp .tar.gz; “-” là đầu ra chuẩn (mặc định)")
    ] = STDIO,
) -> None:
    """Sao lưu cơ sở dữ liệu của một dịch vụ (một ảnh chụp nhất quán, dịch vụ vẫn chạy được)."""
    if output == STDIO and sys.stdout.isatty():
        raise fail(f"bản sao lưu là tệp nhị phân: `nghedan backup {service} > {service}.tar.gz`")
    taken_at = datetime.now(UTC)
    if output == STDIO:
        manifest = _dump(service, sys.stdout.buffer, taken_at)
    else:
        final = Path(output)
        part = final.with_name(final.name + ".part")  # never a half-written file under its name
        try:
            with open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
                manifest = _dump(service, file, taken_at)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(final)
    console.print(
        f"Đã sao lưu {service}: {manifest.documents} bản ghi, {len(manifest.collections)} bộ sưu "
        f"tập, ảnh chụp lúc {manifest.taken_at}. Tệp chứa dữ liệu đã mã hoá của dịch vụ: giữ như "
        "giữ cơ sở dữ liệu; khoá ở deploy/secrets/ cất riêng."
    )


def _dump(service: str, out: Any, taken_at: datetime) -> Manifest:
    return _with_database(
        service,
        f"Sao lưu {service}",
        lambda client, db, advance: dump(
            client, db, service, out, taken_at=taken_at, progress=advance
        ),
    )


def restore(
    service: ServiceName,
    archive: Annotated[
        str, typer.Option("--input", "-i", help="Tệp .tar.gz; “-” là đầu vào chuẩn (mặc định)")
    ] = STDIO,
    yes: Annotated[
        bool, typer.Option("--yes", help="Đồng ý thay toàn bộ dữ liệu của dịch vụ")
    ] = False,
) -> None:
    """Khôi phục cơ sở dữ liệu của một dịch vụ từ bản sao lưu (dịch vụ phải dừng trước)."""
    if not yes:
        raise fail(
            f"khôi phục thay toàn bộ dữ liệu của {service} bằng bản sao lưu; "
            "những gì ghi sau lúc sao lưu sẽ mất. Thêm --yes nếu đúng ý."
        )
    if archive == STDIO and sys.stdin.isatty():
        raise fail(f"đưa bản sao lưu vào đầu vào chuẩn: `… restore {service} --yes < tệp.tar.gz`")
    _refuse_if_running(service)
    with tempfile.TemporaryDirectory(prefix="nghedan-restore-") as tmp:
        path = spool(sys.stdin.buffer, Path(tmp)) if archive == STDIO else Path(archive)
        try:
            manifest = read_manifest(path)
        except BackupError as exc:
            raise fail(str(exc)) from exc
        if manifest.service != service:
            raise fail(f"đây là bản sao lưu của {manifest.service}, không phải của {service}")
        counted = _with_database(
            service,
            f"Khôi phục {service}",
            lambda client, db, advance: load(client, db, path, manifest, progress=advance),
        )
    table = Table(title=f"{service}: khôi phục bản sao lưu lúc {manifest.taken_at}")
    table.add_column("Bộ sưu tập")
    table.add_column("Bản ghi", justify="right")
    for name, count in counted.items():
        table.add_row(name, str(count))
    console.print(table)
    console.print(
        f"Xong. Khởi động lại {service} (docker compose … start {service}). Những gì đã cam kết mà "
        "chưa gửi đi sẽ được gửi lại với id cũ, nơi nhận bỏ qua bản trùng; những việc làm sau lúc "
        "sao lưu thì mất (docs/operators-guide.md, mục 4)."
    )


def _refuse_if_running(service: str) -> None:
    """A service writing while its collections are replaced would mix the two states: its own
    health port answering means it runs."""
    url = service_url(service) + "/health"
    try:
        httpx.get(url, timeout=3)
    except httpx.HTTPError:
        return
    raise fail(
        f"{service} vẫn đang chạy ({url} trả lời): dừng trước, "
        f"`docker compose -f deploy/compose.yaml stop {service}`"
    )
