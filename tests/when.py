"""The one place the tests get an instant: Vietnam time, by default at an hour the commune office
works, never the hour the suite happens to run. It is also the only test module that may read the
wall clock (ruff's TID251 forbids it elsewhere in tests/): for the clocks' own tests, for the
real seconds a lag is measured in, and to start a shared clock file at a chosen instant."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from shared.clock import LOCAL_TZ, write_clock_file


def vn(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0
) -> datetime:
    """An instant in Viet Nam's time; 09:00 on that day unless the test is about the hour."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)


def wall_now() -> datetime:
    """The machine's real time: never a date a test builds on (see the module's sentence)."""
    return datetime.fromtimestamp(time.time(), UTC)


def run_clock_from(clock_file: Path, start: datetime) -> None:
    """Services on a clock file run from `start` on, however late the suite happens to run."""
    write_clock_file(clock_file, offset=start - wall_now())


def freeze_clock_at(clock_file: Path, at: datetime) -> None:
    write_clock_file(clock_file, frozen_at=at)
