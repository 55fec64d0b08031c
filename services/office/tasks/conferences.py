"""Planning a conference: the list and a new one's plan; each conference's page — its date
(the earliest lawful one shown before it is chosen), the chair's briefing, its notice, its end,
its results, or its cancellation — and the notice and the results to download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.actions import CONFERENCE_ACTIONS, CREATE, Action, plan_extras
from services.office.forms import Form
from services.office.reads import ReadError
from services.office.records import Records
from services.office.web import Office, Who
from shared.clock import local_date

# reporting's documents of a conference: (its path, the file's name here)
DOCUMENTS = {
    "thong-bao-to-chuc.docx": "thong-bao-to-chuc.docx",
    "thong-bao-to-chuc.pdf": "thong-bao-to-chuc.pdf",
    "thong-bao-ket-qua.docx": "thong-bao.docx",
    "thong-bao-ket-qua.pdf": "thong-bao.pdf",
}


def sees(account: Account, _conference: dict[str, Any]) -> bool:
    return account.may("read")


async def own_points(action: Action, conference: dict[str, Any], who: Who) -> dict[str, str]:
    """An agency officer's form of their agency's points: what it sent before, to change."""
    if not action.own_agency or who.account.agency is None:
        return {}
    kept = (conference.get("agency_points") or {}).get(who.account.agency, {})
    return {"agency_code": who.account.agency} | {
        k: kept[k] for k in ("points", "presented_by") if kept.get(k)
    }


@dataclass
class Conferences:
    office: Office

    def defaults(self, form: Form) -> None:
        """A new conference's plan as the commune's reference data suggests it."""
        today, commune = local_date(self.office.clock.now()), self.office.ref.commune
        form.values.setdefault("kind", "periodic")
        form.values.setdefault("year", str(today.year))
        form.values.setdefault("period", f"{today.year}-Q{(today.month - 1) // 3 + 1}")
        form.values.setdefault("venue", commune.venue)
        form.values.setdefault("capacity_min", str(commune.delegates_min))
        form.values.setdefault("capacity_max", str(commune.delegates_max))
        form.values.setdefault(
            "representatives_per_village", str(commune.representatives_per_village)
        )

    async def draw(self, who: Who, form: Form) -> Response:
        self.defaults(form)
        try:
            found = await self.office.reads.conferences(who.account.commune)
        except ReadError as exc:
            return self.office.page(
                "conferences.html", who, 503, rows=[], failed=str(exc), form=form
            )
        status = 422 if form.errors or form.general else 200
        rows = found["sessions"]
        return self.office.page(
            "conferences.html", who, status, rows=rows, failed=None, form=form, create=CREATE
        )

    async def create(self, who: Who, form: Form) -> Response:
        if not who.account.may("plan"):
            return self.office.refused(who)
        data = CREATE.data(form, "", who.account, self.office.clock.now())
        if problems := plan_extras(data, self.office.ref):
            for problem in problems:
                form.error("sittings", problem)
            return await self.draw(who, form)
        shown = {"subject": "", "action": CREATE.title}
        outcome = await self.office.command(who, form, CREATE.key, data, shown)
        if outcome is not None and form.took(outcome, CREATE.shown()):
            session_id = (outcome.result or {}).get("session_id", "")
            return RedirectResponse(f"/hoi-nghi/{session_id}?xong={outcome.command_id}", 303)
        return await self.draw(who, form)

    async def listing(self, request: Request) -> Response:
        return await self.office.guarded(request, lambda a: a.may("read"), self.draw, self.create)

    async def document(self, request: Request) -> Response:
        """The conference notice or the results announcement, from reporting, as a download."""
        session_id, name = request.path_params["code"], request.path_params["name"]

        async def draw(who: Who, _form: Form) -> Response:
            path = DOCUMENTS.get(name)
            found = None
            if path:
                found = await self.office.reads.document(
                    f"/phien/{session_id}/{path}", who.account.name
                )
            if found is None:
                return self.office.page("refused.html", who, 404, why=msg.NO_DOCUMENT)
            body, media = found
            disposition = f'attachment; filename="{session_id}-{name}"'
            return Response(body, media_type=media, headers={"content-disposition": disposition})

        return await self.office.guarded(request, lambda a: a.may("read"), draw, draw)

    async def shown(self, c: dict[str, Any], who: Who) -> dict[str, Any]:
        """A conference's counts, and once concluded who its results were sent to."""
        sent: list[dict[str, Any]] = []
        if c["status"] == "concluded":
            try:
                sent = await self.office.reads.messages(f"results:{c['id']}:", who.account.commune)
            except ReadError:
                sent = []
        return {
            "confirmed": sum(d["status"] == "confirmed" for d in c["delegates"]),
            "waiting": sum(d["status"] == "waiting" for d in c["delegates"]),
            "present": sum(bool(d.get("checked_in_at")) for d in c["delegates"]),
            "sent": sent,
        }


def routes(office: Office) -> list[Route]:
    pages = Conferences(office)
    conferences = Records(
        office,
        base="/hoi-nghi",
        template="conference.html",
        actions=CONFERENCE_ACTIONS,
        load=office.reads.conference,
        sees=sees,
        may_open=lambda a: a.may("read"),
        shown=pages.shown,
        prefill=own_points,
    )
    return [
        Route("/hoi-nghi", pages.listing, methods=["GET", "POST"]),
        Route("/hoi-nghi/{code}/tai/{name}", pages.document),
        *conferences.routes(),
    ]
