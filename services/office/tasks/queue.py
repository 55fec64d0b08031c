"""The office's queue: the issues still open by days left, with their alarms; each issue's page
with its words, its history (who did what) and a form for each step that applies to it. An
agency officer sees their own agency's issues only, and takes only its steps (answer, follow-up)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.actions import ACTIONS, BY_SLUG, Action
from services.office.forms import Form
from services.office.reads import ReadError
from services.office.web import Office, Who
from shared.clock import local_date
from shared.legal_days import limit_state


def days_left(issue: dict[str, Any], today: date) -> int | None:
    """Days to the nearest limit still running: a case's legal clocks, a conclusion's deadline."""
    dues = [
        date.fromisoformat(d) for d in ((issue.get("clocks") or {}).get("clocks") or {}).values()
    ]
    deadline = issue.get("conclusion_deadline") or (issue.get("conclusion") or {}).get("deadline")
    if deadline and issue["status"] not in ("resolved", *msg.CLOSED):
        dues.append(date.fromisoformat(deadline))
    return min((d - today).days for d in dues) if dues else None


def sees(account: Account, issue: dict[str, Any]) -> bool:
    """An agency officer sees their agency's issues; the office, the chair and viewers all."""
    if account.role == "agency":
        return bool(issue["agency_code"] == account.agency)
    if account.role == "village_head":
        return bool(issue["village_code"] == account.village)
    return account.may("read")


def may_open(account: Account) -> bool:
    return account.may("queue") or account.may("agency") or account.role == "viewer"


def routes(office: Office) -> list[Route]:
    def today() -> date:
        return local_date(office.clock.now())

    async def queue(request: Request) -> Response:
        async def draw(who: Who, _form: Form) -> Response:
            try:
                found = await office.reads.open_issues()
            except ReadError as exc:
                return office.page("queue.html", who, 503, rows=[], failed=str(exc))
            rows = []
            for issue in found:
                if sees(who.account, issue):
                    left = days_left(issue, today())
                    alarm = limit_state(left) if left is not None else None
                    rows.append(issue | {"days_left": left, "alarm": alarm})
            rows.sort(
                key=lambda r: (r["days_left"] is None, r["days_left"] or 0, r["tracking_code"])
            )
            return office.page("queue.html", who, rows=rows, failed=None)

        return await office.guarded(request, may_open, draw, draw)

    async def issue_page(
        who: Who,
        code: str,
        open_form: tuple[Action, Form] | None = None,
        status: int = 200,
        said: str | None = None,
    ) -> Response:
        issue = await office.reads.issue(code)
        if issue is None or not sees(who.account, issue):
            return office.page("refused.html", who, 404, why=msg.NO_ISSUE.format(code=code))
        forms = {
            a.slug: (open_form[1] if open_form and open_form[0] is a else Form())
            for a in ACTIONS
            if a.applies(issue) and a.allowed(who.account, issue)
        }
        left = days_left(issue, today())
        return office.page(
            "issue.html",
            who,
            status,
            issue=issue,
            actions=[a for a in ACTIONS if a.slug in forms],
            forms=forms,
            opened=open_form[0].slug if open_form else None,
            days_left=left,
            alarm=limit_state(left) if left is not None else None,
            said=said,
        )

    async def one(request: Request) -> Response:
        code = request.path_params["code"]

        async def draw(who: Who, _form: Form) -> Response:
            done = request.query_params.get("xong")
            kept = await office.store.outcome(done) if done else None
            said = None
            if kept and kept["account"] == who.account.name and kept["key"] in KEYS:
                said = msg.DONE.format(what=KEYS[kept["key"]].title)
            return await issue_page(who, code, said=said)

        return await office.guarded(request, may_open, draw, draw)

    async def act(request: Request) -> Response:
        code, slug = request.path_params["code"], request.path_params["slug"]
        action = BY_SLUG.get(slug)
        if action is None:
            return Response(status_code=404)

        async def draw(who: Who, form: Form) -> Response:
            return await issue_page(who, code, (action, form))

        async def send(who: Who, form: Form) -> Response:
            issue = await office.reads.issue(code)
            if issue is None or not sees(who.account, issue):
                return office.page("refused.html", who, 404, why=msg.NO_ISSUE.format(code=code))
            if not action.allowed(who.account, issue):
                return office.refused(who)
            data = action.data(form, code, who.account, office.clock.now())
            shown = {"tracking_code": code, "action": action.title}
            outcome = await office.command(who, form, action.key, data, shown)
            if outcome is not None:
                if outcome.status == "accepted" or outcome.first_status == "accepted":
                    return RedirectResponse(f"/hang-doi/{code}?xong={outcome.command_id}", 303)
                if outcome.status == "duplicate":
                    form.general.append(msg.DUPLICATE_REJECTED)
                form.refused(outcome, {i.name for i in action.inputs})
            return await issue_page(who, code, (action, form), 422 if not form.said else 200)

        return await office.guarded(request, may_open, draw, send)

    return [
        Route("/hang-doi", queue),
        Route("/hang-doi/{code}", one),
        Route("/hang-doi/{code}/{slug}", act, methods=["GET", "POST"]),
    ]


KEYS = {a.key: a for a in ACTIONS}
