"""One async function per notification use case: a request accepted, an attempt made, a message
held, released, resent or reported on, a person's preference kept.

A request becomes a message document (its contact and parameters sealed) and a
`notification.deliver.v1` task, both in one transaction. The task claims the message, calls the
provider outside any transaction with the message's idempotency key, and records the result with
its status event. A transient failure comes back through a delay queue; after the last try, or a
permanent failure, the next channel the recipient has takes over. Quiet hours and rate limits
hold a message; the ticker releases it. What the law requires is never suppressed by an opt-out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.notification import domain
from services.notification import messages as msg
from services.notification.channels import (
    Channel,
    Outgoing,
    SendResult,
    contact_keys,
    email_address,
)
from services.notification.domain import Message
from services.notification.reactions import LIFECYCLE
from services.notification.render import Renderer, TemplateError
from services.notification.repository import Repository
from services.notification.settings import NotificationSettings
from services.notification.store import Store
from shared import privacy
from shared.citizen import mobile_number
from shared.contracts import notification as contract
from shared.contracts.common import error, reject_if
from shared.contracts.envelope import CloudEvent
from shared.contracts.registration import SessionConcluded, SessionScheduled
from shared.logging import get_logger, redact_text
from shared.messaging.handling import HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.service import Infrastructure, JobContext

log = get_logger(__name__)


@dataclass(frozen=True)
class Deps:
    infra: Infrastructure  # the database, keys, clock and transactions
    settings: NotificationSettings
    channels: dict[contract.Channel, Channel]
    renderer: Renderer

    def store(self, uow: UnitOfWork | None = None) -> Store:
        """Notification's storage, in the unit of work's transaction (None: outside any)."""
        return Store(self.infra.db, uow.session if uow else None)

    def repo(self, uow: UnitOfWork) -> Repository:
        """The unit of work's messages, saved and published when it commits."""
        return LIFECYCLE.bind(uow, lambda: Repository(self.store(uow)))

    def message_id(self, cause_id: str, contact: str, channel: str) -> str:
        return self.message_ids(cause_id, contact, channel)[0]

    def message_ids(self, cause_id: str, contact: str, channel: str) -> list[str]:
        """Under the current look-up key, then each retired one (a message made before a
        rotation is still the same message)."""
        text = f"{cause_id}|{contact}|{channel}"
        return ["m-" + h[:30] for h in self.infra.cipher.keyed_hashes(text, purpose="message")]

    def person_ref(self, contact: str) -> str:
        return self.person_refs(contact)[0]

    def person_refs(self, contact: str) -> list[str]:
        return self.infra.cipher.keyed_hashes(contact, purpose="recipient")

    def seal(self, message_id: str, payload: dict[str, Any]) -> bytes:
        text = json.dumps(payload, ensure_ascii=False)
        return self.infra.cipher.seal(text.encode("utf-8"), context=f"message:{message_id}")

    def unseal(self, message: Message) -> dict[str, Any]:
        sealed = message.payload or b""
        text = self.infra.cipher.decrypt(sealed, context=f"message:{message.payload_id}")
        payload: dict[str, Any] = json.loads(text or "{}")
        return payload


def _told(reason: str, told: str | None) -> str:
    """The reason as notification keeps it: a provider's or mail server's own words beside ours,
    masked (the bus hears only ours)."""
    return f"{reason}: {redact_text(told)[:300]}" if told else reason


# ---- requests ---------------------------------------------------------------------------------


async def _send_by(store: Store, request: contract.SendNotification) -> str | None:
    """The legal deadline: given by the sender, or known from the session's own events."""
    if request.send_by:
        return request.send_by.isoformat()
    session_id = request.params.get("session_id")
    field = {
        "schedule_announcement": "announce_deadline",
        "results_announcement": "results_deadline",
    }.get(request.template)
    if not session_id or not field:
        return None
    known = await store.conference(session_id)
    return (known or {}).get(field)


async def accept(deps: Deps, request: contract.SendNotification, ctx: HandlerContext) -> None:
    """A request: one message on the first channel that reaches the recipient (once)."""
    now, repo = ctx.clock.now(), deps.repo(ctx.uow)
    reachable = [n for n, c in deps.channels.items() if c.address(request.recipient)]
    contacts = contact_keys(request.recipient)
    contact = contacts[0] if contacts else (request.recipient.name or "-")
    channels = reachable or list(deps.channels)[:1] or [_intended(request.recipient)]
    message_ids = deps.message_ids(request.cause_id, contact, channels[0])
    message_id = message_ids[0]
    for earlier in message_ids:
        if await repo.has(earlier):
            log.info("notification.duplicate_request", message_id=earlier)
            return
    refs = [ref for c in contacts for ref in deps.person_refs(c)]
    payload = {"recipient": request.recipient.model_dump(), "params": request.params}
    message = domain.new_message(
        message_id,
        request,
        channels,
        refs,
        await _send_by(repo.store, request),
        now,
        deps.seal(message_id, payload),
    )
    missing = deps.renderer.missing(request.template, request.params)
    opted_out = await repo.store.opted_out(refs)
    status, reason = domain.first_status(
        bool(reachable),
        missing,
        request.template,
        opted_out,
        message.required_by_law,
        configured=bool(deps.channels),
    )
    if status == "queued":
        domain.queue(message, now)
    else:
        domain.move(message, status, now, reason)
    repo.add(message)


def _intended(recipient: contract.Recipient) -> contract.Channel:
    """The channel a message would go on when none is configured (its record names one)."""
    return "email" if recipient.email else "sms" if recipient.phone else "file"


def channels_status(settings: NotificationSettings) -> dict[str, Any]:
    """What /health says of the channels: which are on, and whether anything leaves at all."""
    on = list(dict.fromkeys(settings.channels))
    warning = msg.NO_CHANNEL if not on else msg.FILE_ONLY if on == ["file"] else None
    return {"configured": on, "sends": bool(set(on) - {"file"}), "warning": warning}


# ---- one attempt ------------------------------------------------------------------------------


async def deliver(deps: Deps, task: contract.DeliverMessage, event: CloudEvent[Any]) -> None:
    """One attempt at a message, outside any transaction; its result recorded in one."""
    clock, store = deps.infra.clock, deps.store()
    message = await store.message(task.message_id)
    if message is None or message.status in domain.FINAL or message.status == "held":
        return  # sent already, or waiting for the ticker: this task is a leftover
    if message.status == "sending" and message.claimed_by != event.id:
        return  # another attempt holds it; if that process died, its own task comes back
    now = clock.now()
    channel = deps.channels.get(message.channel)
    if channel is None:
        off = SendResult("permanent", msg.CHANNEL_OFF.format(channel=message.channel))
        await _finish(deps, message, off, now)
        return
    hold = await _hold_reason(deps, channel, now)
    if hold and not domain.may_hold(message.required_by_law, message.send_by, hold[0]):
        log.info("notification.not_held", reason=hold[1], send_by=message.send_by)
        hold = None  # a legal notice is never made late by quiet hours or a rate limit
    if hold:
        await _hold(deps, message.id, hold[0], hold[1], now)
        return
    if message.status != "sending":
        claimed = await store.claim(message, event.id, now)
        if claimed is None:
            return  # someone else moved it first
        message = claimed
    result = await _attempt(deps, message, channel, now)
    await _finish(deps, message, result, clock.now())


async def _attempt(deps: Deps, message: Message, channel: Channel, now: datetime) -> SendResult:
    payload = deps.unseal(message)
    recipient = contract.Recipient.model_validate(payload["recipient"])
    try:
        text = deps.renderer.render(message.template, payload["params"], recipient.name)
    except TemplateError as exc:
        return SendResult("permanent", str(exc))
    key = message.id if not message.resends else f"{message.id}-r{message.resends}"
    outgoing = Outgoing(
        key=key,
        template=message.template,
        recipient=recipient,
        subject=text.subject,
        short=text.short,
        body=text.body,
        params=payload["params"],
        attachments=text.attachments,
        at=now,
    )
    try:
        return await channel.send(outgoing)
    except Exception as exc:  # a bug or an unforeseen provider answer: retried, named
        log.exception("notification.channel_error", channel=channel.name)
        error_name = type(exc).__name__
        return SendResult(
            "transient", msg.SEND_ERROR.format(channel=channel.name, error=error_name)
        )


async def _hold_reason(deps: Deps, channel: Channel, now: datetime) -> tuple[datetime, str] | None:
    window = deps.settings.quiet
    if channel.quiet and window and domain.in_quiet_hours(now, window):
        return domain.quiet_until(now, window), msg.QUIET_HOURS
    limit = deps.settings.rates.get(channel.name)
    if limit is None:
        return None
    count, seconds = limit
    start = int(now.timestamp()) // seconds * seconds
    taken = await deps.store().take_from_window(
        f"{channel.name}:{start}", now + timedelta(seconds=2 * seconds)
    )
    if taken > count:
        until = datetime.fromtimestamp(start + seconds, now.tzinfo)
        return until, msg.RATE_LIMIT.format(count=count, seconds=seconds, channel=channel.name)
    return None


async def _hold(deps: Deps, message_id: str, until: datetime, reason: str, now: datetime) -> None:
    async def work(uow: UnitOfWork) -> None:
        current = await deps.repo(uow).message(message_id)
        if current is not None and current.status not in (*domain.FINAL, "held"):
            domain.hold(current, until, now, reason)

    await deps.infra.commit(work)


async def _finish(deps: Deps, attempted: Message, result: SendResult, now: datetime) -> None:
    """Record one attempt's result, with its event, a retry or the fallback, in one unit."""
    delays = deps.settings.delays

    async def work(uow: UnitOfWork) -> None:
        current = await deps.repo(uow).message(attempted.id)
        if current is None or current.status in domain.FINAL:
            return
        status, retry = domain.after_attempt(result.result, current.attempts, len(delays))
        ref, segments = result.provider_ref, result.segments
        current.claimed_by = None
        if status in ("sent", "delivered"):
            current.sent_at = now
            domain.move(current, status, now, provider_ref=ref, segments=segments)
        elif retry is not None:
            kept = _told(msg.PROVIDER_RETRY, result.reason)
            domain.retry(
                current, retry, delays[retry], now, msg.PROVIDER_RETRY, kept, ref, segments
            )
        else:
            kept = _told(msg.PROVIDER_REFUSED, result.reason)
            domain.move(
                current,
                "failed",
                now,
                msg.PROVIDER_REFUSED,
                kept=kept,
                provider_ref=ref,
                segments=segments,
            )
            await _fall_back(deps, uow, current, now)

    await deps.infra.commit(work)
    log.info(
        "notification.attempt",
        message_id=attempted.id,
        channel=attempted.channel,
        result=result.result,
    )


async def _fall_back(deps: Deps, uow: UnitOfWork, failed: Message, now: datetime) -> None:
    """The next channel the recipient has takes over, as a message of its own (once)."""
    channel = next(iter(failed.fallbacks), None)
    if channel is None:
        return
    message_id = deps.message_id(failed.cause_id, failed.id, channel)
    repo = deps.repo(uow)
    message = domain.fallback(failed, message_id, now)
    if message is None or await repo.has(message_id):
        return
    reason = msg.INSTEAD_OF.format(message_id=failed.id, channel=failed.channel)
    domain.queue(message, now, reason)
    repo.add(message)


# ---- the ticker, operators, providers -----------------------------------------------------------


async def release_held(deps: Deps, job: JobContext) -> None:
    """Held messages whose time has come (morning, a new rate window) go back in line."""
    now = job.clock.now()
    for due in await deps.store().held_until(now):

        async def work(uow: UnitOfWork, message_id: str = due) -> None:
            current = await deps.repo(uow).message(message_id)
            if current is not None and current.status == "held":
                domain.queue(current, now, msg.HOLD_OVER)

        await job.commit(work)


async def set_preference(
    deps: Deps, cmd: contract.SetPreference, ctx: HandlerContext
) -> dict[str, Any]:
    contact = mobile_number(cmd.contact) or email_address(cmd.contact)
    if not contact:
        reject_if([error("data.contact", "invalid_contact", msg.NOT_A_CONTACT)])
    fields = {"opt_out": cmd.opt_out, "updated_at": ctx.clock.now(), "note": cmd.note}
    await deps.store(ctx.uow).set_preference(deps.person_refs(contact or ""), fields)
    return {"opt_out": cmd.opt_out}


async def resend(deps: Deps, cmd: contract.ResendMessage, ctx: HandlerContext) -> dict[str, Any]:
    message = await deps.repo(ctx.uow).message(cmd.message_id)
    if message is None:
        text = msg.UNKNOWN_MESSAGE.format(message_id=cmd.message_id)
        reject_if([error("data.message_id", "unknown_message", text)])
        raise RuntimeError(text)  # reject_if raised already: here for the type checker
    if message.status not in (*domain.FINAL, "held"):
        reject_if([error("data.message_id", "in_progress", msg.IN_PROGRESS)])
    if message.erased_at:  # its recipient and text went with NOTIFICATION_RETENTION_DAYS
        reject_if([error("data.message_id", "erased", msg.ERASED_MESSAGE)])
    reason = msg.RESENT_BY.format(who=cmd.requested_by or msg.RESENT_BY_DEFAULT)
    message.attempts, message.resends = 0, message.resends + 1
    domain.queue(message, ctx.clock.now(), reason)
    return {"message_id": message.id, "channel": message.channel, "resends": message.resends}


async def provider_report(
    deps: Deps, channel: str, provider_ref: str, delivered: bool, reason: str | None
) -> bool:
    """A provider's delivery report: sent -> delivered, or sent -> failed with its reason."""
    now = deps.infra.clock.now()

    async def work(uow: UnitOfWork) -> bool:
        message = await deps.repo(uow).reported(channel, provider_ref)
        if message is None:
            return False
        if message.status != "sent":
            return True  # already known: a provider repeating itself
        if delivered:
            message.delivered_at = now
            domain.move(message, "delivered", now)
        else:
            kept = _told(msg.PROVIDER_FAILED, reason)
            domain.move(message, "failed", now, msg.PROVIDER_FAILED, kept=kept)
            await _fall_back(deps, uow, message, now)
        return True

    return await deps.infra.commit(work)


# ---- what the service knows of sessions, for the legal deadlines --------------------------------


async def session_scheduled(deps: Deps, event: SessionScheduled, ctx: HandlerContext) -> None:
    fields = {
        "announce_deadline": event.announce_deadline.isoformat(),
        "starts_at": event.starts_at,
    }
    await deps.store(ctx.uow).keep_conference(event.session_id, fields)


async def session_concluded(deps: Deps, event: SessionConcluded, ctx: HandlerContext) -> None:
    fields = {
        "results_deadline": event.results_deadline.isoformat(),
        "held_on": event.held_on.isoformat(),
    }
    await deps.store(ctx.uow).keep_conference(event.session_id, fields)


def retention(deps: Deps, days: int) -> privacy.Retention:
    """Messages' recipients and texts erased `days` after they were created, once done with."""
    return privacy.retention_of(msg.RETENTION_WHAT.format(days=days), days, deps.store)
