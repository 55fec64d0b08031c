"""What an operator reads: recent messages and failures, with contacts masked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from services.notification.settings import NotificationSettings
from shared.clock import LOCAL_TZ
from shared.settings import cipher_for
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
    settings: NotificationSettings,
    *,
    limit: int = 20,
    status: str | None = None,
    failures_only: bool = False,
) -> list[MessageRow]:
    cipher = cipher_for(settings, "notification")
    query: dict[str, Any] = {}
    if failures_only:
        query["status"] = {"$in": ["failed", "retrying", "held"]}
    elif status:
        query["status"] = status
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url, serverSelectionTimeoutMS=5000
    )
    rows = []
    try:
        cursor = client[settings.mongo_db]["messages"].find(query).sort("created_at", -1)
        async for doc in cursor.limit(limit):
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
                    status=MESSAGE_STATUS.get(doc["status"], doc["status"]),
                    attempts=doc.get("attempts", 0),
                    to=mask(contact),
                    reason=doc.get("reason") or "",
                    late=bool(doc.get("late")),
                )
            )
    finally:
        await client.close()
    return rows


def _local(moment: datetime) -> str:
    """PyMongo hands back naive UTC times: shown in Viet Nam time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
