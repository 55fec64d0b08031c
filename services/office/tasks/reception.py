"""Reception (Bộ phận một cửa): a paper, phone or in-person submission of any of the four kinds,
entered with the fields the law asks of that kind, and its receipt with the tracking code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office.forms import Form
from services.office.web import Office, Who
from shared.clock import LOCAL_TZ

KEY = "intake.submit-issue.v1"
PERSON = ("full_name", "citizen_id", "phone", "email", "address")
SHOWN = {
    "kind",
    "channel",
    "content",
    "village_code",
    "topic_hint",
    "received_on",
    "received_time",
    "received_at",
    "external_reference",
    "submitter",
    *(f"submitter.{p}" for p in PERSON),
}
CHANNELS = ("letter", "hotline", "in_person", "village_head", "conference")
BAD_MOMENT = "Ngày giờ tiếp nhận không đúng (cần ngày và giờ, ví dụ 02/12/2026 lúc 09:30)."


def _received_at(form: Form) -> str | None:
    """The date and time typed (Vietnam time), as the command says it; None when unreadable."""
    try:
        moment = datetime.fromisoformat(
            f"{form.value('received_on')}T{form.value('received_time')}"
        )
    except ValueError:
        return None
    return moment.replace(tzinfo=LOCAL_TZ).isoformat()


def command_data(form: Form) -> dict[str, Any] | None:
    """The command the form says, or None when the form itself cannot be read (said on it)."""
    received_at = _received_at(form)
    if received_at is None:
        form.error("received_on", BAD_MOMENT)
        return None
    person = {p: form.value(f"submitter.{p}").strip() for p in PERSON}
    submitter = {k: v for k, v in person.items() if v} if any(person.values()) else None
    if submitter is not None:
        submitter.setdefault("full_name", "")  # the service says a name is needed
    data: dict[str, Any] = {
        "kind": form.value("kind"),
        "channel": form.value("channel"),
        "content": form.value("content"),
        "village_code": form.value("village_code"),
        "received_at": received_at,
        "submitter": submitter,
    }
    for optional in ("topic_hint", "external_reference"):
        if form.value(optional).strip():
            data[optional] = form.value(optional).strip()
    return data


def routes(office: Office) -> list[Route]:
    async def draw(who: Who, form: Form) -> Response:
        now = office.clock.now().astimezone(LOCAL_TZ)
        form.values.setdefault("received_on", now.date().isoformat())
        form.values.setdefault("received_time", f"{now.hour:02d}:{now.minute:02d}")
        form.values.setdefault("channel", "letter")
        return office.page("reception.html", who, form=form, channels=CHANNELS)

    async def send(who: Who, form: Form) -> Response:
        data = command_data(form)
        outcome = None
        if data is not None:
            shown = {
                "kind": data["kind"],
                "channel": data["channel"],
                "village_code": data["village_code"],
                "received_at": data["received_at"],
                "received_by": who.account.full_name,
            }
            outcome = await office.command(who, form, KEY, data, shown)
        if outcome is not None and form.took(outcome, SHOWN):
            return RedirectResponse(f"/ket-qua/{outcome.command_id}", 303)
        status = 422 if form.errors or form.general else 200
        page = office.page("reception.html", who, status, form=form, channels=CHANNELS)
        return page

    async def reception(request: Request) -> Response:
        return await office.guarded(request, "reception", draw, send)

    return [Route("/tiep-nhan", reception, methods=["GET", "POST"])]
