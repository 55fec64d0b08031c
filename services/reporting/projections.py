"""Read models, event by event: each event changes one thing's state; figures follow by difference.

Every event updates the state of the thing it is about (a session, a delegate's registration, an
issue, a message). What a thing counts for ("confirmed, village LL", "topic compensation") is a
pure function of its state, so a counter moves by (what it counts for now) - (what it counted for
before): no recount, and the same figures whatever the interleaving of different things' events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from shared.clock import local_date

State = dict[str, Any]
# Which read model each event changes, and the key of the thing in it.
ENTITY_OF: dict[str, tuple[str, str]] = {
    "registration.session.planned.v1": ("sessions", "session_id"),
    "registration.session.scheduled.v1": ("sessions", "session_id"),
    "registration.session.cancelled.v1": ("sessions", "session_id"),
    "registration.session.held.v1": ("sessions", "session_id"),
    "registration.session.concluded.v1": ("sessions", "session_id"),
    "registration.session.briefing-attached.v1": ("sessions", "session_id"),
    "registration.session.agency-points-attached.v1": ("sessions", "session_id"),
    "intake.agenda.drafted.v1": ("sessions", "session_id"),
    "registration.delegate.registered.v1": ("delegates", "registration_code"),
    "registration.delegate.promoted.v1": ("delegates", "registration_code"),
    "registration.delegate.cancelled.v1": ("delegates", "registration_code"),
    "registration.delegate.checked-in.v1": ("delegates", "registration_code"),
    "intake.issue.received.v1": ("issues", "tracking_code"),
    "intake.issue.classified.v1": ("issues", "tracking_code"),
    "intake.issue.assigned.v1": ("issues", "tracking_code"),
    "intake.issue.merged.v1": ("issues", "tracking_code"),
    "intake.issue.kind-corrected.v1": ("issues", "tracking_code"),
    "intake.issue.answer-proposed.v1": ("issues", "tracking_code"),
    "intake.issue.on-agenda.v1": ("issues", "tracking_code"),
    "intake.issue.concluded.v1": ("issues", "tracking_code"),
    "intake.followup.updated.v1": ("issues", "tracking_code"),
    "intake.conclusion.overdue.v1": ("issues", "tracking_code"),
    "intake.issue.closed.v1": ("issues", "tracking_code"),
    "intake.issue.summary-approved.v1": ("issues", "tracking_code"),
    "intake.case.clocks.v1": ("issues", "tracking_code"),
    "notification.message.status.v1": ("messages", "message_id"),
}
# Commune-level participants, counted by role; the others are the villages' delegates.
OFFICIAL_CATEGORIES = ("official", "front_and_organisations")
OPEN_STATES = ("received", "assigned", "answer_proposed", "on_agenda")
# A merge also tells the issue merged into how many people have now raised it.
RAISED = "intake.issue.raised-by"


def quarter_of(day: date) -> str:
    """`2026-Q3`."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_of(moment: datetime | str) -> str:
    """`2026-Q3`: the quarter, in Viet Nam, an issue was received in."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return quarter_of(local_date(when))


def group_of(key: str, data: Mapping[str, Any]) -> str | None:
    """Which events are applied one at a time, in the order they came: a session with its
    delegates, all issues together (a merge touches two), a message by itself. None: no read
    model cares, no order needed."""
    if key not in ENTITY_OF:
        return None
    model, field = ENTITY_OF[key]
    if model in ("sessions", "delegates"):
        return f"session:{data['session_id']}"
    if model == "issues":
        return "issues"
    return f"{model}:{data[field]}"


def apply(key: str, state: State | None, data: dict[str, Any]) -> State:
    """The new state of the thing an event is about (a pure function of the old one)."""
    new: State = dict(state or {})
    kind = key.split(".")[1]
    if kind == "session" or key == "intake.agenda.drafted.v1":
        _session(key, new, data)
    elif kind == "delegate":
        _delegate(key, new, data)
    elif kind in ("issue", "followup", "conclusion", "case") or key == RAISED:
        _issue(key, new, data)
    elif key == "notification.message.status.v1":
        _message(new, data)
    return new


def _session(key: str, s: State, d: dict[str, Any]) -> None:
    if key.endswith("planned.v1"):
        s.update({k: d[k] for k in ("title", "kind", "year", "period", "venue", "format")})
        s.update(capacity_max=d["capacity_max"], topics=d["topics"])
        s.update(capacity_min=d["capacity_min"], organisers=d.get("organisers") or [])
        s.update(sittings=d.get("sittings") or [])
        s.setdefault("status", "planned")
    elif key.endswith("scheduled.v1"):
        s.update(starts_at=d["starts_at"], venue=d["venue"], kind=d["kind"])
        s.update(announce_deadline=d["announce_deadline"], agenda_summary=d.get("agenda_summary"))
        s.update(ends_at=d.get("ends_at"), online_url=d.get("online_url"), format=d["format"])
        s.update(sittings=d.get("sittings") or s.get("sittings") or [])
        if s.get("status") in (None, "planned", "scheduled"):
            s["status"] = "scheduled"
    elif key.endswith("cancelled.v1"):
        s.update(status="cancelled", cancel_reason=d["reason"])
    elif key.endswith("held.v1"):
        s["held_on"] = d["held_on"]
        if s.get("status") != "concluded":
            s["status"] = "held"
    elif key.endswith("concluded.v1"):
        s.update(status="concluded", held_on=d["held_on"], concluded_at=d["concluded_at"])
        s.update(results_deadline=d["results_deadline"], summary=d.get("summary"))
        s["attendance_reported"] = d["attendance"]
        s.update(chaired_by=d.get("chaired_by"), concluded_by=d.get("concluded_by"))
    elif key.endswith("briefing-attached.v1"):
        briefing = as_plain({k: d[k] for k in ("title", "summary", "presented_by", "at")})
        if briefing["at"] >= s.get("briefing", {}).get("at", ""):  # a later one replaces it
            s["briefing"] = briefing
    elif key.endswith("agency-points-attached.v1"):
        points = as_plain({k: d[k] for k in ("points", "presented_by", "at")})
        kept = s.setdefault("agency_points", {})
        if points["at"] >= kept.get(d["agency_code"], {}).get("at", ""):  # the later one
            kept[d["agency_code"]] = points
    elif key == "intake.agenda.drafted.v1" and d["version"] > s.get("agenda_version", 0):
        s.update(agenda_version=d["version"], agenda=d["items"], agenda_groups=d["groups"])
        s["agenda_total"] = d.get("items_total") or len(d["items"])


def _delegate(key: str, s: State, d: dict[str, Any]) -> None:
    s.update(session_id=d["session_id"], village=d["village_code"], category=d["category"])
    if key.endswith("registered.v1"):
        s.setdefault("status", d["status"])
    elif key.endswith("promoted.v1"):
        if s.get("status") in (None, "waiting"):
            s["status"] = "confirmed"
    elif key.endswith("cancelled.v1"):
        s["status"] = "cancelled"
    elif key.endswith("checked-in.v1"):
        s.update(status="confirmed", attended=True)


def _received(s: State, d: dict[str, Any]) -> None:
    fields: tuple[str, ...] = ("kind", "channel", "received_at")
    if "kind_corrected_at" not in s:  # a correction that came first stands
        fields += ("handled_as", "anonymous")
    s.update({k: d[k] for k in fields})
    s["village"] = d["village_code"]
    if d.get("summary"):  # earlier events only: the summary now comes approved, on its own
        s.setdefault("summary", d["summary"])
    s.update(period=period_of(d["received_at"]))
    s.setdefault("raised_by", 1)
    s.setdefault("state", "received")


def _approved(s: State, d: dict[str, Any]) -> None:
    # The only officer texts reporting ever holds: those approved for the public.
    approved = {
        "summary": d.get("public_summary"),
        "answer": d.get("public_answer"),
        "conclusion": d.get("public_conclusion"),
        "closed_reason": d.get("public_reason"),
        "closed_authority": d.get("public_authority"),
    }
    s.update({k: v for k, v in approved.items() if v})


def _issue(key: str, s: State, d: dict[str, Any]) -> None:
    state = s.get("state")
    if key == "intake.issue.received.v1":
        _received(s, d)
    elif key == "intake.issue.classified.v1":
        s["topic"] = d["topic"]
    elif key == "intake.issue.assigned.v1":
        s["agency"] = d["agency_code"]
        if state in (None, "received"):
            s["state"] = "assigned"
    elif key == "intake.issue.kind-corrected.v1":
        if d["at"] >= s.get("kind_corrected_at", d["at"]):
            s.update(handled_as=d["handled_as"], anonymous=d["anonymous"])
            s["kind_corrected_at"] = d["at"]
    elif key == "intake.issue.merged.v1":
        s.update(state="merged", merged_into=d["merged_into"])
    elif key == RAISED:
        s["raised_by"] = max(s.get("raised_by", 1), d["raised_by_count"])
    elif key == "intake.issue.answer-proposed.v1":
        s.update(answer=d.get("answer"), answered=True, answered_by=d["agency_code"])
        if state in (None, "received", "assigned"):
            s["state"] = "answer_proposed"
    elif key == "intake.issue.on-agenda.v1":
        s["session_id"] = d["session_id"]
        if state in (None, *OPEN_STATES):
            s["state"] = "on_agenda"
    elif key == "intake.issue.concluded.v1":
        s.update(session_id=d["session_id"], conclusion=d.get("conclusion"))
        s.update(responsible_agency=d["responsible_agency"], deadline=d["deadline"])
        s["concluded_at"] = d["at"]
        if state not in ("in_followup", "resolved"):
            s["state"] = "concluded"
    elif key == "intake.followup.updated.v1":
        s.update(followup=d["status"], deadline=d["deadline"], overdue=d["overdue"])
        s["responsible_agency"] = d["responsible_agency"]
        s["state"] = "resolved" if d["status"] == "resolved" else "in_followup"
        if d["status"] == "resolved":
            s["resolved_at"] = d["at"]
    elif key == "intake.conclusion.overdue.v1":
        s.update(overdue=True, days_overdue=d["days_overdue"], deadline=d["deadline"])
    elif key == "intake.issue.closed.v1":
        s.update(state=d["outcome"], closed_reason=d["reason"])
    elif key == "intake.issue.summary-approved.v1":
        _approved(s, d)
    elif key == "intake.case.clocks.v1" and d["revision"] >= s.get("case", {}).get("revision", -1):
        # A complaint's or denunciation's limits: the latest change wins, whatever came late.
        s["case"] = {k: d.get(k) for k in CASE_FIELDS}


CASE_FIELDS = (
    "handled_as",
    "agency_code",
    "received_on",
    "accepted_on",
    "clocks",
    "extensions",
    "running",
    "settled_on",
    "revision",
)


# How far along a message is: between two statuses of the same instant, the further one stands.
MESSAGE_RANK = {
    "queued": 0,
    "held": 1,
    "retrying": 1,
    "sent": 2,
    "failed": 2,
    "suppressed": 2,
    "delivered": 3,
}


def _message(s: State, d: dict[str, Any]) -> None:
    s.update(template=d["template"], channel=d["channel"], cause_id=d["cause_id"])
    s.update(required_by_law=d["required_by_law"], send_by=d.get("send_by"))
    at = d["at"] if isinstance(d["at"], str) else d["at"].isoformat()
    newer = (at, MESSAGE_RANK.get(d["status"], 0))
    if newer >= (s.get("at", ""), MESSAGE_RANK.get(s.get("status", ""), -1)):
        # An older status arriving late does not move the message back; a re-send (later) does.
        s.update(status=d["status"], at=at)
    s["late"] = bool(s.get("late")) or bool(d.get("late"))


# --- what each thing counts for -----------------------------------------------------------------


def contributions(model: str, state: State | None) -> tuple[str | None, Counter[str]]:
    """The figures document a thing counts in, and what it adds there ("a.b.c" -> n)."""
    counts: Counter[str] = Counter()
    if not state:
        return None, counts
    if model == "delegates":
        villager = state["category"] not in OFFICIAL_CATEGORIES
        states = [state["status"]] if state.get("status") in ("confirmed", "waiting") else []
        states += ["attended"] if state.get("attended") else []
        for status in states:
            counts[f"category.{state['category']}.{status}"] += 1
            counts[f"village.{state['village']}.{status}"] += 1
            counts[f"total.{status}"] += 1
            if villager:  # the villages' own delegates, apart from commune officials
                counts[f"citizens.{state['village']}.{status}"] += 1
        return f"session:{state['session_id']}", counts
    if model == "issues":
        if "period" not in state:
            return None, counts  # not received yet: counted once it is
        counts[f"state.{state['state']}"] += 1
        if state["state"] == "merged":
            return f"period:{state['period']}", counts
        counts["issues"] += 1
        counts[f"kind.{state['kind']}"] += 1
        counts[f"village.{state['village']}"] += 1
        counts["raised_by"] += state.get("raised_by", 1)
        counts[f"topic.{state.get('topic', 'unclassified')}"] += 1
        counts[f"agency.{state.get('agency', 'unassigned')}"] += 1
        if state.get("answered"):
            counts["answers"] += 1
        if state.get("deadline") and state["state"] in ("concluded", "in_followup", "resolved"):
            counts["conclusions"] += 1
            counts[f"followup.{followup_of(state)}"] += 1
        return f"period:{state['period']}", counts
    if model == "messages":
        counts[f"status.{state['status']}"] += 1
        counts[f"channel.{state['channel']}.{state['status']}"] += 1
        counts[f"template.{state['template']}.{state['status']}"] += 1
        if state.get("late"):
            counts["late"] += 1
        return "delivery", counts
    return None, counts


def followup_of(state: State) -> Literal["resolved", "overdue", "on_time"]:
    """A conclusion's follow-up: resolved, overdue (open past its deadline) or on time."""
    if state.get("followup") == "resolved" or state.get("state") == "resolved":
        return "resolved"
    return "overdue" if state.get("overdue") else "on_time"


def delta(model: str, old: State | None, new: State) -> dict[str, Counter[str]]:
    """Counter changes per figures document: what `new` counts for minus what `old` did."""
    changes: dict[str, Counter[str]] = {}
    for state, sign in ((old, -1), (new, 1)):
        doc, counts = contributions(model, state)
        if doc is None:
            continue
        bucket = changes.setdefault(doc, Counter())
        for name, n in counts.items():
            bucket[name] += sign * n
    return {doc: Counter({k: v for k, v in c.items() if v}) for doc, c in changes.items()}


def as_plain(value: Any) -> Any:
    """Dates and datetimes as ISO text, so states compare and store alike."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value
