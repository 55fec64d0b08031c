"""Sending a delegate list in batches, with a progress bar and one report line per row: used by
`nghedan import-delegates` and the demo alike."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from deploy.cli import bus as busmod
from shared import delegate_lists as importer

console = Console()

IMPORT_BATCH_TIMEOUT = 300.0  # a lost outcome; a batch of 200 rows takes seconds
NO_OUTCOME = (
    "không nhận được kết quả sau {s} giây; gửi lại tệp để biết (các dòng đã nhận sẽ báo trùng)"
)


async def import_rows(
    url: str, rows: list[importer.Row], commands: list[dict[str, Any]], batch: int
) -> list[dict[str, str]]:
    """Send the rows in batches of `batch` (`registration.register-delegates.v1`), one batch at a
    time so registration applies them in the file's order, under a progress bar; one report line
    per row."""
    outcomes: list[dict[str, Any]] = []
    with Progress(
        TextColumn("Đăng ký"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("import", total=len(commands))
        async with busmod.Bus(url) as bus:
            for part in importer.batches(commands, batch):
                try:
                    outcome = await bus.send(part["command"], timeout=IMPORT_BATCH_TIMEOUT)
                except TimeoutError:
                    seconds = f"{IMPORT_BATCH_TIMEOUT:.0f}"
                    outcome = {
                        "status": "no_outcome",
                        "errors": [{"field": "(bus)", "message": NO_OUTCOME.format(s=seconds)}],
                    }
                outcomes += importer.row_outcomes(part, outcome)
                progress.advance(task, len(part["rows"]))
    return [importer.report_line(row, outcome) for row, outcome in zip(rows, outcomes, strict=True)]


def summarise_import(
    shown: list[dict[str, str]], lines: list[dict[str, str]] | None = None
) -> None:
    """Print the rows worth reading (all of them, or the refused ones) and the counts of all."""
    table = Table(title="Kết quả từng dòng")
    for column in ("dòng", "kết quả", "mã đăng ký", "vị trí", "lý do"):
        table.add_column(column, overflow="fold")
    for line in shown:
        table.add_row(*line.values())
    console.print(table)
    counts: dict[str, int] = {}
    for line in lines or shown:
        counts[line["kết quả"]] = counts.get(line["kết quả"], 0) + 1
    console.print("Tổng: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
