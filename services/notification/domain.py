"""A message's life as rules, with no I/O: when it may be held, how it moves, what comes next.

A message is one record per (cause, recipient, channel). It is queued (or failed, or suppressed)
when requested; sent, delivered, retried or failed by its attempts; held by quiet hours and rate
limits; and replaced by the next channel when its own fails for good. Each move records what
happened (`StatusChanged`, and `DeliveryDue` when an attempt is to be made): the unit of work
publishes them when it commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from services.notification import messages as msg
from shared.clock import LOCAL_TZ, local_date
from shared.contracts import notification as contract

FINAL = ("sent", "delivered", "failed", "suppressed")
# What the law itself obliges the commune to tell: an opt-out does not stop these.
REQUIRED_BY_LAW = {"schedule_announcement", "results_announcement"}


@dataclass
class Message:
    """One message to one person on one channel; its recipient and parameters sealed (`payload`,
    under the key context of `payload_id`)."""

    id: str
    payload_id: str
    cause_id: str
    template: contract.Template
    channel: contract.Channel
    fallbacks: list[contract.Channel]
    recipient_refs: list[str]  # keyed hashes of the contact: opt-outs are found by them
    required_by_law: bool
    send_by: str | None  # the legal last day (ISO), if any
    payload: bytes | None  # None once erased (NOTIFICATION_RETENTION_DAYS)
    created_at: datetime
    status: str = "new"
    attempts: int = 0
    resends: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    updated_at: datetime | None = None
    reason: str | None = None  # as kept here: a provider's own words included, masked
    late: bool = False
    not_before: datetime | None = None  # held until
    retry_at: datetime | None = None
    provider_ref: str | None = None
    segments: int | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    claimed_by: str | None = None  # the delivery task holding it for one attempt
    claimed_at: datetime | None = None
    fallback_of: str | None = None
    erased_at: datetime | None = None
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class StatusChanged:
    """A message moved: `reason` is the sentence of ours the bus may carry."""

    message: Message
    status: contract.Status
    reason: str | None
    late: bool
    at: datetime
    attempt: int
    provider_ref: str | None = None
    segments: int | None = None


@dataclass(frozen=True)
class DeliveryDue:
    """An attempt is to be made: now, or after a retry's delay (0-based retry, its delay)."""

    message: Message
    wait: tuple[int, timedelta] | None = None


Event = StatusChanged | DeliveryDue


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


def is_late(message: Message, status: str, now: datetime) -> bool:
    """Sent, delivered or failed after its legal `send_by` day."""
    if status not in ("sent", "delivered", "failed") or not message.send_by:
        return False
    return local_date(now) > date.fromisoformat(message.send_by)


def move(
    message: Message,
    status: contract.Status,
    now: datetime,
    reason: str | None = None,
    *,
    kept: str | None = None,
    provider_ref: str | None = None,
    segments: int | None = None,
) -> None:
    """Move `message` to `status`, its history one entry longer, and record it. `kept`: the
    reason as notification keeps it (a provider's own words, masked), when it says more than
    `reason`, which is all the bus hears."""
    late = is_late(message, status, now)
    kept = kept or reason
    message.status, message.updated_at, message.reason, message.late = status, now, kept, late
    message.provider_ref = provider_ref or message.provider_ref
    message.segments = segments if segments is not None else message.segments
    message.history.append({"status": status, "at": now, "reason": kept})
    message.events.append(
        StatusChanged(message, status, reason, late, now, message.attempts, provider_ref, segments)
    )


def queue(message: Message, now: datetime, reason: str | None = None) -> None:
    """In line for an attempt now."""
    move(message, "queued", now, reason)
    message.not_before = None
    message.events.append(DeliveryDue(message))


def retry(
    message: Message,
    retry: int,
    wait: timedelta,
    now: datetime,
    reason: str,
    kept: str,
    provider_ref: str | None = None,
    segments: int | None = None,
) -> None:
    """Tried and failed for now: again after `wait`, through the delay queue of retry `retry`."""
    move(message, "retrying", now, reason, kept=kept, provider_ref=provider_ref, segments=segments)
    message.retry_at = now + wait
    message.events.append(DeliveryDue(message, (retry, wait)))


def hold(message: Message, until: datetime, now: datetime, reason: str) -> None:
    """Quiet hours or a rate limit: held until `until`, when the ticker puts it back in line."""
    move(message, "held", now, reason)
    message.not_before = until


def first_status(
    reachable: bool,
    missing: list[str],
    template: str,
    opted_out: bool,
    required: bool,
    configured: bool = True,
) -> tuple[contract.Status, str | None]:
    """What a new request becomes: queued, or failed or suppressed with the reason why. With no
    channel configured (NOTIFY_CHANNELS=none) it fails saying so: never marked delivered."""
    if not configured:
        return "failed", msg.NO_CHANNEL
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
    channels: list[contract.Channel],
    recipient_refs: list[str],
    send_by: str | None,
    now: datetime,
    payload: bytes,
) -> Message:
    """A requested message, on the first of `channels`, the others its fallbacks."""
    return Message(
        id=message_id,
        payload_id=message_id,
        cause_id=request.cause_id,
        template=request.template,
        channel=channels[0],
        fallbacks=channels[1:],
        recipient_refs=recipient_refs,
        required_by_law=request.required_by_law or request.template in REQUIRED_BY_LAW,
        send_by=send_by,
        payload=payload,
        created_at=now,
    )


def fallback(failed: Message, message_id: str, now: datetime) -> Message | None:
    """The message on the next channel the recipient has, when `failed` failed for good: the
    same cause, template, person, parameters and legal day."""
    if not failed.fallbacks:
        return None
    return Message(
        id=message_id,
        payload_id=failed.payload_id,
        cause_id=failed.cause_id,
        template=failed.template,
        channel=failed.fallbacks[0],
        fallbacks=failed.fallbacks[1:],
        recipient_refs=failed.recipient_refs,
        required_by_law=failed.required_by_law,
        send_by=failed.send_by,
        payload=failed.payload,
        created_at=now,
        fallback_of=failed.id,
    )
