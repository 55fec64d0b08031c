"""One message per (cause, recipient, channel): accepted, held, sent, retried, fallen back, reported.

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
from datetime import date, datetime, time, timedelta
from typing import Any

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
from shared import metrics
from shared.citizen import mobile_number
from shared.clock import LOCAL_TZ, local_date
from shared.contracts import notification as contract
from shared.contracts.common import error, reject_if
from shared.contracts.envelope import CloudEvent
from shared.contracts.registration import SessionConcluded, SessionScheduled
from shared.logging import get_logger
from shared.messaging.consumer import HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.messaging.topology import DELAY_QUEUES
from shared.service import Infrastructure, JobContext
from shared.storage import Document

log = get_logger(__name__)
FINAL = ("sent", "delivered", "failed", "suppressed")
# What the law itself obliges the commune to tell: an opt-out does not stop these.
REQUIRED_BY_LAW = {"schedule_announcement", "results_announcement"}


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


@dataclass
class Notifier:
    service: Infrastructure  # the database, keys, clock and transactions it works with
    settings: NotificationSettings
    channels: dict[str, Channel]
    renderer: Renderer

    def __post_init__(self) -> None:
        self.store = Store(self.service.db)

    # ---- identities and sealed payloads ------------------------------------------------------

    def message_id(self, cause_id: str, contact: str, channel: str) -> str:
        digest = self.service.cipher.keyed_hash(
            f"{cause_id}|{contact}|{channel}", purpose="message"
        )
        return "m-" + digest[:30]

    def person_ref(self, contact: str) -> str:
        return self.service.cipher.keyed_hash(contact, purpose="recipient")

    def _seal(self, message_id: str, payload: dict[str, Any]) -> bytes:
        text = json.dumps(payload, ensure_ascii=False)
        return self.service.cipher.encrypt(text, context=f"message:{message_id}")  # type: ignore[return-value]

    def unseal(self, doc: Document) -> dict[str, Any]:
        sealed = bytes(doc["payload"])
        text = self.service.cipher.decrypt(sealed, context=f"message:{doc['payload_id']}")
        return json.loads(text or "{}")

    # ---- status events ------------------------------------------------------------------------

    def _late(self, doc: Document, now: datetime) -> bool:
        send_by = doc.get("send_by")
        return bool(send_by) and local_date(now) > date.fromisoformat(str(send_by))

    def _status(
        self,
        uow: UnitOfWork,
        doc: Document,
        status: str,
        now: datetime,
        reason: str | None = None,
        **changes: Any,
    ) -> dict[str, Any]:
        """The update that moves `doc` to `status`, and its event, emitted in the same unit."""
        late = self._late(doc, now) if status in ("sent", "delivered", "failed") else False
        if late:
            log.warning("notification.late", message_id=doc["_id"], send_by=doc["send_by"])
        entry = {"status": status, "at": now, "reason": reason}
        counted = metrics.NOTIFICATIONS.labels(doc["channel"], doc["template"], status)
        uow.after_commit.append(counted.inc)
        uow.emit(
            "notification.message.status.v1",
            contract.MessageStatus(
                message_id=doc["_id"],
                cause_id=doc["cause_id"],
                template=doc["template"],
                channel=doc["channel"],
                status=status,  # type: ignore[arg-type]
                attempt=int(changes.get("attempts", doc.get("attempts")) or 0),
                reason=reason,
                provider_ref=changes.get("provider_ref"),
                required_by_law=doc["required_by_law"],
                send_by=doc.get("send_by"),
                late=late,
                segments=changes.get("segments"),
                fallback_of=doc.get("fallback_of"),
                at=now,
            ),
            subject=doc["_id"],
        )
        return {
            "$set": {
                "status": status,
                "updated_at": now,
                "reason": reason,
                "late": late,
                **changes,
            },
            "$push": {"history": entry},
        }

    def _deliver(self, uow: UnitOfWork, message_id: str, retry: int | None = None) -> None:
        """A delivery task: now, or as retry number `retry` (0-based) through its delay queue."""
        task = contract.DeliverMessage(message_id=message_id)
        if retry is None:
            uow.emit("notification.deliver.v1", task, subject=message_id)
            return
        wait = (DELAY_QUEUES[retry].name, self.settings.delays[retry])
        uow.emit("notification.deliver.v1", task, subject=message_id, delay=wait)

    # ---- requests ---------------------------------------------------------------------------

    async def _send_by(self, request: contract.SendNotification, session: Any) -> str | None:
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
        known = await self.store.conference(session_id, session)
        return (known or {}).get(field)

    async def accept(self, request: contract.SendNotification, ctx: HandlerContext) -> None:
        """A request: one message on the first channel that reaches the recipient (once)."""
        now, uow = ctx.clock.now(), ctx.uow
        reachable = [n for n, c in self.channels.items() if c.address(request.recipient)]
        contacts = contact_keys(request.recipient)
        contact = contacts[0] if contacts else (request.recipient.name or "-")
        channel = reachable[0] if reachable else next(iter(self.channels))
        message_id = self.message_id(request.cause_id, contact, channel)
        if await self.store.has_message(message_id, ctx.session):
            log.info("notification.duplicate_request", message_id=message_id)
            return
        required = request.required_by_law or request.template in REQUIRED_BY_LAW
        opted_out = await self._opted_out(contacts, ctx.session)
        doc = {
            "_id": message_id,
            "payload_id": message_id,
            "cause_id": request.cause_id,
            "template": request.template,
            "channel": channel,
            "fallbacks": reachable[1:],
            "recipient_refs": [self.person_ref(c) for c in contacts],
            "required_by_law": required,
            "send_by": await self._send_by(request, ctx.session),
            "attempts": 0,
            "resends": 0,
            "created_at": now,
            "status": "new",
            "history": [],
            "payload": self._seal(
                message_id,
                {"recipient": request.recipient.model_dump(), "params": request.params},
            ),
        }
        problems = self.renderer.missing(request.template, request.params)
        if not reachable:
            reason = msg.NO_ADDRESS
            update = self._status(uow, doc, "failed", now, reason)
        elif problems:
            reason = msg.MISSING_PARAMS.format(
                template=request.template, params=", ".join(problems)
            )
            update = self._status(uow, doc, "failed", now, reason)
        elif opted_out and not required:
            reason = msg.OPTED_OUT
            update = self._status(uow, doc, "suppressed", now, reason)
        else:
            update = self._status(uow, doc, "queued", now)
            self._deliver(uow, message_id)
        await self.store.add_message(_applied(doc, update), ctx.session)

    async def _opted_out(self, contacts: list[str], session: Any) -> bool:
        return await self.store.opted_out([self.person_ref(c) for c in contacts], session)

    # ---- one attempt ------------------------------------------------------------------------

    async def deliver(self, task: contract.DeliverMessage, event: CloudEvent[Any]) -> None:
        clock = self.service.clock
        doc = await self.store.message(task.message_id)
        if doc is None or doc["status"] in FINAL or doc["status"] == "held":
            return  # sent already, or waiting for the ticker: this task is a leftover
        if doc["status"] == "sending" and doc.get("claimed_by") != event.id:
            return  # another attempt holds it; if that process died, its own task comes back
        now = clock.now()
        channel = self.channels.get(doc["channel"])
        if channel is None:
            off = SendResult("permanent", msg.CHANNEL_OFF.format(channel=doc["channel"]))
            await self._finish(doc, off, now)
            return
        hold = await self._hold_reason(channel, now)
        if hold and not may_hold(doc.get("required_by_law", False), doc.get("send_by"), hold[0]):
            log.info("notification.not_held", reason=hold[1], send_by=doc.get("send_by"))
            hold = None  # a legal notice is never made late by quiet hours or a rate limit
        if hold:
            until, reason = hold
            await self._hold(doc, until, reason, now)
            return
        if doc["status"] != "sending":
            claimed = await self.store.claim(doc, event.id, now)
            if claimed is None:
                return  # someone else moved it first
            doc = claimed
        result = await self._attempt(doc, channel, now)
        await self._finish(doc, result, clock.now())

    async def _attempt(self, doc: Document, channel: Channel, now: datetime) -> SendResult:
        payload = self.unseal(doc)
        recipient = contract.Recipient.model_validate(payload["recipient"])
        try:
            text = self.renderer.render(doc["template"], payload["params"], recipient.name)
        except TemplateError as exc:
            return SendResult("permanent", str(exc))
        key = doc["_id"] if not doc.get("resends") else f"{doc['_id']}-r{doc['resends']}"
        outgoing = Outgoing(
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
            return await channel.send(outgoing)
        except Exception as exc:  # a bug or an unforeseen provider answer: retried, named
            log.exception("notification.channel_error", channel=channel.name)
            error = type(exc).__name__
            return SendResult("transient", msg.SEND_ERROR.format(channel=channel.name, error=error))

    async def _hold_reason(self, channel: Channel, now: datetime) -> tuple[datetime, str] | None:
        window = self.settings.quiet
        if channel.quiet and window and in_quiet_hours(now, window):
            return quiet_until(now, window), msg.QUIET_HOURS
        limit = self.settings.rates.get(channel.name)
        if limit is None:
            return None
        count, seconds = limit
        start = int(now.timestamp()) // seconds * seconds
        taken = await self.store.take_from_window(
            f"{channel.name}:{start}", now + timedelta(seconds=2 * seconds)
        )
        if taken > count:
            until = datetime.fromtimestamp(start + seconds, now.tzinfo)
            return until, msg.RATE_LIMIT.format(count=count, seconds=seconds, channel=channel.name)
        return None

    async def _hold(self, doc: Document, until: datetime, reason: str, now: datetime) -> None:
        async def work(uow: UnitOfWork) -> None:
            current = await self.store.message(doc["_id"], uow.session)
            if current is None or current["status"] in FINAL or current["status"] == "held":
                return
            update = self._status(uow, current, "held", now, reason, not_before=until)
            await self.store.update_message(doc["_id"], update, uow.session)

        await self.service.commit(work)

    async def _finish(self, doc: Document, result: SendResult, now: datetime) -> None:
        """Record one attempt's result, with its event, a retry or the fallback, in one unit."""
        delays = self.settings.delays

        async def work(uow: UnitOfWork) -> None:
            current = await self.store.message(doc["_id"], uow.session)
            if current is None or current["status"] in FINAL:
                return
            attempts = current.get("attempts", 0)
            extra = {"provider_ref": result.provider_ref, "segments": result.segments}
            extra = {k: v for k, v in extra.items() if v is not None}
            if result.result in ("sent", "delivered"):
                update = self._status(uow, current, result.result, now, None, sent_at=now, **extra)
            elif result.result == "transient" and attempts <= len(delays):
                retry = max(attempts - 1, 0)  # the first retry waits the first delay
                update = self._status(
                    uow,
                    current,
                    "retrying",
                    now,
                    result.reason,
                    retry_at=now + delays[retry],
                    **extra,
                )
                self._deliver(uow, current["_id"], retry)
            else:
                update = self._status(uow, current, "failed", now, result.reason, **extra)
                await self._fall_back(uow, current, now)
            update["$unset"] = {"claimed_by": ""}
            await self.store.update_message(current["_id"], update, uow.session)

        await self.service.commit(work)
        log.info(
            "notification.attempt",
            message_id=doc["_id"],
            channel=doc["channel"],
            result=result.result,
        )

    async def _fall_back(self, uow: UnitOfWork, failed: Document, now: datetime) -> None:
        """The next channel the recipient has takes over, as a message of its own (once)."""
        fallbacks = list(failed.get("fallbacks") or [])
        if not fallbacks:
            return
        channel, rest = fallbacks[0], fallbacks[1:]
        message_id = self.message_id(failed["cause_id"], failed["_id"], channel)
        if await self.store.has_message(message_id, uow.session):
            return
        doc = {
            **{
                k: failed[k]
                for k in (
                    "cause_id",
                    "template",
                    "recipient_refs",
                    "required_by_law",
                    "send_by",
                    "payload",
                    "payload_id",
                )
            },
            "_id": message_id,
            "channel": channel,
            "fallbacks": rest,
            "fallback_of": failed["_id"],
            "attempts": 0,
            "resends": 0,
            "created_at": now,
            "status": "new",
            "history": [],
        }
        update = self._status(
            uow, doc, "queued", now, f"thay cho tin {failed['_id']} qua {failed['channel']}"
        )
        self._deliver(uow, message_id)
        await self.store.add_message(_applied(doc, update), uow.session)

    # ---- the ticker, operators, providers ---------------------------------------------------

    async def release_held(self, job: JobContext) -> None:
        """Held messages whose time has come (morning, a new rate window) go back in line."""
        now = job.clock.now()
        for due in await self.store.held_until(now):

            async def work(uow: UnitOfWork, message_id: str = due) -> None:
                current = await self.store.message(message_id, uow.session)
                if current is None or current["status"] != "held":
                    return
                update = self._status(uow, current, "queued", now, msg.HOLD_OVER)
                update["$unset"] = {"not_before": ""}
                self._deliver(uow, message_id)
                await self.store.update_message(message_id, update, uow.session)

            await job.commit(work)

    async def set_preference(
        self, cmd: contract.SetPreference, ctx: HandlerContext
    ) -> dict[str, Any]:
        contact = mobile_number(cmd.contact) or email_address(cmd.contact)
        reject_if(
            []
            if contact
            else [
                error(
                    "data.contact",
                    "invalid_contact",
                    msg.NOT_A_CONTACT,
                )
            ]
        )
        fields = {"opt_out": cmd.opt_out, "updated_at": ctx.clock.now(), "note": cmd.note}
        await self.store.set_preference(self.person_ref(contact or ""), fields, ctx.session)
        return {"opt_out": cmd.opt_out}

    async def resend(self, cmd: contract.ResendMessage, ctx: HandlerContext) -> dict[str, Any]:
        now = ctx.clock.now()
        doc = await self.store.message(cmd.message_id, ctx.session)
        reject_if(
            [
                error(
                    "data.message_id",
                    "unknown_message",
                    msg.UNKNOWN_MESSAGE.format(message_id=cmd.message_id),
                )
            ]
            if doc is None
            else [error("data.message_id", "in_progress", msg.IN_PROGRESS)]
            if doc["status"] not in (*FINAL, "held")
            else []
        )
        if doc is None:  # refused just above: here for the type checker
            raise RuntimeError(f"no message {cmd.message_id}")
        reason = msg.RESENT_BY.format(who=cmd.requested_by or msg.RESENT_BY_DEFAULT)
        update = self._status(ctx.uow, doc, "queued", now, reason, attempts=0)
        update["$inc"] = {"resends": 1}
        update["$unset"] = {"not_before": ""}
        self._deliver(ctx.uow, doc["_id"])
        await self.store.update_message(doc["_id"], update, ctx.session)
        return {
            "message_id": doc["_id"],
            "channel": doc["channel"],
            "resends": doc.get("resends", 0) + 1,
        }

    async def provider_report(
        self, channel: str, provider_ref: str, delivered: bool, reason: str | None
    ) -> bool:
        """A provider's delivery report: sent -> delivered, or sent -> failed with its reason."""
        now = self.service.clock.now()

        async def work(uow: UnitOfWork) -> bool:
            doc = await self.store.reported(channel, provider_ref, uow.session)
            if doc is None:
                return False
            if doc["status"] != "sent":
                return True  # already known: a provider repeating itself
            if delivered:
                update = self._status(uow, doc, "delivered", now, None, delivered_at=now)
            else:
                update = self._status(uow, doc, "failed", now, reason or msg.PROVIDER_FAILED)
                await self._fall_back(uow, doc, now)
            await self.store.update_message(doc["_id"], update, uow.session)
            return True

        return await self.service.commit(work)

    # ---- what the service knows of sessions, for the legal deadlines ---------------------------

    async def session_scheduled(self, event: SessionScheduled, ctx: HandlerContext) -> None:
        fields = {
            "announce_deadline": event.announce_deadline.isoformat(),
            "starts_at": event.starts_at,
        }
        await self.store.keep_conference(event.session_id, fields, ctx.session)

    async def session_concluded(self, event: SessionConcluded, ctx: HandlerContext) -> None:
        fields = {
            "results_deadline": event.results_deadline.isoformat(),
            "held_on": event.held_on.isoformat(),
        }
        await self.store.keep_conference(event.session_id, fields, ctx.session)


def _applied(doc: Document, update: dict[str, Any]) -> Document:
    """A new document with an update's $set and $push applied (for inserts)."""
    new = {**doc, **update.get("$set", {})}
    for key, value in update.get("$push", {}).items():
        new[key] = [*new.get(key, []), value]
    return new
