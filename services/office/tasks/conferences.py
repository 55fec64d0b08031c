"""Planning a conference: the list and a new one's plan; each conference's page — its date
(the earliest lawful one shown before it is chosen), the chair's briefing, its notice, its end,
its results, or its cancellation — and the notice and the results to download."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.actions import CONFERENCE_ACTIONS, CREATE
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


def routes(office: Office) -> list[Route]:
    async def listing(request: Request) -> Response:
        async def draw(who: Who, form: Form) -> Response:
            today = local_date(office.clock.now())
            form.values.setdefault("kind", "periodic")
            form.values.setdefault("year", str(today.year))
            form.values.setdefault("period", f"{today.year}-Q{(today.month - 1) // 3 + 1}")
            form.values.setdefault("venue", office.ref.commune.venue)
            form.values.setdefault("capacity_min", str(office.ref.commune.delegates_min))
            form.values.setdefault("capacity_max", str(office.ref.commune.delegates_max))
            per_village = office.ref.commune.representatives_per_village
            form.values.setdefault("representatives_per_village", str(per_village))
            try:
                found = await office.reads.conferences()
            except ReadError as exc:
                return office.page(
                    "conferences.html", who, 503, rows=[], failed=str(exc), form=form
                )
            status = 422 if form.errors or form.general else 200
            return office.page(
                "conferences.html",
                who,
                status,
                rows=found["sessions"],
                failed=None,
                form=form,
                create=CREATE,
            )

        async def send(who: Who, form: Form) -> Response:
            if not who.account.may("plan"):
                return office.refused(who)
            data = CREATE.data(form, "", who.account, office.clock.now())
            shown = {"subject": "", "action": CREATE.title}
            outcome = await office.command(who, form, CREATE.key, data, shown)
            if outcome is not None:
                if outcome.status == "accepted" or outcome.first_status == "accepted":
                    session_id = (outcome.result or {}).get("session_id", "")
                    return RedirectResponse(
                        f"/hoi-nghi/{session_id}?xong={outcome.command_id}", 303
                    )
                if outcome.status == "duplicate":
                    form.general.append(msg.DUPLICATE_REJECTED)
                form.refused(outcome, CREATE.shown())
            return await draw(who, form)

        return await office.guarded(request, lambda a: a.may("read"), draw, send)

    async def document(request: Request) -> Response:
        session_id, name = request.path_params["code"], request.path_params["name"]

        async def draw(who: Who, _form: Form) -> Response:
            path = DOCUMENTS.get(name)
            found = (
                await office.reads.document(f"/phien/{session_id}/{path}", who.account.name)
                if path
                else None
            )
            if found is None:
                return office.page("refused.html", who, 404, why=msg.NO_DOCUMENT)
            body, media = found
            disposition = f'attachment; filename="{session_id}-{name}"'
            return Response(body, media_type=media, headers={"content-disposition": disposition})

        return await office.guarded(request, lambda a: a.may("read"), draw, draw)

    async def shown(c: dict[str, Any]) -> dict[str, Any]:
        sent: list[dict[str, Any]] = []
        if c["status"] == "concluded":
            try:
                sent = await office.reads.messages(f"results:{c['id']}:")
            except ReadError:
                sent = []
        return {
            "confirmed": sum(d["status"] == "confirmed" for d in c["delegates"]),
            "waiting": sum(d["status"] == "waiting" for d in c["delegates"]),
            "present": sum(bool(d.get("checked_in_at")) for d in c["delegates"]),
            "sent": sent,
        }

    conferences = Records(
        office,
        base="/hoi-nghi",
        template="conference.html",
        actions=CONFERENCE_ACTIONS,
        load=office.reads.conference,
        sees=sees,
        may_open=lambda a: a.may("read"),
        shown=shown,
    )
    return [
        Route("/hoi-nghi", listing, methods=["GET", "POST"]),
        Route("/hoi-nghi/{code}/tai/{name}", document),
        *conferences.routes(),
    ]
