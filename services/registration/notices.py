"""Who registration tells what: the requests it sends notification, each with the one contact.

Registration holds delegates' contacts (sealed); it decides the recipients and sends
`notification.send.v1` point to point. Every request has a cause id, so a repeated request makes
no second message.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from services.registration import messages as msg
from services.registration.domain import sessions
from services.registration.domain.model import (
    Conference,
    Registration,
    held_on,
    session_day,
    starts,
)
from services.registration.store import Store
from shared.clock import LOCAL_TZ, local_date
from shared.contracts.notification import Recipient
from shared.contracts.reporting import ResultsPublished
from shared.contracts.templates import (
    ConferenceReminder,
    DelegateInvitation,
    DelegatePromoted,
    OfficeAlarm,
    ResultsAnnouncement,
    ScheduleAnnouncement,
    WaitingList,
)
from shared.legal_days import results_due
from shared.logging import get_logger
from shared.messaging.outbox import UnitOfWork
from shared.reference import ReferenceData
from shared.text import fmt

log = get_logger(__name__)


def _meeting(
    conference: Conference, reg: Registration | None
) -> tuple[date | None, time | None, str]:
    """The day and hour (Viet Nam) the delegate's sitting, or the conference, begins (None before
    the date is fixed), and where."""
    sitting = next((s for s in conference.sittings if reg and s.code == reg.sitting_code), None)
    begins = (sitting.starts_at if sitting else None) or conference.starts_at
    venue = (sitting.venue if sitting else None) or conference.venue
    if begins is None:
        return None, None, venue
    local = begins.astimezone(LOCAL_TZ)
    return local.date(), local.time(), venue


def _invitation(
    conference: Conference, reg: Registration, kind: type[DelegateInvitation] = DelegateInvitation
) -> DelegateInvitation | None:
    """The invitation (or its like: promoted, reminder), once the date is fixed."""
    day, hour, venue = _meeting(conference, reg)
    if day is None or hour is None:
        return None
    return kind(registration_code=reg.code, date=day, time=hour, venue=venue)


def _announcement(
    conference: Conference,
    reg: Registration | None,
    change: Literal["scheduled", "rescheduled", "cancelled"],
    previous: datetime | None = None,
    reason: str | None = None,
) -> ScheduleAnnouncement:
    day, hour, venue = _meeting(conference, reg)
    return ScheduleAnnouncement(
        session_id=conference.id,
        change=change,
        date=day,
        time=hour,
        venue=venue,
        previous_date=local_date(previous) if previous else None,
        content=conference.agenda_summary,
        online_url=conference.online_url,
        reason=reason,
    )


def announce_by(conference: Conference) -> date | None:
    """The day the announcement is due: the one rule of `sessions.announce_deadline` (7 days
    before the earliest sitting), so the notices and the schedule event never disagree."""
    return sessions.announce_deadline(conference) if conference.starts_at else None


async def on_registered(
    store: Store,
    uow: UnitOfWork,
    conference: Conference,
    regs: list[Registration],
    promoted: bool = False,
) -> None:
    """Confirmed: the invitation (once the date is fixed); waiting: the notice; promoted: its own."""
    contacts = await store.contacts([r.code for r in regs])
    for reg in regs:
        recipient = contacts.get(reg.code)
        if recipient is None:
            continue
        if reg.status == "waiting":
            day, _hour, _venue = _meeting(conference, reg)
            waiting = WaitingList(registration_code=reg.code, date=day)
            uow.notify(f"waiting:{reg.code}", recipient, waiting)
        elif reg.status == "confirmed":
            kind = DelegatePromoted if promoted else DelegateInvitation
            if (invitation := _invitation(conference, reg, kind)) is not None:
                uow.notify(f"invitation:{reg.code}", recipient, invitation)


async def on_scheduled(
    store: Store,
    uow: UnitOfWork,
    ref: ReferenceData,
    conference: Conference,
    previous: datetime | None,
) -> None:
    """A date fixed: invitations to the confirmed, and the announcement to every village head
    (who relays it on the loudspeakers). A date moved: the change, to everyone registered and to
    every village head. Both are due 7 days before the conference."""
    change: Literal["scheduled", "rescheduled"] = "scheduled" if previous is None else "rescheduled"
    cause = f"schedule:{conference.id}:{starts(conference).isoformat()}"
    told: set[str] = set()
    for reg, recipient in await store.reachable(conference.id, ["confirmed", "waiting"]):
        if previous is None:
            if reg.status == "confirmed" and (invitation := _invitation(conference, reg)):
                told.add(reg.code)
                uow.notify(f"invitation:{reg.code}", recipient, invitation)
            continue
        told.add(reg.code)
        uow.notify(
            f"{cause}:{reg.code}",
            recipient,
            _announcement(conference, reg, change, previous),
            send_by=announce_by(conference),
            required=True,
        )
    heads = _announcement(conference, None, change, previous)
    await _to_village_heads(store, uow, ref, conference, told, cause, heads)


async def on_cancelled(
    store: Store,
    uow: UnitOfWork,
    ref: ReferenceData,
    conference: Conference,
    reason: str | None,
) -> None:
    """Called off: everyone registered and every village head hear it."""
    told: set[str] = set()
    for reg, recipient in await store.reachable(conference.id, ["confirmed", "waiting"]):
        told.add(reg.code)
        called_off = _announcement(conference, reg, "cancelled", reason=reason)
        uow.notify(f"cancelled:{conference.id}:{reg.code}", recipient, called_off, required=True)
    heads = _announcement(conference, None, "cancelled", reason=reason)
    await _to_village_heads(store, uow, ref, conference, told, f"cancelled:{conference.id}", heads)


async def village_head(
    store: Store,
    ref: ReferenceData,
    village: str,
    session_id: str,
) -> tuple[Recipient | None, str | None]:
    """The head of a village and their registration code: the one registered for this conference,
    else the contact the office keeps (its page, `registration.set-village-head.v1`), else the
    one in the commune's reference file, else the latest one registered."""
    mine, latest = await store.village_heads(village, session_id)
    if mine is not None and mine[1] is not None:
        return mine[1], mine[0]
    kept = await store.kept_village_head(village)
    if kept is not None and (kept.phone or kept.email):
        return kept, None
    listed = ref.village(village)
    if listed is not None and (listed.head_phone or listed.head_email):
        head = Recipient(name=listed.head_name, phone=listed.head_phone, email=listed.head_email)
        return head, None
    return (latest[1], latest[0]) if latest else (None, None)


async def _to_village_heads(
    store: Store,
    uow: UnitOfWork,
    ref: ReferenceData,
    conference: Conference,
    told: set[str],
    cause: str,
    params: ScheduleAnnouncement,
) -> None:
    """The announcement to each village head not told already; villages with no known head logged."""
    unknown = []
    for village in ref.villages:
        recipient, code = await village_head(store, ref, village.code, conference.id)
        if recipient is None:
            unknown.append(village.code)
            continue
        if code in told:
            continue
        uow.notify(
            f"{cause}:village:{village.code}",
            recipient,
            params,
            send_by=None if params.change == "cancelled" else announce_by(conference),
            required=True,
        )
    if unknown:
        log.warning(
            "announcement.village_heads_unknown", session_id=conference.id, villages=unknown
        )
        what = "thông báo hoãn" if params.change == "cancelled" else "thông báo tổ chức"
        await heads_unknown(
            store, uow, ref, f"{cause}:heads-unknown", conference.id, unknown, what + " hội nghị"
        )


async def office_alarm(
    store: Store, uow: UnitOfWork, ref: ReferenceData, cause: str, alarm: OfficeAlarm
) -> None:
    """An alarm for the commune office (template office_alarm): something the plan requires that
    the platform could not do or found missing; once per cause; to the office's contact as the
    office last set it (intake's event), else the reference file's."""
    office = ref.with_agency_contacts(await store.agency_contacts()).office()
    to_office = alarm.model_copy(update={"to": office.name})
    uow.notify(cause, office.recipient(), to_office, required=True)


async def heads_unknown(
    store: Store,
    uow: UnitOfWork,
    ref: ReferenceData,
    cause: str,
    session_id: str,
    villages: list[str],
    what: str,
) -> None:
    """Villages a notice could not reach, for want of a village head: the office must tell them."""
    names = [f"- {v.name}" for code in villages if (v := ref.village(code))]
    alarm = OfficeAlarm(
        alarm="village_heads_unknown",
        session_id=session_id,
        what=what,
        count=len(villages),
        details="\n".join(names),
    )
    await office_alarm(store, uow, ref, cause, alarm)


async def _results_to_media(
    store: Store,
    uow: UnitOfWork,
    ref: ReferenceData,
    results: ResultsPublished,
    announcement: ResultsAnnouncement,
    send_by: date,
) -> None:
    """The media, as the law asks: the same text, to make public; none known, the office hears."""
    for outlet in ref.media:
        if outlet.email or outlet.phone:
            uow.notify(
                f"results:{results.session_id}:media:{outlet.code}",
                outlet.recipient(),
                announcement.model_copy(update={"media": outlet.name}),
                send_by=send_by,
                required=True,
            )
    if not any(o.email or o.phone for o in ref.media):
        alarm = OfficeAlarm(
            alarm="media_unknown",
            session_id=results.session_id,
            what=msg.NO_MEDIA.format(session=results.session_id),
            details=msg.NO_MEDIA_DETAILS,
        )
        await office_alarm(store, uow, ref, f"results:{results.session_id}:media-unknown", alarm)


def results_text(ref: ReferenceData, results: ResultsPublished) -> str:
    """The matters and conclusions as the announcement words them, for a village head to read out
    and the media to publish: approved public texts only (no person; denunciations counted, never
    listed)."""
    agencies = {a.code: a.name for a in ref.agencies}
    lines = []
    for n, matter in enumerate(results.matters, 1):
        summary = matter.summary or msg.NOT_APPROVED
        line = f"{n}. {summary}"
        if matter.conclusion:
            line += f" — Kết luận: {matter.conclusion}"
        elif matter.responsible_agency:
            line += f" — {msg.CONCLUSION_NOT_APPROVED}"
        if matter.responsible_agency:
            agency = agencies.get(matter.responsible_agency, matter.responsible_agency)
            due = f", hạn {fmt(matter.deadline)}" if matter.deadline else ""
            line += f" (giao {agency}{due})"
        lines.append(line)
    return "\n".join(lines) or msg.NO_MATTERS


def results_due_params(conference: Conference, deadline: date, left: int) -> OfficeAlarm:
    """The office alarm's words when a conference's results are due soon or overdue."""
    held = fmt(held_on(conference))
    if left < 0:
        what = msg.RESULTS_OVERDUE.format(
            session=conference.id, held=held, deadline=fmt(deadline), days=-left
        )
    else:
        what = msg.RESULTS_DUE_SOON.format(
            session=conference.id, held=held, deadline=fmt(deadline), days=left
        )
    return OfficeAlarm(
        alarm="results_due", session_id=conference.id, what=what, details=msg.RESULTS_DUE_DETAILS
    )


def delegation_params(
    ref: ReferenceData, conference: Conference, gaps: dict[str, list[str]], below: bool
) -> OfficeAlarm:
    """The office alarm's words for an incomplete delegation: one line per village."""
    lines = []
    for code, roles in gaps.items():
        village = ref.village(code)
        names = [c.name for role in roles if (c := ref.category(role))]
        lines.append(f"- {village.name if village else code}: {', '.join(names)}")
    return OfficeAlarm(
        alarm="delegation_incomplete",
        session_id=conference.id,
        date=session_day(conference),
        count=len(gaps),
        details="\n".join(lines) or "- Các thôn đã đủ thành phần.",
        below=below,
        confirmed=conference.confirmed,
        capacity_min=conference.capacity_min,
    )


def no_dialogue_params(planned: list[Conference], today: date) -> OfficeAlarm:
    coming = [
        f"{s.id} ({fmt(day) if (day := session_day(s)) else 'chưa có ngày'})"
        for s in planned
        if s.kind == "periodic" and s.status in ("planned", "scheduled")
    ]
    return OfficeAlarm(
        alarm="no_periodic_dialogue", year=today.year, today=today, planned=", ".join(coming)
    )


async def remind(store: Store, uow: UnitOfWork, conference: Conference) -> int:
    """The day before: a reminder to every confirmed delegate."""
    day = local_date(starts(conference)).isoformat()
    sent = 0
    for reg, recipient in await store.reachable(conference.id, ["confirmed"], optional=True):
        if (reminder := _invitation(conference, reg, ConferenceReminder)) is not None:
            uow.notify(f"reminder:{conference.id}:{day}:{reg.code}", recipient, reminder)
            sent += 1
    return sent


async def results_to_village_heads(
    store: Store,
    uow: UnitOfWork,
    ref: ReferenceData,
    results: ResultsPublished,
) -> list[str]:
    """The results announcement to every village head and the media; returns the villages with
    no known head.

    The head of each village is the one registered as `village_head`, for this conference or,
    failing that, the latest one registered.
    """
    unreached = []
    announcement = ResultsAnnouncement(
        session_id=results.session_id,
        held_on=results.held_on,
        matters=len(results.matters),
        conclusions=sum(1 for m in results.matters if m.conclusion),
        document_number=results.document_number,
        details=results_text(ref, results),
    )
    send_by = results_due(results.held_on)
    await _results_to_media(store, uow, ref, results, announcement, send_by)
    for village in ref.villages:
        recipient, _code = await village_head(store, ref, village.code, results.session_id)
        if recipient is None:
            unreached.append(village.code)
            continue
        uow.notify(
            f"results:{results.session_id}:{village.code}",
            recipient,
            announcement.model_copy(update={"village": village.code}),
            send_by=send_by,
            required=True,
        )
    if unreached:
        cause = f"results:{results.session_id}:heads-unknown"
        await heads_unknown(
            store, uow, ref, cause, results.session_id, unreached, "thông báo kết quả hội nghị"
        )
    return unreached
