"""A conference's delegates: each village's with its quota, its gaps and its waiting list; a
village head's list uploaded (a progress bar, then the report row by row); a registration
cancelled, and who was promoted from the waiting list in its place. And the conference day on a
phone: find a delegate by name or village, or type (or scan) the code on their invitation, and
mark them present; a wait-listed or unknown person is refused with the service's reason."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.actions import REGISTER
from services.office.forms import Form
from services.office.imports import Imports
from services.office.scan import MAX_PHOTO_BYTES, read_code
from services.office.web import Office, Who
from shared import qr
from shared.text import fold

MAX_LIST_BYTES = 2 * 1024 * 1024  # a village's list is a few kilobytes; a mistaken file is refused
Thing = dict[str, Any]
PHOTO, SCANNED = "anh_qr", "quet"  # the check-in's photo field, and the flag its form sends


def villages_of(conference: Thing, names: dict[str, str], account: Account) -> list[Thing]:
    """Each village's delegates, counts and gaps, as far as the account may see them."""
    by_village: dict[str, list[Thing]] = {}
    for delegate in conference["delegates"]:
        by_village.setdefault(delegate["village_code"], []).append(delegate)
    shown = []
    for code, name in names.items():
        if account.role == "village_head" and code != account.village:
            continue
        people = by_village.get(code, [])
        shown.append(
            {
                "code": code,
                "name": name,
                "confirmed": sum(p["status"] == "confirmed" for p in people),
                "waiting": sum(p["status"] == "waiting" for p in people),
                "gaps": conference["gaps"].get(code, []),
                "people": people,
            }
        )
    return shown


def found_by(conference: Thing, q: str, village: str) -> list[Thing]:
    """Delegates whose name holds `q` (diacritics and case aside), of `village` when given."""
    wanted = fold(q)
    return [
        d
        for d in conference["delegates"]
        if d["status"] != "cancelled"
        and (not village or d["village_code"] == village)
        and wanted in fold(d.get("full_name") or "")
    ][:40]


async def file_sent(
    request: Request, form: Form, field: str, limit: int, missing: str, too_big: str
) -> tuple[str, bytes] | None:
    """The file a form sent in `field` (its name, its bytes), read up to `limit` bytes; None, with
    the reason beside the field, when none was chosen or it is larger."""
    sent = (await request.form()).get(field)
    if not isinstance(sent, UploadFile) or not sent.filename:
        form.error(field, missing)
        return None
    if len(content := await sent.read(limit + 1)) > limit:
        form.error(field, too_big)
        return None
    return sent.filename, content


@dataclass
class Delegates:
    office: Office
    imports: Imports

    async def load(self, who: Who, session_id: str) -> Thing | None:
        return await self.office.reads.conference(session_id, who.account.commune)

    def missing(self, who: Who, code: str) -> Response:
        return self.office.page("refused.html", who, 404, why=msg.NOT_FOUND.format(code=code))

    async def said(self, request: Request, who: Who) -> str | None:
        """What the step just taken came to (its outcome kept under ?xong=), in words."""
        done = request.query_params.get("xong")
        kept = await self.office.store.outcome(done) if done else None
        if not kept or kept["account"] != who.account.name:
            return None
        result = kept["outcome"].get("result") or {}
        if kept["key"] == "registration.cancel-registration.v1":
            said = msg.CANCELLED.format(code=kept["shown"].get("subject", ""))
            if result.get("promoted"):
                said += " " + msg.PROMOTED.format(code=", ".join(result["promoted"]))
            return said
        if kept["key"] == REGISTER.key:
            place = msg.PLACES.get(result.get("status", ""), "")
            return msg.REGISTERED.format(code=result.get("registration_code", ""), place=place)
        if kept["key"] == "registration.check-in.v1":
            return msg.CHECKED_IN.format(name=kept["shown"].get("name") or kept["shown"]["subject"])
        return None

    async def draw(
        self,
        request: Request,
        who: Who,
        form: Form,
        status: int = 200,
        one: Form | None = None,
    ) -> Response:
        session_id = request.path_params["code"]
        conference = await self.load(who, session_id)
        if conference is None:
            return self.missing(who, session_id)
        return self.office.page(
            "delegates.html",
            who,
            status,
            c=conference,
            villages_shown=villages_of(conference, self.office.villages, who.account),
            form=form,
            forms={d["code"]: Form() for d in conference["delegates"]},
            said=await self.said(request, who),
            register=REGISTER if REGISTER.applies(conference) else None,
            one=one or Form(),
            opened=one is not None,
        )

    def out_of_scope(self, account: Account, form: Form) -> str | None:
        """A village head registers their village's people; an agency officer their staff, as
        officials; the office anyone."""
        if account.role == "village_head" and form.value("village_code") != account.village:
            return msg.NOT_YOUR_VILLAGE_ROW.format(village=account.village)
        if account.role == "agency" and form.value("category") != "official":
            return msg.AGENCY_OFFICIALS_ONLY
        return None

    async def register(self, request: Request) -> Response:
        """One person registered from the page (the office, a village head, an agency's staff)."""
        session_id = request.path_params["code"]

        async def send(who: Who, form: Form) -> Response:
            if (why := self.out_of_scope(who.account, form)) is not None:
                form.general.append(why)
                return await self.draw(request, who, Form(), 422, one=form)
            data = REGISTER.data(form, session_id, who.account, self.office.clock.now())
            shown = {"subject": session_id, "action": REGISTER.title}
            outcome = await self.office.command(who, form, REGISTER.key, data, shown)
            if outcome is not None and form.took(outcome, REGISTER.shown()):
                target = f"/hoi-nghi/{session_id}/dai-bieu?xong={outcome.command_id}"
                return RedirectResponse(target, 303)
            return await self.draw(request, who, Form(), 200 if form.said else 422, one=form)

        return await self.office.guarded(
            request,
            lambda a: a.may("delegates") or a.may("agency"),
            lambda who, form: self.draw(request, who, Form(), one=form),
            send,
        )

    async def upload(self, request: Request, who: Who, form: Form) -> Response:
        """A list sent: read at once, then sent in the background; its progress page next."""
        if not who.account.may("delegates"):
            return self.office.refused(who)
        session_id = request.path_params["code"]
        sent = await file_sent(
            request, form, "danh_sach", MAX_LIST_BYTES, msg.NO_FILE, msg.FILE_TOO_BIG
        )
        if sent is None:
            return await self.draw(request, who, form, 422)
        filename, content = sent
        try:
            job = await self.imports.start(
                who.account, session_id, filename, content, self.office.clock.now()
            )
        except ValueError as exc:
            form.error("danh_sach", str(exc))
            return await self.draw(request, who, form, 422)
        return RedirectResponse(f"/hoi-nghi/{session_id}/dai-bieu/nhap/{job}", 303)

    async def page(self, request: Request) -> Response:
        return await self.office.guarded(
            request,
            lambda a: a.may("read"),
            lambda who, form: self.draw(request, who, form),
            lambda who, form: self.upload(request, who, form),
        )

    async def progress(self, request: Request) -> Response:
        session_id, job_id = request.path_params["code"], request.path_params["job"]

        async def draw(who: Who, _form: Form) -> Response:
            job = await self.imports.job(job_id)
            if job is None or job["account"] != who.account.name or job["session_id"] != session_id:
                return self.missing(who, job_id)
            report = sorted(job["report"], key=lambda line: int(line["dòng"]))
            counts = {s: sum(line["kết quả"] == s for line in report) for s in msg.ROW_RESULTS}
            return self.office.page("import.html", who, job=job, report=report, counts=counts)

        return await self.office.guarded(request, lambda a: a.may("delegates"), draw, draw)

    async def cancel(self, request: Request) -> Response:
        session_id = request.path_params["code"]

        async def send(who: Who, form: Form) -> Response:
            code = form.value("registration_code")
            conference = await self.load(who, session_id) or {"delegates": []}
            delegate = next((d for d in conference["delegates"] if d["code"] == code), None)
            if delegate is None or not who.account.may(
                "delegates", village=delegate["village_code"]
            ):
                return self.office.refused(who)
            data = {"registration_code": code} | (
                {"reason": r} if (r := form.value("reason")) else {}
            )
            key, shown = (
                "registration.cancel-registration.v1",
                {"subject": code, "action": "cancel"},
            )
            outcome = await self.office.command(who, form, key, data, shown)
            if outcome is not None and form.took(outcome, set()):
                return RedirectResponse(
                    f"/hoi-nghi/{session_id}/dai-bieu?xong={outcome.command_id}", 303
                )
            why = " ".join(form.general) or form.said or msg.DUPLICATE_REJECTED
            return self.office.page("refused.html", who, 422, why=why)

        return await self.office.guarded(request, lambda a: a.may("delegates"), send, send)


@dataclass
class CheckIn:
    delegates: Delegates

    @property
    def office(self) -> Office:
        return self.delegates.office

    async def draw(self, request: Request, who: Who, form: Form, status: int = 200) -> Response:
        session_id = request.path_params["code"]
        conference = await self.delegates.load(who, session_id)
        if conference is None:
            return self.delegates.missing(who, session_id)
        q, village = request.query_params.get("q", ""), request.query_params.get("thon", "")
        found = found_by(conference, q, village) if q or village else []
        confirmed = [d for d in conference["delegates"] if d["status"] == "confirmed"]
        return self.office.page(
            "check_in.html",
            who,
            status,
            c=conference,
            q=q,
            village=village,
            found=found,
            forms={d["code"]: Form() for d in found},
            form=form,
            present=sum(bool(d.get("checked_in_at")) for d in confirmed),
            expected=len(confirmed),
            said=await self.delegates.said(request, who),
        )

    async def send(self, request: Request, who: Who, form: Form) -> Response:
        session_id = request.path_params["code"]
        field = "registration_code"
        if form.value(SCANNED) == "1":  # the photo of an invitation's QR code
            field, code = PHOTO, await self.scanned(request, form)
            if code is None:
                return await self.draw(request, who, form, 422)
        else:
            code = form.value(field).strip().upper()
        conference = await self.delegates.load(who, session_id) or {"delegates": []}
        delegate = next((d for d in conference["delegates"] if d["code"] == code), None)
        data = {"registration_code": code, "checked_in_at": self.office.clock.now().isoformat()}
        shown = {"subject": code, "name": (delegate or {}).get("full_name") or ""}
        outcome = await self.office.command(who, form, "registration.check-in.v1", data, shown)
        if outcome is not None and form.took(outcome, {"registration_code": field}):
            back = request.query_params.get("q", "")
            target = f"/hoi-nghi/{session_id}/diem-danh?xong={outcome.command_id}&q={back}"
            return RedirectResponse(target, 303)
        return await self.draw(request, who, form, 200 if form.said else 422)

    async def scanned(self, request: Request, form: Form) -> str | None:
        """The code read from the photo sent; None with the reason beside the photo's field."""
        photo = await file_sent(
            request, form, PHOTO, MAX_PHOTO_BYTES, msg.NO_PHOTO, msg.PHOTO_TOO_BIG
        )
        if photo is None:
            return None
        scan = await asyncio.to_thread(
            read_code,
            photo[1],
            unreadable=msg.QR_UNREADABLE,
            several=msg.QR_SEVERAL,
            not_image=msg.PHOTO_NOT_IMAGE,
        )
        if scan.code is None:
            form.error(PHOTO, scan.problem or msg.QR_UNREADABLE)
            return None
        form.values["registration_code"] = scan.code  # shown in the typed field if refused
        return scan.code

    async def page(self, request: Request) -> Response:
        return await self.office.guarded(
            request,
            lambda a: a.may("check_in"),
            lambda who, form: self.draw(request, who, form),
            lambda who, form: self.send(request, who, form),
        )

    async def count(self, request: Request) -> Response:
        """The live count the check-in page asks for every few seconds (its script)."""
        who = await self.office.who(request)
        if who is None or not who.account.may("check_in"):
            return JSONResponse({"error": "login"}, status_code=401)
        conference = await self.delegates.load(who, request.path_params["code"])
        if conference is None:
            return JSONResponse({"error": "không có"}, status_code=404)
        confirmed = [d for d in conference["delegates"] if d["status"] == "confirmed"]
        present = sum(bool(d.get("checked_in_at")) for d in confirmed)
        return JSONResponse({"present": present, "expected": len(confirmed)})


def invitations_of(conference: Thing, village: str) -> list[Thing]:
    """Each confirmed delegate of `village` (every village when empty) with the time and place of
    their sitting (the conference's when it has none) and their code as a QR code to print."""
    sittings = {s["code"]: s for s in conference.get("sittings") or []}
    shown = []
    for d in conference["delegates"]:
        if d["status"] != "confirmed" or (village and d["village_code"] != village):
            continue
        sitting = sittings.get(d.get("sitting_code") or "", {})
        shown.append(
            d
            | {
                "starts_at": sitting.get("starts_at") or conference.get("starts_at"),
                "venue": sitting.get("venue") or conference["venue"],
                "qr": Markup(qr.svg(d["code"], msg.QR_TITLE.format(code=d["code"]))),
            }
        )
    return shown


@dataclass
class Invitations:
    """The paper invitations a village head hands out, one a page, each with its QR code: most
    delegates have no email, and the desk reads the code from the paper."""

    delegates: Delegates

    async def page(self, request: Request) -> Response:
        office, session_id = self.delegates.office, request.path_params["code"]

        async def draw(who: Who, _form: Form) -> Response:
            conference = await self.delegates.load(who, session_id)
            if conference is None:
                return self.delegates.missing(who, session_id)
            village = request.query_params.get("thon", "")
            if who.account.role == "village_head":
                village = who.account.village or ""
            return office.page(
                "invitations.html",
                who,
                c=conference,
                village=village,
                invitations=invitations_of(conference, village),
            )

        return await office.guarded(request, lambda a: a.may("delegates"), draw, draw)


def routes(office: Office, imports: Imports) -> list[Route]:
    delegates = Delegates(office, imports)
    check_in = CheckIn(delegates)
    return [
        Route("/hoi-nghi/{code}/dai-bieu", delegates.page, methods=["GET", "POST"]),
        Route("/hoi-nghi/{code}/dai-bieu/nhap/{job}", delegates.progress),
        Route("/hoi-nghi/{code}/dai-bieu/huy", delegates.cancel, methods=["POST"]),
        Route("/hoi-nghi/{code}/dai-bieu/dang-ky", delegates.register, methods=["GET", "POST"]),
        Route("/hoi-nghi/{code}/giay-moi", Invitations(delegates).page),
        Route("/hoi-nghi/{code}/diem-danh.json", check_in.count),
        Route("/hoi-nghi/{code}/diem-danh", check_in.page, methods=["GET", "POST"]),
    ]
