"""A message's life as rules, with no I/O: when it may be held, how it moves, what comes next.

A message is one document per (cause, recipient, channel). It is queued (or failed, or
suppressed) when requested; sent, delivered, retried or failed by its attempts; held by quiet
hours and rate limits; and replaced by the next channel when its own fails for good.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from services.notification import messages as msg
from shared.clock import LOCAL_TZ, local_date
from shared.contracts import notification as contract

FINAL = ("sent", "delivered", "failed", "suppressed")
# What the law itself obliges the commune to tell: an opt-out does not stop these.
Document = dict[str, Any]  # a message as stored
REQUIRED_BY_LAW = {"schedule_announcement", "results_announcement"}
# What a fallback message keeps of the one it replaces.
CARRIED_OVER = (
    "cause_id",
    "template",
    "recipient_refs",
    "required_by_law",
    "send_by",
    "payload",
    "payload_id",
)


def in_quiet_hours(moment: datetime, window: tuple[time, time] | None) -> bool:
    if window is None:
        return False
    start, end = window
    now = moment.astimezone(LOCAL_TZ).time()
    return start <= now or now < end if start > end else start <= now < end


def may_hold(required_by_law: bool, send_by: str | None, until: datetime) -> bool:
    """Quiet hours and rate limits may hold a message, but not a legal notice past its
    `send_by` day (Viet Nam time): that one goes now."""
    if not required_by_law or not send_by:
        return True
    return local_date(until) <= date.fromisoformat(send_by)


def quiet_until(moment: datetime, window: tuple[time, time]) -> datetime:
    """When the quiet hours around `moment` end (Viet Nam time), as an aware datetime."""
    local = moment.astimezone(LOCAL_TZ)
    end = datetime.combine(local.date(), window[1], LOCAL_TZ)
    return end if end > local else end + timedelta(days=1)


def is_late(doc: Document, status: contract.Status, now: datetime) -> bool:
    """Sent, delivered or failed after its legal `send_by` day."""
    send_by = doc.get("send_by")
    if status not in ("sent", "delivered", "failed") or not send_by:
        return False
    return local_date(now) > date.fromisoformat(str(send_by))


def moved(
    status: contract.Status,
    now: datetime,
    reason: str | None,
    late: bool,
    **changes: Any,
) -> dict[str, Any]:
    """The update that moves a message to `status`, its history growing by one entry."""
    return {
        "$set": {"status": status, "updated_at": now, "reason": reason, "late": late, **changes},
        "$push": {"history": {"status": status, "at": now, "reason": reason}},
    }


def applied(doc: Document, update: dict[str, Any]) -> Document:
    """A new document with an update's $set and $push applied (for inserts)."""
    new = {**doc, **update.get("$set", {})}
    for key, value in update.get("$push", {}).items():
        new[key] = [*new.get(key, []), value]
    return new


def first_status(
    reachable: bool, missing: list[str], template: str, opted_out: bool, required: bool
) -> tuple[contract.Status, str | None]:
    """What a new request becomes: queued, or failed or suppressed with the reason why."""
    if not reachable:
        return "failed", msg.NO_ADDRESS
    if missing:
        return "failed", msg.MISSING_PARAMS.format(template=template, params=", ".join(missing))
    if opted_out and not required:
        return "suppressed", msg.OPTED_OUT
    return "queued", None


def after_attempt(result: str, attempts: int, retries: int) -> tuple[contract.Status, int | None]:
    """An attempt's result as the message's next state, and the retry (0-based) to wait for."""
    if result in ("sent", "delivered"):
        return ("sent" if result == "sent" else "delivered"), None
    if result == "transient" and attempts <= retries:
        return "retrying", max(attempts - 1, 0)  # the first retry waits the first delay
    return "failed", None


def new_message(
    message_id: str,
    request: contract.SendNotification,
    channels: list[str],
    recipient_refs: list[str],
    send_by: str | None,
    now: datetime,
    payload: bytes,
) -> Document:
    """A requested message, on the first of `channels`, the others its fallbacks."""
    return {
        "_id": message_id,
        "payload_id": message_id,
        "cause_id": request.cause_id,
        "template": request.template,
        "channel": channels[0],
        "fallbacks": channels[1:],
        "recipient_refs": recipient_refs,
        "required_by_law": request.required_by_law or request.template in REQUIRED_BY_LAW,
        "send_by": send_by,
        "attempts": 0,
        "resends": 0,
        "created_at": now,
        "status": "new",
        "history": [],
        "payload": payload,
    }


def fallback(failed: Document, message_id: str, now: datetime) -> Document | None:
    """The message on the next channel the recipient has, when `failed` failed for good."""
    fallbacks = list(failed.get("fallbacks") or [])
    if not fallbacks:
        return None
    return {
        **{k: failed[k] for k in CARRIED_OVER},
        "_id": message_id,
        "channel": fallbacks[0],
        "fallbacks": fallbacks[1:],
        "fallback_of": failed["_id"],
        "attempts": 0,
        "resends": 0,
        "created_at": now,
        "status": "new",
        "history": [],
    }
