"""The results announcement as reporting builds it from its read models, and as it was kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from services.reporting import announcement as doc
from services.reporting import messages as msg
from services.reporting.conference_notice import dated_errors
from services.reporting.projections import quarter_of
from services.reporting.store import ReadModels, Record
from shared.contracts import reporting as contract
from shared.contracts.common import OutcomeError, error
from shared.legal_days import results_due
from shared.reference import ReferenceData
from shared.service import QueueLag
from shared.storage import Database
from shared.text import fmt

FEEDS_FOLLOWUP = ("intake.followup.updated.v1", "intake.conclusion.overdue.v1")
NOT_MATTERS = ("merged", "referred", "refused", "withdrawn")


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
        found = await self.models.matters(session["_id"], NOT_MATTERS)
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
                answered=bool(i.get("answered")),
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

    def load(self, stored: dict[str, Any]) -> doc.Announcement:
        model = dict(stored["model"])
        model["participation"] = contract.Participation.model_validate(model["participation"])
        model["matters"] = [contract.Matter.model_validate(m) for m in model["matters"]]
        for name in ("held_on", "issued_on"):
            model[name] = date.fromisoformat(model[name])
        return doc.Announcement(**model)

    async def announcement(self, session_id: str) -> doc.Announcement | None:
        stored = await Record(self.db).announcement(session_id)
        return self.load(stored) if stored else None


def issued_on_errors(issued_on: date, held_on: date, today: date) -> list[OutcomeError]:
    """The announcement's date decides whether it was on time: it may not be later than today,
    nor earlier than the conference, nor backdated to look on time when it comes in late."""
    deadline = results_due(held_on)
    wrong = None
    if issued_on < held_on:
        text = msg.ISSUED_BEFORE_CONFERENCE.format(day=fmt(issued_on), held_on=fmt(held_on))
        wrong = error("data.issued_on", "before_conference", text)
    return dated_errors(issued_on, deadline, today, wrong)


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


def stored_form(built: doc.Announcement) -> dict[str, Any]:
    model = asdict(built)
    model["participation"] = built.participation.model_dump(mode="json")
    model["matters"] = [m.model_dump(mode="json") for m in built.matters]
    model["held_on"], model["issued_on"] = built.held_on.isoformat(), built.issued_on.isoformat()
    return model


def summary(built: doc.Announcement) -> dict[str, Any]:
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
