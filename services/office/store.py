"""What the office keeps in its own database: its people's accounts, their login sessions, and
what a person typed into a form when their session had ended (sealed, kept one hour)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from services.office.accounts import Account
from shared.contracts.common import Outcome
from shared.crypto import FieldCipher
from shared.storage import Database, Document

DRAFT_HOURS = 1  # what was typed before a login is kept this long, then forgotten


def _digest(token: str) -> str:
    """A session is found by its token's digest: the database never holds a usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


DEVELOPMENT = "tài khoản thử khi phát triển (NGHEDAN_DEVELOPMENT)"


def account_of(doc: Document) -> Account:
    return Account(
        name=doc["_id"],
        full_name=doc["full_name"],
        role=doc["role"],
        commune=doc["commune"],
        village=doc.get("village"),
        agency=doc.get("agency"),
    )


class OfficeStore:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self.db, self.cipher = db, cipher

    async def ensure_indexes(self) -> None:
        # Forgotten by `forget_expired` on the platform's clock, not by a TTL index: the
        # database's own clock is not the one the platform (and its tests) run on.
        await self.db["sessions"].create_index("expires_at")
        await self.db["drafts"].create_index("expires_at")
        await self.db["accounts"].create_index("commune")
        await self.db["account_changes"].create_index([("now.commune", 1), ("at", -1)])

    async def forget_expired(self, now: datetime) -> int:
        """Sessions and kept drafts past their time, deleted (a periodic job)."""
        gone = 0
        for collection in ("sessions", "drafts"):
            done = await self.db[collection].delete_many({"expires_at": {"$lte": now}})
            gone += done.deleted_count
        return gone

    # --- accounts -------------------------------------------------------------------------------

    async def accounts(self) -> dict[str, tuple[Account, str]]:
        """Every account with its password hash, by login name."""
        found = {}
        async for doc in self.db["accounts"].find({}):
            found[doc["_id"]] = (account_of(doc), doc["password_hash"])
        return found

    async def put_account(
        self, account: Account, password_hash: str, at: datetime, by: str = DEVELOPMENT
    ) -> bool:
        """An account made, or its role, scope or password changed; True when it was new. Each
        change is kept (what it became, when, by whom; never the password or its hash)."""
        fields = {k: v for k, v in asdict(account).items() if k != "name"}
        before = await self.db["accounts"].find_one({"_id": account.name})
        done = await self.db["accounts"].update_one(
            {"_id": account.name},
            {"$set": fields | {"password_hash": password_hash, "changed_at": at}},
            upsert=True,
        )
        created = done.upserted_id is not None
        was = {k: before.get(k) for k in fields} if before else {}
        changed = [k for k, v in fields.items() if was.get(k) != v] if before else []
        await self.db["account_changes"].insert_one(
            {"account": account.name, "at": at, "by": by, "created": created}
            | {"changed": changed, "now": fields}
        )
        return created

    async def account_changes(self, commune: str, limit: int = 100) -> list[Document]:
        """The latest changes to the accounts of one commune, newest first."""
        found = self.db["account_changes"].find({"now.commune": commune}, {"_id": 0})
        ordered = found.sort([("at", -1), ("_id", -1)])  # the same moment: the later first
        return [doc async for doc in ordered.limit(limit)]

    # --- sessions -------------------------------------------------------------------------------

    async def open_session(self, account: str, at: datetime, hours: float) -> tuple[str, str]:
        """A new login: (the cookie's token, the session's CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        await self.db["sessions"].insert_one(
            {
                "_id": _digest(token),
                "account": account,
                "csrf": csrf,
                "opened_at": at,
                "expires_at": at + timedelta(hours=hours),
            }
        )
        return token, csrf

    async def session(self, token: str, at: datetime) -> Document | None:
        doc = await self.db["sessions"].find_one({"_id": _digest(token)})
        if doc is None or doc["expires_at"].replace(tzinfo=UTC) <= at:
            return None
        return doc

    async def close_session(self, token: str) -> None:
        await self.db["sessions"].delete_one({"_id": _digest(token)})

    # --- what was typed when a session had ended -----------------------------------------------

    async def keep_draft(self, path: str, fields: list[tuple[str, str]], at: datetime) -> str:
        """A form's fields, sealed (a citizen's words may be in them); its key for the login."""
        key = secrets.token_urlsafe(24)
        sealed = self.cipher.seal(json.dumps(fields).encode(), context=f"office:draft:{path}")
        await self.db["drafts"].insert_one(
            {
                "_id": _digest(key),
                "path": path,
                "fields": sealed,
                "expires_at": at + timedelta(hours=DRAFT_HOURS),
            }
        )
        return key

    async def take_draft(self, key: str, path: str, now: datetime) -> list[tuple[str, str]] | None:
        """The fields kept under `key` for the form at `path`, once (then forgotten)."""
        doc = await self.db["drafts"].find_one_and_delete({"_id": _digest(key), "path": path})
        if doc is None or doc["expires_at"].replace(tzinfo=UTC) <= now:
            return None
        fields: list[Any] = json.loads(
            self.cipher.unseal(doc["fields"], context=f"office:draft:{path}")
        )
        return [(str(k), str(v)) for k, v in fields]

    # --- outcomes -------------------------------------------------------------------------------

    async def keep_outcome(
        self, account: str, key: str, outcome: Outcome, shown: dict[str, str], at: datetime
    ) -> None:
        """What came of a command sent from a page, for its outcome page (the first kept: a
        duplicate's answer does not replace it)."""
        await self.db["outcomes"].update_one(
            {"_id": outcome.command_id},
            {
                "$setOnInsert": {
                    "account": account,
                    "key": key,
                    "outcome": outcome.model_dump(mode="json"),
                    "shown": shown,
                    "at": at,
                }
            },
            upsert=True,
        )

    async def outcome(self, command_id: str) -> Document | None:
        return await self.db["outcomes"].find_one({"_id": command_id})
