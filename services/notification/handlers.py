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

from services.notification import domain, outgoing
from services.notification import messages as msg
from services.notification.channels import (
    Channel,
    Outgoing,
    SendResult,
    contact_keys,
    email_address,
)
from services.notification.render import Renderer, TemplateError
from services.notification.settings import NotificationSettings
from services.notification.store import Store
from shared import privacy
from shared.citizen import mobile_number
from shared.contracts import notification as contract
from shared.contracts.common import error, reject_if
from shared.contracts.envelope import CloudEvent
from shared.contracts.registration import SessionConcluded, SessionScheduled
from shared.logging import get_logger, redact_text
from shared.messaging.consumer import HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.service import Infrastructure, JobContext
from shared.storage import Document

log = get_logger(__name__)


@dataclass(frozen=True)
class Deps:
    infra: Infrastructure  # the database, keys, clock and transactions
    settings: NotificationSettings
    channels: dict[str, Channel]
    renderer: Renderer

    def store(self, uow: UnitOfWork | None = None) -> Store:
        """Notification's storage, in the unit of work's transaction (None: outside any)."""
        return Store(self.infra.db, uow.session if uow else None)

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

    def unseal(self, doc: Document) -> dict[str, Any]:
        sealed = bytes(doc["payload"])
        text = self.infra.cipher.decrypt(sealed, context=f"message:{doc['payload_id']}")
        payload: dict[str, Any] = json.loads(text or "{}")
        return payload


def _move(
    uow: UnitOfWork,
    doc: Document,
    status: contract.Status,
    now: datetime,
    reason: str | None = None,
    *,
    told: str | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """The update that moves `doc` to `status`, and its status event, in the same unit. A
    provider's or mail server's own words (`told`) stay in notification's record, masked; the
    event on the bus says only `reason`, a sentence of ours."""
    late = domain.is_late(doc, status, now)
    if late:
        log.warning("notification.late", message_id=doc["_id"], send_by=doc["send_by"])
    outgoing.status(uow, doc, status, now, reason, late, changes)
    kept = f"{reason}: {redact_text(told)[:300]}" if told else reason
    return domain.moved(status, now, kept, late, **changes)


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
    now, uow, store = ctx.clock.now(), ctx.uow, deps.store(ctx.uow)
    reachable = [n for n, c in deps.channels.items() if c.address(request.recipient)]
    contacts = contact_keys(request.recipient)
    contact = contacts[0] if contacts else (request.recipient.name or "-")
    channels = reachable or [next(iter(deps.channels))]
    message_ids = deps.message_ids(request.cause_id, contact, channels[0])
    message_id = message_ids[0]
    for earlier in message_ids:
        if await store.has_message(earlier):
            log.info("notification.duplicate_request", message_id=earlier)
            return
    refs = [ref for c in contacts for ref in deps.person_refs(c)]
    payload = {"recipient": request.recipient.model_dump(), "params": request.params}
    doc = domain.new_message(
        message_id,
        request,
        channels,
        refs,
        await _send_by(store, request),
        now,
        deps.seal(message_id, payload),
    )
    missing = deps.renderer.missing(request.template, request.params)
    opted_out = await store.opted_out(refs)
    status, reason = domain.first_status(
        bool(reachable), missing, request.template, opted_out, doc["required_by_law"]
    )
    update = _move(uow, doc, status, now, reason)
    if status == "queued":
        outgoing.deliver(uow, message_id)
    await store.add_message(domain.applied(doc, update))


# ---- one attempt ------------------------------------------------------------------------------


async def deliver(deps: Deps, task: contract.DeliverMessage, event: CloudEvent[Any]) -> None:
    """One attempt at a message, outside any transaction; its result recorded in one."""
    clock, store = deps.infra.clock, deps.store()
    doc = await store.message(task.message_id)
    if doc is None or doc["status"] in domain.FINAL or doc["status"] == "held":
        return  # sent already, or waiting for the ticker: this task is a leftover
    if doc["status"] == "sending" and doc.get("claimed_by") != event.id:
        return  # another attempt holds it; if that process died, its own task comes back
    now = clock.now()
    channel = deps.channels.get(doc["channel"])
    if channel is None:
        off = SendResult("permanent", msg.CHANNEL_OFF.format(channel=doc["channel"]))
        await _finish(deps, doc, off, now)
        return
    hold = await _hold_reason(deps, channel, now)
    if hold and not domain.may_hold(doc.get("required_by_law", False), doc.get("send_by"), hold[0]):
        log.info("notification.not_held", reason=hold[1], send_by=doc.get("send_by"))
        hold = None  # a legal notice is never made late by quiet hours or a rate limit
    if hold:
        await _hold(deps, doc, hold[0], hold[1], now)
        return
    if doc["status"] != "sending":
        claimed = await store.claim(doc, event.id, now)
        if claimed is None:
            return  # someone else moved it first
        doc = claimed
    result = await _attempt(deps, doc, channel, now)
    await _finish(deps, doc, result, clock.now())


async def _attempt(deps: Deps, doc: Document, channel: Channel, now: datetime) -> SendResult:
    payload = deps.unseal(doc)
    recipient = contract.Recipient.model_validate(payload["recipient"])
    try:
        text = deps.renderer.render(doc["template"], payload["params"], recipient.name)
    except TemplateError as exc:
        return SendResult("permanent", str(exc))
    key = doc["_id"] if not doc.get("resends") else f"{doc['_id']}-r{doc['resends']}"
    message = Outgoing(
        key=key,
        template=doc["template"],
        recipient=recipient,
        subject=text.subject,
        short=text.short,
        body=text.body,
        params=payload["params"],
        at=now,
    )
    try:
        return await channel.send(message)
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


async def _hold(deps: Deps, doc: Document, until: datetime, reason: str, now: datetime) -> None:
    async def work(uow: UnitOfWork) -> None:
        store = deps.store(uow)
        current = await store.message(doc["_id"])
        if current is None or current["status"] in domain.FINAL or current["status"] == "held":
            return
        update = _move(uow, current, "held", now, reason, not_before=until)
        await store.update_message(doc["_id"], update)

    await deps.infra.commit(work)


async def _finish(deps: Deps, doc: Document, result: SendResult, now: datetime) -> None:
    """Record one attempt's result, with its event, a retry or the fallback, in one unit."""
    delays = deps.settings.delays

    async def work(uow: UnitOfWork) -> None:
        store = deps.store(uow)
        current = await store.message(doc["_id"])
        if current is None or current["status"] in domain.FINAL:
            return
        status, retry = domain.after_attempt(result.result, current.get("attempts", 0), len(delays))
        given = {"provider_ref": result.provider_ref, "segments": result.segments}
        extra: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if status in ("sent", "delivered"):
            update = _move(uow, current, status, now, None, sent_at=now, **extra)
        elif retry is not None:
            wait = delays[retry]
            update = _move(
                uow,
                current,
                status,
                now,
                msg.PROVIDER_RETRY,
                told=result.reason,
                retry_at=now + wait,
                **extra,
            )
            outgoing.deliver(uow, current["_id"], (retry, wait))
        else:
            update = _move(
                uow, current, "failed", now, msg.PROVIDER_REFUSED, told=result.reason, **extra
            )
            await _fall_back(deps, uow, current, now)
        update["$unset"] = {"claimed_by": ""}
        await store.update_message(current["_id"], update)

    await deps.infra.commit(work)
    log.info(
        "notification.attempt", message_id=doc["_id"], channel=doc["channel"], result=result.result
    )


async def _fall_back(deps: Deps, uow: UnitOfWork, failed: Document, now: datetime) -> None:
    """The next channel the recipient has takes over, as a message of its own (once)."""
    channel = next(iter(failed.get("fallbacks") or []), None)
    if channel is None:
        return
    message_id = deps.message_id(failed["cause_id"], failed["_id"], channel)
    store = deps.store(uow)
    doc = domain.fallback(failed, message_id, now)
    if doc is None or await store.has_message(message_id):
        return
    reason = msg.INSTEAD_OF.format(message_id=failed["_id"], channel=failed["channel"])
    update = _move(uow, doc, "queued", now, reason)
    outgoing.deliver(uow, message_id)
    await store.add_message(domain.applied(doc, update))


# ---- the ticker, operators, providers -----------------------------------------------------------


async def release_held(deps: Deps, job: JobContext) -> None:
    """Held messages whose time has come (morning, a new rate window) go back in line."""
    now = job.clock.now()
    for due in await deps.store().held_until(now):

        async def work(uow: UnitOfWork, message_id: str = due) -> None:
            store = deps.store(uow)
            current = await store.message(message_id)
            if current is None or current["status"] != "held":
                return
            update = _move(uow, current, "queued", now, msg.HOLD_OVER)
            update["$unset"] = {"not_before": ""}
            outgoing.deliver(uow, message_id)
            await store.update_message(message_id, update)

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
    now, store = ctx.clock.now(), deps.store(ctx.uow)
    doc = await store.message(cmd.message_id)
    if doc is None:
        text = msg.UNKNOWN_MESSAGE.format(message_id=cmd.message_id)
        reject_if([error("data.message_id", "unknown_message", text)])
        raise RuntimeError(text)  # reject_if raised already: here for the type checker
    if doc["status"] not in (*domain.FINAL, "held"):
        reject_if([error("data.message_id", "in_progress", msg.IN_PROGRESS)])
    if doc.get("erased_at"):  # its recipient and text went with NOTIFICATION_RETENTION_DAYS
        reject_if([error("data.message_id", "erased", msg.ERASED_MESSAGE)])
    reason = msg.RESENT_BY.format(who=cmd.requested_by or msg.RESENT_BY_DEFAULT)
    update = _move(ctx.uow, doc, "queued", now, reason, attempts=0)
    update["$inc"] = {"resends": 1}
    update["$unset"] = {"not_before": ""}
    outgoing.deliver(ctx.uow, doc["_id"])
    await store.update_message(doc["_id"], update)
    return {
        "message_id": doc["_id"],
        "channel": doc["channel"],
        "resends": doc.get("resends", 0) + 1,
    }


async def provider_report(
    deps: Deps, channel: str, provider_ref: str, delivered: bool, reason: str | None
) -> bool:
    """A provider's delivery report: sent -> delivered, or sent -> failed with its reason."""
    now = deps.infra.clock.now()

    async def work(uow: UnitOfWork) -> bool:
        store = deps.store(uow)
        doc = await store.reported(channel, provider_ref)
        if doc is None:
            return False
        if doc["status"] != "sent":
            return True  # already known: a provider repeating itself
        if delivered:
            update = _move(uow, doc, "delivered", now, None, delivered_at=now)
        else:
            update = _move(uow, doc, "failed", now, msg.PROVIDER_FAILED, told=reason)
            await _fall_back(deps, uow, doc, now)
        await store.update_message(doc["_id"], update)
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
