"""The reference data the office keeps: each village head's name and contact, changed in the
browser and in force for the next notice without a restart, every version kept with who set it.

Registration owns it (`registration.set-village-head.v1`): it is the service that writes to the
village heads (the schedule, the results, a cancellation), and a head's phone and email are
personal data, which never travel on the bus as an event; the office reads the versions back
from registration's /office/ door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.forms import Form
from services.office.reads import ReadError
from services.office.web import Office, Who

KEY = "registration.set-village-head.v1"
FIELDS = ("head_name", "head_phone", "head_email", "note")


@dataclass
class Contacts:
    office: Office

    async def villages(self, who: Who) -> list[dict[str, Any]]:
        return await self.office.reads.village_heads(who.account.commune)

    async def listing(self, request: Request) -> Response:
        async def draw(who: Who, _form: Form) -> Response:
            try:
                villages = await self.villages(who)
            except ReadError as exc:
                return self.office.page("refused.html", who, 503, why=str(exc))
            return self.office.page("contacts.html", who, villages=villages)

        return await self.office.guarded(request, lambda a: a.may("reference"), draw, draw)

    async def draw(self, request: Request, who: Who, form: Form, status: int = 200) -> Response:
        code = request.path_params["village"]
        try:
            village = next((v for v in await self.villages(who) if v["code"] == code), None)
        except ReadError as exc:
            return self.office.page("refused.html", who, 503, why=str(exc))
        if village is None:
            return self.office.page("refused.html", who, 404, why=msg.UNKNOWN_VILLAGE)
        if not form.values:  # drawn afresh: the contact as it stands
            current = village["current"]
            form.values = {f: current.get(f) or "" for f in FIELDS if f != "note"}
        said = None
        if (done := request.query_params.get("xong")) and (
            kept := await self.office.store.outcome(done)
        ):
            said = msg.HEAD_SAVED.format(
                version=(kept["outcome"].get("result") or {}).get("version")
            )
        return self.office.page("contact.html", who, status, v=village, form=form, said=said)

    async def send(self, request: Request, who: Who, form: Form) -> Response:
        code = request.path_params["village"]
        data = {"village_code": code} | {f: v for f in FIELDS if (v := form.value(f).strip())}
        shown = {"subject": code, "action": msg.HEAD_ACTION}
        outcome = await self.office.command(who, form, KEY, data, shown)
        if outcome is not None and form.took(outcome, set(FIELDS)):
            return RedirectResponse(f"/danh-ba/thon/{code}?xong={outcome.command_id}", 303)
        return await self.draw(request, who, form, 200 if form.said else 422)

    async def village(self, request: Request) -> Response:
        return await self.office.guarded(
            request,
            lambda a: a.may("reference"),
            lambda who, form: self.draw(request, who, form),
            lambda who, form: self.send(request, who, form),
        )


def routes(office: Office) -> list[Route]:
    contacts = Contacts(office)
    return [
        Route("/danh-ba", contacts.listing),
        Route("/danh-ba/thon/{village}", contacts.village, methods=["GET", "POST"]),
    ]
