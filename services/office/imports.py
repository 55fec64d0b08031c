"""A village head's list uploaded in the browser: read at once (a file that cannot be read is
said at once), then sent to registration in small batches while the page shows how far it got;
each row's outcome kept for the report. The rows (personal data) are sealed while they wait; a
job the office was stopped in the middle of is taken up again when it starts, and a batch sent
again is answered with its first outcome (its id is the job's and the batch's)."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from datetime import datetime
from typing import Any

from services.office.accounts import Account
from shared import delegate_lists as lists
from shared.crypto import FieldCipher
from shared.logging import get_logger
from shared.messaging.commands import CommandClient, CommandPending
from shared.reference import ReferenceData
from shared.storage import Database, Document

log = get_logger(__name__)
BATCH_ROWS = 25  # small enough that the progress bar moves on a list of 150
KEY = "registration.register-delegates.v1"
NOT_YOUR_VILLAGE = "không phải thôn {village} của Trưởng thôn: dòng này không được gửi"
_NAMESPACE = uuid.UUID("0c5b7a4e-9d7f-4a43-8f3e-51f0d7b2c611")


class Imports:
    def __init__(
        self, db: Database, cipher: FieldCipher, client: CommandClient, ref: ReferenceData
    ) -> None:
        self.db, self.cipher, self.client, self.ref = db, cipher, client, ref
        self._running: dict[str, asyncio.Task[None]] = {}

    def _seal(self, job: str, rows: list[dict[str, Any]]) -> bytes:
        return self.cipher.seal(json.dumps(rows).encode(), context=f"office:import:{job}")

    def _unseal(self, job: str, sealed: bytes) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(
            self.cipher.unseal(sealed, context=f"office:import:{job}")
        )
        return rows

    async def start(
        self, account: Account, session_id: str, name: str, content: bytes, now: datetime
    ) -> str:
        """A job for the list (ValueError, in words, when the file cannot be read)."""
        rows = lists.rows_of(name, content)
        if not rows:
            raise ValueError(f"tệp {name} không có dòng nào dưới dòng tiêu đề")
        commands = lists.build_commands(rows, session_id, self.ref)
        job = secrets.token_urlsafe(12)
        pending, report = [], []
        for row, command in zip(rows, commands, strict=True):
            village = command["data"].get("village_code")
            if account.role == "village_head" and village != account.village:
                refused = {
                    "status": "rejected",
                    "errors": [
                        {
                            "field": "data.village_code",
                            "message": NOT_YOUR_VILLAGE.format(village=account.village),
                        }
                    ],
                }
                report.append(lists.report_line(row, refused))
                continue
            pending.append({"number": row.number, "id": command["id"], "data": command["data"]})
        await self.db["imports"].insert_one(
            {
                "_id": job,
                "session_id": session_id,
                "account": account.name,
                "acted_by": f"{account.full_name} ({account.name})",
                "file": name,
                "total": len(rows),
                "sent": len(report),
                "rows": self._seal(job, pending),
                "report": report,
                "done": not pending,
                "started_at": now,
            }
        )
        self.run(job)
        return job

    def run(self, job: str) -> None:
        if job not in self._running or self._running[job].done():
            self._running[job] = asyncio.create_task(self._send(job), name=f"import-{job}")

    async def resume(self) -> None:
        async for doc in self.db["imports"].find({"done": False}, {"_id": 1}):
            self.run(doc["_id"])

    async def close(self) -> None:
        for task in self._running.values():
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def job(self, job: str) -> Document | None:
        return await self.db["imports"].find_one({"_id": job}, {"rows": 0})

    async def _send(self, job: str) -> None:
        doc = await self.db["imports"].find_one({"_id": job})
        if doc is None or doc["done"]:
            return
        rows = self._unseal(job, doc["rows"])
        already = len(doc["report"]) - (doc["total"] - len(rows))  # rows of the list reported
        for start in range(max(already, 0), len(rows), BATCH_ROWS):
            part = rows[start : start + BATCH_ROWS]
            batch = lists.batch_data(doc["session_id"], part)
            command_id = str(uuid.uuid5(_NAMESPACE, f"{job}:{start}"))
            try:
                outcome = await self.client.send(
                    KEY,
                    batch,
                    command_id=command_id,
                    at=doc["started_at"],
                    acted_by=doc["acted_by"],
                )
                answers = lists.row_outcomes(
                    {"rows": [{"id": r["id"]} for r in part]}, outcome.model_dump(mode="json")
                )
            except (CommandPending, OSError, ConnectionError) as exc:
                log.warning("office.import_waiting", job=job, error=str(exc))
                await asyncio.sleep(2)  # the bus is away: the batch is sent again, same id
                self._running.pop(job, None)
                self.run(job)
                return
            lines = [
                lists.report_line(lists.Row(r["number"], {}, []), answer)
                for r, answer in zip(part, answers, strict=True)
            ]
            await self.db["imports"].update_one(
                {"_id": job},
                {"$push": {"report": {"$each": lines}}, "$inc": {"sent": len(part)}},
            )
        await self.db["imports"].update_one(
            {"_id": job}, {"$set": {"done": True, "rows": self._seal(job, [])}}
        )
