"""What an operator reads: recent messages and failures, with contacts masked."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.notification import messages as msg
from services.notification.store import Store
from shared.crypto import FieldCipher
from shared.health import other_commune
from shared.storage import Database
from shared.text import fmt_time
from shared.vi import MESSAGE_STATUS


def mask(contact: str | None) -> str:
    """`0912345678` -> `091****678`; `an.nguyen@example.vn` -> `a***@example.vn`."""
    if not contact:
        return ""
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:1]}***@{domain}"
    return contact[:3] + "****" + contact[-3:] if len(contact) > 6 else "****"


@dataclass
class MessageRow:
    message_id: str
    created_at: str
    template: str
    channel: str
    status: str
    attempts: int
    to: str
    reason: str
    late: bool


async def recent_messages(
    db: Database,
    cipher: FieldCipher,
    *,
    limit: int = 20,
    status: str | None = None,
    failures_only: bool = False,
) -> list[MessageRow]:
    query: dict[str, Any] = {}
    if failures_only:
        query["status"] = {"$in": ["failed", "retrying", "held"]}
    elif status:
        query["status"] = status
    rows = []
    async for doc in Store(db).recent(query, limit):
        sealed = cipher.decrypt(bytes(doc["payload"]), context=f"message:{doc['payload_id']}")
        recipient = json.loads(sealed or "{}").get("recipient", {})
        contact = recipient.get("phone") if doc["channel"] in ("sms", "zalo") else None
        contact = contact or recipient.get("email") or recipient.get("phone")
        rows.append(
            MessageRow(
                message_id=doc["_id"],
                created_at=_local(doc["created_at"]),
                template=doc["template"],
                channel=doc["channel"],
                status=str(MESSAGE_STATUS.get(doc["status"], doc["status"])),
                attempts=doc.get("attempts", 0),
                to=mask(contact),
                reason=doc.get("reason") or "",
                late=bool(doc.get("late")),
            )
        )
    return rows


async def message_counts(db: Database) -> dict[str, Any]:
    """Messages by template and status, how many are still on their way, and the file of one
    delivered invitation (the demo prints it as a delegate receives it)."""
    counts: dict[str, dict[str, int]] = {}
    in_flight = 0
    async for doc in Store(db).states():
        by_status = counts.setdefault(doc["template"], {})
        by_status[doc["status"]] = by_status.get(doc["status"], 0) + 1
        in_flight += doc["status"] in ("new", "queued", "sending", "retrying")
    sample = await Store(db).delivered_invitation()
    return {
        "by_template": counts,
        "in_flight": in_flight,
        "sample_invitation": sample.get("provider_ref") if sample else None,
    }


def admin_app(db: Database, cipher: FieldCipher) -> Starlette:
    """The operator CLI's door to notification (`nghedan notify list`, the demo's counts)."""

    async def messages(request: Request) -> JSONResponse:
        query = request.query_params
        try:
            limit = min(int(query.get("limit", "20")), 500)
        except ValueError:
            return JSONResponse({"error": msg.LIMIT_NOT_A_NUMBER}, 400)
        rows = await recent_messages(
            db,
            cipher,
            limit=limit,
            status=query.get("status") or None,
            failures_only=query.get("failed") == "1",
        )
        return JSONResponse([asdict(r) for r in rows])

    async def counts(_request: Request) -> JSONResponse:
        return JSONResponse(await message_counts(db))

    return Starlette(
        routes=[
            Route("/admin/messages", messages),
            Route("/admin/messages/counts", counts),
        ]
    )


def _local(moment: datetime) -> str:
    """PyMongo hands back naive UTC times: shown in Viet Nam time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return fmt_time(aware)


def office_door(db: Database, cipher: FieldCipher, commune: str) -> Starlette:
    """What the office's pages read of notification (under /office/, behind NGHEDAN_OFFICE_TOKEN):
    the messages of one cause — who a results announcement was sent to, and whether it arrived —
    each with its recipient's name and a masked contact."""

    async def messages(request: Request) -> Response:
        if refused := other_commune(request.query_params, commune):
            return refused
        cause = request.query_params.get("cause", "")
        if len(cause) < 8:
            return JSONResponse(
                {"error": "cần cause (ví dụ results:TT-2026-DK1:)"}, status_code=400
            )
        query = {"cause_id": {"$regex": "^" + re.escape(cause)}}
        rows = []
        async for doc in db["messages"].find(query).sort("cause_id", 1).limit(500):
            payload = doc.get("payload")
            opened = (
                cipher.decrypt(bytes(payload), context=f"message:{doc['payload_id']}")
                if payload
                else None
            )
            recipient = json.loads(opened or "{}").get("recipient", {})
            rows.append(
                {
                    "cause_id": doc["cause_id"],
                    "template": doc["template"],
                    "channel": doc["channel"],
                    "status": doc["status"],
                    "status_vi": str(MESSAGE_STATUS.get(doc["status"], doc["status"])),
                    "name": recipient.get("name") or "",
                    "to": mask(recipient.get("email") or recipient.get("phone")),
                    "delivered_at": _local(doc["delivered_at"]) if doc.get("delivered_at") else "",
                    "reason": doc.get("reason") or "",
                }
            )
        return JSONResponse({"messages": rows})

    return Starlette(routes=[Route("/office/messages", messages)])
