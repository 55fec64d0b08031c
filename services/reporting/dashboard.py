"""What the pages show, read from the read models: the chairman's brief, a session, a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.reporting import conference_notice as notice
from services.reporting.conference_notice import ConferenceNotice
from services.reporting.projections import followup_of
from services.reporting.results import Results
from services.reporting.store import ReadModels, Record
from shared import vi
from shared.clock import LOCAL_TZ, Clock
from shared.legal_days import limit_state
from shared.reference import ReferenceData
from shared.text import fmt, fmt_time

CLOCK_VI = {"acceptance": "Thụ lý", "settlement": "Giải quyết"}
FOLLOWUP_VI = {"on_time": "trong hạn", "overdue": "quá hạn", "resolved": "đã giải quyết"}
BAR_WIDTH = 240  # pixels of the longest bar in the participation chart


@dataclass
class Dashboard:
    models: ReadModels
    results: Results
    ref: ReferenceData
    clock: Clock

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=select_autoescape(["html"]),
        )
        self.villages = {v.code: v.name for v in self.ref.villages}
        self.agencies = {a.code: a.name for a in self.ref.agencies}
        self.topics = {t.code: t.name for t in self.ref.topics}

    def render(self, template: str, **context: Any) -> str:
        page = self.env.get_template(template)
        return page.render(commune=self.ref.commune.name, **context)

    # --- the chairman's brief -----------------------------------------------------------------

    async def brief(self, session_id: str) -> dict[str, Any] | None:
        """The agenda grouped by topic and agency, long-running and complex matters first, with
        the answers agencies propose, and the delegates expected from each village."""
        session = await self.models.session(session_id)
        if session is None:
            return None
        items = list(session.get("agenda") or [])
        codes = [i["tracking_code"] for i in items]
        issues = await self.models.issues(codes)
        gone = (
            "merged",
            "referred",
            "refused",
            "withdrawn",
        )  # handled elsewhere since the agenda was drafted
        items = [i for i in items if issues.get(i["tracking_code"], {}).get("state") not in gone]

        def weight(item: dict[str, Any]) -> tuple[int, int, int]:
            return (not item["complex"], not item["followup"], -item["age_days"])

        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for item in sorted(items, key=weight):
            enriched = {
                **item,
                "answer": issues.get(item["tracking_code"], {}).get("answer"),
                "answered": bool(issues.get(item["tracking_code"], {}).get("answered")),
                "village_name": self.villages.get(item["village_code"], item["village_code"]),
            }
            groups.setdefault((item["topic"], item["agency_code"]), []).append(enriched)
        ordered = sorted(groups.items(), key=lambda g: min(weight(i) for i in g[1]))
        figures = await self.models.figures_of(f"session:{session_id}")
        return {
            "session_id": session_id,
            "briefing": session.get("briefing"),
            "agency_points": [
                {"agency": code, "agency_name": self.agencies.get(code, code), **points}
                for code, points in sorted((session.get("agency_points") or {}).items())
            ],
            "agenda_version": session.get("agenda_version"),
            "agenda_total": session.get("agenda_total") or len(session.get("agenda") or []),
            "agenda_shown": len(session.get("agenda") or []),
            "groups": [
                {
                    "topic": topic,
                    "topic_name": self.topics.get(topic, topic),
                    "agency": agency,
                    "agency_name": self.agencies.get(agency, agency),
                    "items": group,
                }
                for (topic, agency), group in ordered
            ],
            "delegates_expected_by_village": {
                v: n.get("confirmed", 0) for v, n in sorted(figures.get("village", {}).items())
            },
        }

    # --- pages ----------------------------------------------------------------------------------

    async def index(self) -> dict[str, Any]:
        sessions = []
        for s in await self.models.sessions():
            figures = await self.models.figures_of(f"session:{s['_id']}")
            sessions.append(
                {
                    "id": s["_id"],
                    "day": _day(s.get("starts_at")),
                    "status": s.get("status"),
                    "status_vi": vi.SESSION_STATUS.get(s.get("status", ""), s.get("status")),
                    "confirmed": figures.get("total", {}).get("confirmed", 0),
                    "attended": figures.get("total", {}).get("attended", 0),
                }
            )
        periods = await self.models.periods()
        delivery = (await self.models.figures_of("delivery")).get("status", {})
        return {
            "cases": await self.cases(),
            "sessions": sessions,
            "periods": periods,
            "delivery": {vi.MESSAGE_STATUS.get(k, k): v for k, v in delivery.items()},
        }

    async def conference_notice(self, session_id: str) -> ConferenceNotice | None:
        """The public notice of a scheduled conference: as issued for its date, never dated
        again; before it is issued, a draft dated today (it cannot be backdated)."""
        session = await self.models.session(session_id)
        if session is None or not session.get("starts_at"):
            return None
        kept = await Record(self.results.db).conference_notice(notice.key_of(session))
        if kept is not None:
            return notice.issued(kept, self.ref)
        today = self.clock.now().astimezone(LOCAL_TZ).date()
        return notice.build(session, self.ref, today)

    async def cases(self) -> list[dict[str, Any]]:
        """Complaints and denunciations whose clocks run, the fewest days left first: what the
        office must decide next, and by when (no person, no words: what intake tells)."""
        today = self.clock.now().astimezone(LOCAL_TZ).date()
        rows = []
        for issue in await self.models.running_cases():
            case = issue["case"]
            clock, due_iso = min(case["clocks"].items(), key=lambda kv: kv[1])
            due = date.fromisoformat(due_iso)
            left = (due - today).days
            state = limit_state(left)
            rows.append(
                {
                    "ref": issue["_id"],
                    "kind": case["handled_as"],
                    "kind_vi": vi.ISSUE_KIND[case["handled_as"]].capitalize(),
                    "village": self.villages.get(issue.get("village", ""), issue.get("village")),
                    "agency": self.agencies.get(case["agency_code"], case["agency_code"]),
                    "accepted_on": _vn(case.get("accepted_on")),
                    "clock": clock,
                    "clock_vi": CLOCK_VI[clock],
                    "due": _vn(due_iso),
                    "days_left": left,
                    "state": state,
                    "left_vi": _left_vi(left),
                    "extensions": case.get("extensions", 0),
                }
            )
        return sorted(rows, key=lambda r: (r["days_left"], r["ref"]))

    def _villages(self, by_village: dict[str, Any]) -> list[dict[str, Any]]:
        """Participation by village, with the bars' widths."""
        widest = max([n.get("confirmed", 0) for n in by_village.values()] or [1]) or 1
        return [
            {
                "code": code,
                "name": self.villages.get(code, code),
                "confirmed": n.get("confirmed", 0),
                "attended": n.get("attended", 0),
                "confirmed_w": round(BAR_WIDTH * n.get("confirmed", 0) / widest),
                "attended_w": round(BAR_WIDTH * n.get("attended", 0) / widest),
            }
            for code, n in sorted(
                by_village.items(), key=lambda kv: self.villages.get(kv[0], kv[0])
            )
        ]

    def _conclusion(self, issue: dict[str, Any]) -> dict[str, Any]:
        state = followup_of(issue)
        return {
            "ref": issue["_id"],
            "conclusion": issue.get("conclusion"),
            "agency": self.agencies.get(issue.get("responsible_agency", ""), ""),
            "deadline": _vn(issue.get("deadline")),
            "followup": state,
            "followup_vi": FOLLOWUP_VI[state],
            "overdue": state == "overdue",
        }

    async def session(self, session_id: str) -> dict[str, Any] | None:
        s = await self.models.session(session_id)
        if s is None:
            return None
        figures = await self.models.figures_of(f"session:{session_id}")
        villages = self._villages(figures.get("village", {}))
        conclusions = [self._conclusion(i) for i in await self.models.concluded_at(session_id)]
        announcement = await self.results.announcement(session_id)
        today = self.clock.now().astimezone(LOCAL_TZ).date()
        deadline = s.get("results_deadline")
        return {
            "session": {
                "id": session_id,
                "title": s.get("title"),
                "venue": s.get("venue"),
                "status": s.get("status"),
                "status_vi": vi.SESSION_STATUS.get(s.get("status", ""), s.get("status")),
                "day": _day(s.get("starts_at")),
                "results_deadline": _vn(deadline),
                "announce_deadline": _vn(s.get("announce_deadline")),
                "has_notice": bool(s.get("starts_at")) and s.get("status") != "cancelled",
                "organisers": [vi.organiser(o) for o in s.get("organisers") or []],
                "chaired_by": s.get("chaired_by"),
                "concluded_by": s.get("concluded_by"),
                "results_late": isinstance(deadline, str)
                and announcement is None
                and today > date.fromisoformat(deadline),
            },
            "totals": figures.get("total", {}),
            "villages": villages,
            "conclusions": conclusions,
            "announcement": None
            if announcement is None
            else {
                "issued_on": fmt(announcement.issued_on),
                "late": announcement.days_late > 0,
                "days_late": announcement.days_late,
            },
        }

    async def period(self, period: str) -> dict[str, Any]:
        figures = await self.models.figures_of(f"period:{period}")
        overdue = []
        for issue in await self.models.overdue_in(period):
            if followup_of(issue) == "overdue":
                overdue.append(
                    {
                        "ref": issue["_id"],
                        "agency": self.agencies.get(issue.get("responsible_agency", ""), ""),
                        "deadline": _vn(issue.get("deadline")),
                        "days": issue.get("days_overdue", 0),
                    }
                )
        return {
            "period": period,
            "figures": figures,
            "topics": sorted(
                ((self.topics.get(t, t), n) for t, n in figures.get("topic", {}).items()),
                key=lambda x: -x[1],
            ),
            "states": [(vi.ISSUE_STATUS.get(s, s), n) for s, n in figures.get("state", {}).items()],
            "followup": figures.get("followup", {}),
            "overdue": overdue,
        }


def _left_vi(left: int) -> str:
    if left < 0:
        return f"quá hạn {-left} ngày"
    return "hết hạn hôm nay" if left == 0 else f"còn {left} ngày"


def _day(value: Any) -> str | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return fmt_time(moment)


def _vn(value: Any) -> str | None:
    return fmt(date.fromisoformat(value)) if value else None
