"""How the law counts a limit: calendar days whose last day, if it is not a working day, moves to
the next working day (Civil Code 2015, Art. 148), or working days. Viet Nam's public holidays,
Tết included, come from the `holidays` library; a commune's own compensatory days (a weekday made
a day off, a Saturday made a working day) come from its reference data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

# Law 72/2025, Art. 43: a dialogue conference is announced at least 7 days before it, and its
# results within 10 days after it. One place for both: registration, notification and reporting
# count from them.
ANNOUNCE_DAYS_BEFORE = 7
RESULTS_DAYS_AFTER = 10

RESULTS_WITHIN_VI = f"{RESULTS_DAYS_AFTER} ngày kể từ ngày tổ chức hội nghị"


def results_due(held_on: date) -> date:
    """The last day for a conference's results: RESULTS_DAYS_AFTER days after the day it was
    held (not moved past a day off: the earlier day, the safe side)."""
    return held_on + timedelta(days=RESULTS_DAYS_AFTER)


# A limit this many days away, or fewer, is "due soon": the alarm rings and the dashboard says so.
WARN_DAYS = 3


def limit_state(left: int) -> str:
    """`expired` past its last day, `due_soon` within WARN_DAYS of it, else `running`."""
    return "expired" if left < 0 else "due_soon" if left <= WARN_DAYS else "running"


class LegalCalendar:
    def __init__(self, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> None:
        # Years are added as they are asked for; names in Vietnamese, as people here read them.
        self._public = holidays.country_holidays("VN", language="vi")
        self._days_off = frozenset(days_off)
        self._working_days = frozenset(working_days)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is no public holiday and no day off of the commune's, or a Saturday
        made a working day (làm bù): by the commune's reference data, or nationally as the
        `holidays` library knows them (`weekend_workdays`, e.g. 26/04/2025, 22/08/2026)."""
        public = day in self._public  # asking fills in that year, its swapped Saturdays too
        if day in self._working_days or day in self._public.weekend_workdays:
            return True
        return day.weekday() < 5 and not public and day not in self._days_off

    def holiday_name(self, day: date) -> str | None:
        return self._public.get(day) or ("ngày nghỉ bù của xã" if day in self._days_off else None)

    def next_working_day(self, day: date) -> date:
        """The day itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def days_after(self, start: date, days: int) -> date:
        """The last day of a limit of `days` days counted from `start` (Civil Code, Arts. 147-148:
        the day of the event is not counted; a last day off moves to the next working day)."""
        return self.next_working_day(start + timedelta(days=days))

    def working_days_after(self, start: date, days: int) -> date:
        """The last day of a limit of `days` working days counted from `start` (not counted)."""
        day = start
        for _ in range(days):
            day = self.next_working_day(day + timedelta(days=1))
        return day
