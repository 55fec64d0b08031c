"""The conference agenda: every unresolved issue, earlier years' included (the plan keeps
unsettled and long-running matters on it), the weightiest first.

Complex matters (complaints, denunciations, or open for more than LONG_RUNNING_DAYS) come first,
then those raised by more people, then the older; they are grouped by topic and agency in the
order their first item appears. Issues concluded at an earlier conference and not yet resolved
are listed for a report on their follow-up.
"""

from __future__ import annotations

from datetime import date, datetime

from services.intake.domain import events
from services.intake.domain.issues import Change, Issue, summary
from services.intake.domain.lifecycle import CASES, FOLLOWED
from shared.clock import local_date
from shared.contracts import intake as contract

LONG_RUNNING_DAYS = 90


def item(issue: Issue, today: date) -> contract.AgendaItem:
    age = (today - local_date(issue.received_at)).days
    return contract.AgendaItem(
        tracking_code=issue.tracking_code,
        topic=issue.topic,
        agency_code=issue.agency_code,
        village_code=issue.village_code,
        handled_as=issue.handled_as,
        raised_by_count=issue.raised_by,
        age_days=age,
        complex=issue.handled_as in CASES or age > LONG_RUNNING_DAYS,
        followup=issue.status in FOLLOWED,
        answer_proposed=issue.answer is not None,
        summary=summary(issue),
    )


# What one tracking code costs in a group's list, quotes and comma included, with room to spare.
CODE_IN_GROUP_BYTES = 32


def draft(
    session_id: str,
    version: int,
    issues: list[Issue],
    now: datetime,
    max_bytes: int | None = None,
) -> contract.AgendaDrafted:
    """The agenda, weightiest first. With `max_bytes`, its items and groups are cut to the
    weightiest that fit in that many bytes of JSON (a message has a size limit); `items_total`
    still counts them all."""
    today = local_date(now)
    items = sorted(
        (item(i, today) for i in issues),
        key=lambda it: (
            it.followup,
            not it.complex,
            -it.raised_by_count,
            -it.age_days,
            it.tracking_code,
        ),
    )
    total = len(items)
    if max_bytes is not None:
        items = _weightiest_within(items, max_bytes)
    groups: dict[tuple[str, str], list[str]] = {}
    for it in items:
        groups.setdefault((it.topic, it.agency_code), []).append(it.tracking_code)
    return contract.AgendaDrafted(
        session_id=session_id,
        version=version,
        drafted_at=now,
        items=items,
        items_total=total,
        groups=[
            contract.AgendaGroup(topic=t, agency_code=a, tracking_codes=codes)
            for (t, a), codes in groups.items()
        ],
    )


def _weightiest_within(
    items: list[contract.AgendaItem], max_bytes: int
) -> list[contract.AgendaItem]:
    """The first items whose JSON, with their codes again in the groups, fits in `max_bytes`."""
    kept, used = [], 0
    for it in items:
        used += len(it.model_dump_json().encode()) + 1 + CODE_IN_GROUP_BYTES
        if used > max_bytes:
            break
        kept.append(it)
    return kept


def put_on_agenda(issue: Issue, session_id: str, now: datetime) -> bool:
    """An issue still to be answered goes on the agenda; True when its state changed."""
    if issue.status not in ("assigned", "answer_proposed"):
        return False
    issue.history.append(
        Change(now, "Văn phòng HĐND và UBND", "on_agenda", issue.status, session_id)
    )
    issue.status = "on_agenda"
    issue.events.append(events.OnAgenda(issue, session_id, now))
    return True
