"""The reference data the office keeps, changed in the browser and in force for the next message
without a restart, every version kept with who set it: each village head's name and contact,
and each agency's office contact.

Each goes through the service that writes to them, by its command:
- a village head's, through registration (`registration.set-village-head.v1`): it writes to the
  village heads (the schedule, the results, a cancellation), and a head's phone and email are
  personal data, which never travel on the bus as an event;
- an agency's, through intake (`intake.set-agency-contact.v1`): it writes to the agencies
  (follow-up reminders, legal alarms, the letters the office is asked to send); an institution's
  address is not personal, so intake announces the change and registration keeps it for its own
  alarms to the commune office.
The office reads the versions back from each service's /office/ door."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.actions import Input
from services.office.forms import Form
from services.office.reads import ReadError
from services.office.web import Office, Who

Entries = Callable[[str], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class Book:
    segment: str  # the page's path: /danh-ba/<segment>/<code>, and the list's anchor
    heading: str
    key: str  # the owning service's command
    subject: str  # the command's field naming the village or agency
    inputs: tuple[Input, ...]  # as the command names its fields; "note" last, never prefilled

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)


NOTE = Input("note", "Lý do thay đổi", hint="Ví dụ: bầu Trưởng thôn mới; đổi số điện thoại.")
HEADS = Book(
    "thon",
    "Trưởng thôn",
    "registration.set-village-head.v1",
    "village_code",
    (
        Input("head_name", "Họ và tên Trưởng thôn", required=True),
        Input("head_phone", "Số điện thoại", "tel", hint=msg.CONTACT_NEEDED),
        Input("head_email", "Thư điện tử", "email"),
        NOTE,
    ),
)
AGENCIES = Book(
    "co-quan",
    "",
    "intake.set-agency-contact.v1",
    "agency_code",
    (
        Input("email", "Thư điện tử công vụ", "email", hint=msg.CONTACT_NEEDED),
        Input("phone", "Số điện thoại", "tel"),
        NOTE,
    ),
)


@dataclass
class Contacts:
    office: Office

    def entries(self, book: Book) -> Entries:
        reads = self.office.reads
        return reads.village_heads if book is HEADS else reads.agencies

    async def listing(self, request: Request) -> Response:
        async def draw(who: Who, _form: Form) -> Response:
            commune = who.account.commune
            try:
                villages, agencies = (
                    await self.entries(HEADS)(commune),
                    await self.entries(AGENCIES)(commune),
                )
            except ReadError as exc:
                return self.office.page("refused.html", who, 503, why=str(exc))
            return self.office.page("contacts.html", who, villages=villages, agencies=agencies)

        return await self.office.guarded(request, lambda a: a.may("reference"), draw, draw)

    async def draw(
        self, book: Book, request: Request, who: Who, form: Form, status: int = 200
    ) -> Response:
        code = request.path_params["code"]
        try:
            found = await self.entries(book)(who.account.commune)
        except ReadError as exc:
            return self.office.page("refused.html", who, 503, why=str(exc))
        entry = next((e for e in found if e["code"] == code), None)
        if entry is None:
            return self.office.page("refused.html", who, 404, why=msg.UNKNOWN_ENTRY)
        if not form.values:  # drawn afresh: the contact as it stands
            form.values = {f: entry["current"].get(f) or "" for f in book.fields[:-1]}
        said = None
        if (done := request.query_params.get("xong")) and (
            kept := await self.office.store.outcome(done)
        ):
            version = (kept["outcome"].get("result") or {}).get("version")
            said = msg.CONTACT_SAVED.format(version=version)
        return self.office.page(
            "contact.html", who, status, book=book, v=entry, form=form, said=said
        )

    async def send(self, book: Book, request: Request, who: Who, form: Form) -> Response:
        code = request.path_params["code"]
        data = {book.subject: code} | {f: v for f in book.fields if (v := form.value(f).strip())}
        shown = {"subject": code, "action": msg.CONTACT_ACTION}
        outcome = await self.office.command(who, form, book.key, data, shown)
        if outcome is not None and form.took(outcome, set(book.fields)):
            target = f"/danh-ba/{book.segment}/{code}?xong={outcome.command_id}"
            return RedirectResponse(target, 303)
        return await self.draw(book, request, who, form, 200 if form.said else 422)

    def page(self, book: Book) -> Callable[[Request], Awaitable[Response]]:
        async def page(request: Request) -> Response:
            return await self.office.guarded(
                request,
                lambda a: a.may("reference"),
                lambda who, form: self.draw(book, request, who, form),
                lambda who, form: self.send(book, request, who, form),
            )

        return page


def routes(office: Office) -> list[Route]:
    contacts = Contacts(office)
    return [
        Route("/danh-ba", contacts.listing),
        *(
            Route(f"/danh-ba/{book.segment}/{{code}}", contacts.page(book), methods=["GET", "POST"])
            for book in (HEADS, AGENCIES)
        ),
    ]
