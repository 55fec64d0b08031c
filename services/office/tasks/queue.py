"""The office's queue: the issues still open by days left, with their alarms; each issue's page
with its words, its history (who did what) and a form for each step that applies to it. An
agency officer sees their own agency's issues only, and takes only its steps (answer, follow-up)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.actions import ACTIONS, Action
from services.office.forms import Form
from services.office.reads import ReadError
from services.office.records import Records
from services.office.web import Office, Who
from shared.clock import local_date
from shared.legal_days import limit_state


def days_left(issue: dict[str, Any], today: date) -> int | None:
    """Days to the nearest limit still running: a case's legal clocks, a conclusion's deadline."""
    clocks = (issue.get("clocks") or {}).get("clocks") or {}
    dues = [date.fromisoformat(d) for d in clocks.values()]
    deadline = issue.get("conclusion_deadline") or (issue.get("conclusion") or {}).get("deadline")
    if deadline and issue["status"] not in ("resolved", *msg.CLOSED):
        dues.append(date.fromisoformat(deadline))
    return min((d - today).days for d in dues) if dues else None


VILLAGE_KINDS = ("recommendation", "feedback")


def sees(account: Account, issue: dict[str, Any]) -> bool:
    """An agency officer sees their agency's issues; a village head their village's; the office,
    the chair and viewers all."""
    if account.role == "agency":  # its own issues, and the conclusions it must carry out
        conclusion = issue.get("conclusion_agency") or (issue.get("conclusion") or {}).get("agency")
        return account.agency in (issue["agency_code"], conclusion)
    if account.role == "village_head":  # a complaint's or denunciation's words stay with the office
        return issue["village_code"] == account.village and issue["handled_as"] in VILLAGE_KINDS
    return account.may("read")


def may_open(account: Account) -> bool:
    return any(account.may(task) for task in ("queue", "agency", "village", "read"))


def routes(office: Office) -> list[Route]:
    def today() -> date:
        return local_date(office.clock.now())

    def alarm(issue: dict[str, Any], _who: Who | None = None) -> dict[str, Any]:
        left = days_left(issue, today())
        return {"days_left": left, "alarm": limit_state(left) if left is not None else None}

    async def queue(request: Request) -> Response:
        async def draw(who: Who, _form: Form) -> Response:
            try:
                found = await office.reads.open_issues(who.account.commune)
            except ReadError as exc:
                return office.page("queue.html", who, 503, rows=[], failed=str(exc))
            rows = [issue | alarm(issue) for issue in found if sees(who.account, issue)]
            rows.sort(
                key=lambda r: (r["days_left"] is None, r["days_left"] or 0, r["tracking_code"])
            )
            return office.page("queue.html", who, rows=rows, failed=None)

        return await office.guarded(request, may_open, draw, draw)

    async def prefill(action: Action, _issue: dict[str, Any], who: Who) -> dict[str, str]:
        """A conclusion is of the conference being held, or the latest one scheduled."""
        if action.slug != "ket-luan":
            return {}
        try:
            found = (await office.reads.conferences(who.account.commune))["sessions"]
        except ReadError:
            return {}
        for status in ("held", "scheduled", "concluded"):
            for conference in found:
                if conference["status"] == status:
                    return {"session_id": conference["id"]}
        return {}

    issues = Records(
        office,
        base="/hang-doi",
        template="issue.html",
        actions=ACTIONS,
        load=office.reads.issue,
        sees=sees,
        may_open=may_open,
        shown=alarm,
        prefill=prefill,
    )
    return [Route("/hang-doi", queue), *issues.routes()]
