"""Waiting for a service's read side to catch up: on its own word (its /health lag), with a
progress bar and a clear message, never with a fixed number of retries."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STALLED_AFTER = 120.0  # seconds without one message applied: the service is stuck, say so


class ReadSideStalled(RuntimeError):
    pass


def behind_of(health: dict[str, Any]) -> tuple[int, float]:
    """Messages its event queues have not applied yet, with the work it owes outside any queue
    (intake's agendas to draft again), and the age of the oldest message."""
    queues = [q for q in health.get("consumers", []) if q["queue"].endswith(".events")]
    behind = sum(q["behind"] for q in queues) + sum(health.get("owed", {}).values())
    return behind, max((q["oldest_seconds"] for q in queues), default=0.0)


async def wait_caught_up(url: str, service: str, console: Console) -> None:
    """Until the service has applied every event sent to it so far (its queue empty twice in a
    row, nothing in hand); a progress bar counts them down."""
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(timeout=10) as client:
        with Progress(
            TextColumn(f"Chờ {service} áp dụng các sự kiện"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[oldest]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("read-side", total=None, oldest="")
            most, best, moved_at, zero_seen = 0, None, loop.time(), 0
            while zero_seen < 2:
                behind, oldest = behind_of((await client.get(url)).json())
                most = max(most, behind)
                if best is None or behind < best:
                    best, moved_at = behind, loop.time()
                progress.update(
                    task,
                    total=most or 1,
                    completed=most - behind,
                    oldest=f"(cũ nhất {oldest:.0f} giây)" if behind else "",
                )
                zero_seen = zero_seen + 1 if behind == 0 else 0
                if loop.time() - moved_at > STALLED_AFTER:
                    raise ReadSideStalled(
                        f"{service} không áp dụng thêm sự kiện nào trong {STALLED_AFTER:.0f} giây:"
                        f" còn {behind}, cũ nhất {oldest:.0f} giây (xem `nghedan status`, nhật ký)"
                    )
                await asyncio.sleep(0.3)
    if most:
        console.print(f"{service} đã áp dụng hết {most} sự kiện còn chờ.")
