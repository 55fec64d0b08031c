"""The results announcement issued, replayed for the province, and conclusions' follow-up fed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from services.reporting import announcement as doc
from services.reporting import store
from services.reporting.projections import followup_of, quarter_of
from services.reporting.store import ReadModels
from shared.citizen import fmt
from shared.clock import local_date
from shared.contracts import reporting as contract
from shared.contracts.common import OutcomeError, error, reject_if
from shared.messaging.consumer import HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.reference import ReferenceData
from shared.service import QueueLag
from shared.storage import Database

FEEDS_FOLLOWUP = ("intake.followup.updated.v1", "intake.conclusion.overdue.v1")
NOT_MATTERS = ("merged", "referred", "refused")


@dataclass
class Results:
    db: Database
    models: ReadModels
    ref: ReferenceData
    lag: Callable[[], Awaitable[list[QueueLag]]] | None = None  # how far behind reporting is

    async def behind(self) -> str:
        """What a refusal that may be the read side's lag says of it: how far behind it is."""
        if self.lag is None:
            return ""
        events = [q for q in await self.lag() if q.queue.endswith(".events")]
        return "".join(f" — {q.said()}" for q in events)

    async def build(
        self, session: dict[str, Any], cmd: contract.IssueResults, issued_on: date
    ) -> doc.Announcement:
        figures = await self.models.figures_of(f"session:{session['_id']}")
        issues = self.models.collection("issues").find(
            {"session_id": session["_id"], "state": {"$nin": list(NOT_MATTERS)}}
        )
        found = [i async for i in issues.sort("_id", 1)]
        confidential = [i for i in found if is_denunciation(i)]
        matters = [
            contract.Matter(
                ref=i["_id"],
                kind=i.get("handled_as") or i["kind"],
                topic=i.get("topic", "other"),
                village_code=i["village"],
                summary=i.get("summary") or "",
                raised_by_count=i.get("raised_by", 1),
                answer=i.get("answer"),
                conclusion=i.get("conclusion"),
                responsible_agency=i.get("responsible_agency"),
                deadline=i.get("deadline"),
            )
            for i in found
            if i not in confidential
        ]
        commune = self.ref.commune
        return doc.Announcement(
            commune=commune.name,
            commune_code=commune.code,
            province=commune.province,
            session_id=session["_id"],
            session_kind=session.get("kind", "periodic"),
            title=session.get("title") or "Hội nghị đối thoại với Nhân dân",
            venue=session.get("venue") or commune.venue,
            held_on=date.fromisoformat(session["held_on"]),
            issued_on=issued_on,
            document_number=cmd.document_number,
            signer_title=cmd.signer_title,
            signer_name=cmd.signer_name,
            participation=doc.participation(figures),
            matters=matters,
            denunciations=len(confidential),
            chaired_by=session.get("chaired_by"),
            concluded_by=session.get("concluded_by"),
            **doc.names(self.ref),
        )

    async def issue(self, cmd: contract.IssueResults, ctx: HandlerContext) -> dict[str, Any]:
        """Issue the announcement once; it goes to the province (and so to every village head)."""
        stored = await store.announcement_doc(self.db, cmd.session_id, ctx.session)
        if stored is not None:
            return {**_summary(self.load(stored)), "already_issued": True}
        session = await self.models.collection("sessions").find_one({"_id": cmd.session_id})
        if session is None or session.get("status") != "concluded":
            behind = await self.behind()  # perhaps only not heard of here yet
            reject_if(
                [
                    error(
                        "data.session_id",
                        "unknown_session",
                        f"chưa có phiên {cmd.session_id}{behind}",
                    )
                ]
                if session is None
                else [
                    error(
                        "data.session_id",
                        "not_concluded",
                        f"phiên {cmd.session_id} chưa kết thúc "
                        f"(trạng thái: {session.get('status')}){behind}",
                    )
                ]
            )
        today = local_date(ctx.clock.now())
        issued_on = cmd.issued_on or today
        reject_if(issued_on_errors(issued_on, date.fromisoformat(session["held_on"]), today))
        built = await self.build(session, cmd, issued_on)
        reported = (session.get("attendance_reported") or {}).get("attended")
        if reported is not None and reported != built.participation.attended:
            behind = await self.behind()
            reject_if(
                [
                    error(
                        "data.session_id",
                        "not_ready",
                        f"báo cáo mới nhận {built.participation.attended}/{reported} lượt điểm "
                        f"danh của phiên này; thử lại khi đã nhận đủ{behind}",
                    )
                ]
            )
        kept = {"_id": cmd.session_id, "model": _stored(built), "issued_at": ctx.clock.now()}
        await store.keep_announcement(self.db, kept, ctx.session)
        ctx.uow.emit("dialogue.results.published.v1", built.published(), subject=cmd.session_id)
        return _summary(built)

    def load(self, stored: dict[str, Any]) -> doc.Announcement:
        model = dict(stored["model"])
        model["participation"] = contract.Participation.model_validate(model["participation"])
        model["matters"] = [contract.Matter.model_validate(m) for m in model["matters"]]
        for name in ("held_on", "issued_on"):
            model[name] = date.fromisoformat(model[name])
        return doc.Announcement(**model)

    async def announcement(self, session_id: str) -> doc.Announcement | None:
        stored = await store.announcement_doc(self.db, session_id)
        return self.load(stored) if stored else None

    async def replay(self, cmd: contract.ReplayResults, ctx: HandlerContext) -> dict[str, Any]:
        """Publish a period's announcements again, marked as a replay, for a province system."""
        replayed = []
        async for stored in store.announcement_docs(self.db, cmd.session_id, ctx.session):
            built = self.load(stored)
            if not in_period(built.held_on, cmd.period):
                continue
            ctx.uow.emit(
                "dialogue.results.published.v1",
                built.published(replay=True),
                subject=built.session_id,
            )
            replayed.append(built.session_id)
        return {"period": cmd.period, "replayed": replayed}

    def feed_followup(
        self, key: str, issue: dict[str, Any] | None, uow: UnitOfWork, at: Any
    ) -> None:
        """A conclusion's follow-up moved: the province hears it on nghedan.provincial."""
        if key not in FEEDS_FOLLOWUP or not issue or not issue.get("deadline"):
            return
        if is_denunciation(issue):
            return  # a denunciation is counted in the announcement, never followed by its code
        state = followup_of(issue)
        uow.emit(
            "dialogue.followup.updated.v1",
            contract.FollowupUpdated(
                commune_code=self.ref.commune.code,
                session_id=issue.get("session_id") or "",
                matter_ref=issue["_id"],
                status="in_progress" if state == "on_time" else state,  # type: ignore[arg-type]
                responsible_agency=issue.get("responsible_agency") or "",
                deadline=issue["deadline"],
                updated_at=at,
            ),
            subject=issue["_id"],
        )


def issued_on_errors(issued_on: date, held_on: date, today: date) -> list[OutcomeError]:
    """The announcement's date decides whether it was on time: it may not be later than today,
    nor earlier than the conference, nor backdated to look on time when it comes in late."""
    deadline = held_on + timedelta(days=doc.RESULTS_DAYS)
    day = fmt(issued_on)
    if issued_on > today:
        text = f"ngày ban hành {day} sau hôm nay ({fmt(today)})"
        return [error("data.issued_on", "in_the_future", text)]
    if issued_on < held_on:
        text = f"ngày ban hành {day} trước ngày hội nghị ({fmt(held_on)})"
        return [error("data.issued_on", "before_conference", text)]
    if issued_on <= deadline < today:
        text = (
            f"ngày ban hành {day} còn trong hạn ({fmt(deadline)}) nhưng thông báo đến "
            f"hôm nay ({fmt(today)}): không ghi lùi ngày để trông như đúng hạn; ghi "
            "ngày hôm nay hoặc để trống"
        )
        return [error("data.issued_on", "backdated", text)]
    return []


def is_denunciation(issue: dict[str, Any]) -> bool:
    """Sent as a denunciation, even an anonymous one handled as feedback: counted, never listed."""
    return "denunciation" in (issue.get("kind"), issue.get("handled_as"))


def in_period(day: date, period: str) -> bool:
    """`2026`, `2026-Q3`, `2026-H2` or `2026-09`: does the day fall in it?"""
    year, _, part = period.partition("-")
    if str(day.year) != year:
        return False
    if not part:
        return True
    if part.startswith("Q"):
        return quarter_of(day) == period
    if part.startswith("H"):
        return (day.month - 1) // 6 + 1 == int(part[1:])
    return day.month == int(part)


def _stored(built: doc.Announcement) -> dict[str, Any]:
    model = asdict(built)
    model["participation"] = built.participation.model_dump(mode="json")
    model["matters"] = [m.model_dump(mode="json") for m in built.matters]
    model["held_on"], model["issued_on"] = built.held_on.isoformat(), built.issued_on.isoformat()
    return model


def _summary(built: doc.Announcement) -> dict[str, Any]:
    return {
        "session_id": built.session_id,
        "document_number": built.document_number,
        "issued_on": built.issued_on.isoformat(),
        "results_deadline": built.deadline.isoformat(),
        "late": built.days_late > 0,
        "days_late": built.days_late,
        "matters": len(built.matters),
        "attended": built.participation.attended,
    }
