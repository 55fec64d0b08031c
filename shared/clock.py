"""The one clock behind every rule that depends on time; tests and the demo can set or move it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FileClock:
    """Real time shifted or frozen by a small JSON file, so separate processes share one clock.

    The file holds {"offset_seconds": N} or {"frozen_at": "<ISO time>"}; a missing file means
    real time. It is re-read only when its modification time changes.
    """

    path: Path
    _stamp: float | None = field(default=None, init=False)
    _offset: timedelta = field(default=timedelta(0), init=False)
    _frozen: datetime | None = field(default=None, init=False)

    def _refresh(self) -> None:
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            self._stamp, self._offset, self._frozen = None, timedelta(0), None
            return
        if stamp == self._stamp:
            return
        spec = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        self._offset = timedelta(seconds=float(spec.get("offset_seconds", 0)))
        frozen = spec.get("frozen_at")
        self._frozen = datetime.fromisoformat(frozen) if frozen else None
        self._stamp = stamp

    def now(self) -> datetime:
        self._refresh()
        if self._frozen is not None:
            return self._frozen.astimezone(UTC)
        return datetime.now(UTC) + self._offset


@dataclass
class FixedClock:
    """A clock for unit tests: it stands still until moved."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


def make_clock(clock_file: Path | None) -> Clock:
    return FileClock(clock_file) if clock_file else SystemClock()


def write_clock_file(
    path: Path, *, offset: timedelta | None = None, frozen_at: datetime | None = None
) -> None:
    """Set the shared clock: shift real time by `offset`, or freeze it at `frozen_at`."""
    spec: dict[str, object] = {}
    if frozen_at is not None:
        spec["frozen_at"] = frozen_at.astimezone(UTC).isoformat()
    elif offset is not None:
        spec["offset_seconds"] = offset.total_seconds()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(spec), encoding="utf-8")
    os.replace(tmp, path)


def local_date(moment: datetime) -> date:
    """The calendar date in Viet Nam of an instant: the law counts days there."""
    return moment.astimezone(LOCAL_TZ).date()
