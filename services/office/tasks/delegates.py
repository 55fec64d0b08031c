"""A conference's delegates: each village's with its quota, its gaps and its waiting list; a
village head's list uploaded (a progress bar, then the report row by row); a registration
cancelled, and who was promoted from the waiting list in its place. And the conference day on a
phone: find a delegate by name or village, or type (or scan) the code on their invitation, and
mark them present; a wait-listed or unknown person is refused with the service's reason."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.forms import Form
from services.office.imports import Imports
from services.office.web import Office, Who
from shared.text import fold

MAX_LIST_BYTES = 2 * 1024 * 1024  # a village's list is a few kilobytes; a mistaken file is refused


def villages_of(conference: dict[str, Any], account: Account) -> list[dict[str, Any]]:
    """Each village's delegates, counts and gaps, as far as the account may see them."""
    by_village: dict[str, list[dict[str, Any]]] = {}
    for delegate in conference["delegates"]:
        by_village.setdefault(delegate["village_code"], []).append(delegate)
    shown = []
    for code, name in conference["village_names"].items():
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


def routes(office: Office, imports: Imports) -> list[Route]:
    async def load(who: Who, session_id: str) -> dict[str, Any] | None:
        conference = await office.reads.conference(session_id)
        if conference is not None:
            conference["village_names"] = office.villages
        return conference

    async def delegates(request: Request) -> Response:
        session_id = request.path_params["code"]

        async def draw(
            who: Who, form: Form, status: int = 200, cancelled: str | None = None
        ) -> Response:
            conference = await load(who, session_id)
            if conference is None:
                return office.page(
                    "refused.html", who, 404, why=msg.NOT_FOUND.format(code=session_id)
                )
            return office.page(
                "delegates.html",
                who,
                status,
                c=conference,
                villages_shown=villages_of(conference, who.account),
                form=form,
                forms={d["code"]: Form() for d in conference["delegates"]},
                said=await _said(request, who),
            )

        async def send(who: Who, form: Form) -> Response:
            upload = (await request.form()).get("danh_sach")
            if not isinstance(upload, UploadFile) or not upload.filename:
                form.error("danh_sach", msg.NO_FILE)
                return await draw(who, form, 422)
            content = await upload.read(MAX_LIST_BYTES + 1)
            if len(content) > MAX_LIST_BYTES:
                form.error("danh_sach", msg.FILE_TOO_BIG)
                return await draw(who, form, 422)
            try:
                job = await imports.start(
                    who.account, session_id, upload.filename, content, office.clock.now()
                )
            except ValueError as exc:
                form.error("danh_sach", str(exc))
                return await draw(who, form, 422)
            return RedirectResponse(f"/hoi-nghi/{session_id}/dai-bieu/nhap/{job}", 303)

        async def upload(who: Who, form: Form) -> Response:
            return await send(who, form) if who.account.may("delegates") else office.refused(who)

        return await office.guarded(request, lambda a: a.may("read"), draw, upload)

    async def _said(request: Request, who: Who) -> str | None:
        done = request.query_params.get("xong")
        kept = await office.store.outcome(done) if done else None
        if not kept or kept["account"] != who.account.name:
            return None
        result = kept["outcome"].get("result") or {}
        if kept["key"] == "registration.cancel-registration.v1":
            promoted = result.get("promoted")
            said = msg.CANCELLED.format(code=kept["shown"].get("subject", ""))
            if promoted:
                said += " " + msg.PROMOTED.format(code=", ".join(promoted))
            return said
        if kept["key"] == "registration.check-in.v1":
            return msg.CHECKED_IN.format(name=kept["shown"].get("name") or kept["shown"]["subject"])
        return None

    async def progress(request: Request) -> Response:
        session_id, job_id = request.path_params["code"], request.path_params["job"]

        async def draw(who: Who, _form: Form) -> Response:
            job = await imports.job(job_id)
            if job is None or job["account"] != who.account.name or job["session_id"] != session_id:
                return office.page("refused.html", who, 404, why=msg.NOT_FOUND.format(code=job_id))
            report = sorted(job["report"], key=lambda line: int(line["dòng"]))
            counts = {s: sum(line["kết quả"] == s for line in report) for s in msg.ROW_RESULTS}
            return office.page("import.html", who, job=job, report=report, counts=counts)

        return await office.guarded(request, lambda a: a.may("delegates"), draw, draw)

    async def cancel(request: Request) -> Response:
        session_id = request.path_params["code"]

        async def send(who: Who, form: Form) -> Response:
            code = form.value("registration_code")
            conference = await load(who, session_id)
            delegate = next(
                (d for d in (conference or {}).get("delegates", []) if d["code"] == code), None
            )
            if delegate is None or not who.account.may(
                "delegates", village=delegate["village_code"]
            ):
                return office.refused(who)
            data = {"registration_code": code, "reason": form.value("reason") or None}
            shown = {"subject": code, "action": "cancel"}
            key = "registration.cancel-registration.v1"
            outcome = await office.command(
                who, form, key, {k: v for k, v in data.items() if v}, shown
            )
            if outcome is not None and (
                outcome.status == "accepted" or outcome.first_status == "accepted"
            ):
                return RedirectResponse(
                    f"/hoi-nghi/{session_id}/dai-bieu?xong={outcome.command_id}", 303
                )
            reasons = [e.message for e in (outcome.errors if outcome else [])] or [
                form.said or msg.DUPLICATE_REJECTED
            ]
            return office.page("refused.html", who, 422, why=" ".join(reasons))

        return await office.guarded(request, lambda a: a.may("delegates"), send, send)

    return [
        Route("/hoi-nghi/{code}/dai-bieu", delegates, methods=["GET", "POST"]),
        Route("/hoi-nghi/{code}/dai-bieu/nhap/{job}", progress),
        Route("/hoi-nghi/{code}/dai-bieu/huy", cancel, methods=["POST"]),
        *check_in_routes(office, load, _said),
    ]


def check_in_routes(office: Office, load: Any, said_of: Any) -> list[Route]:
    async def check_in(request: Request) -> Response:
        session_id = request.path_params["code"]

        async def draw(who: Who, form: Form, status: int = 200) -> Response:
            conference = await load(who, session_id)
            if conference is None:
                return office.page(
                    "refused.html", who, 404, why=msg.NOT_FOUND.format(code=session_id)
                )
            q, village = request.query_params.get("q", ""), request.query_params.get("thon", "")
            found = []
            if q or village:
                wanted = fold(q)
                found = [
                    d
                    for d in conference["delegates"]
                    if d["status"] != "cancelled"
                    and (not village or d["village_code"] == village)
                    and wanted in fold(d.get("full_name") or "")
                ][:40]
            confirmed = [d for d in conference["delegates"] if d["status"] == "confirmed"]
            return office.page(
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
                said=await said_of(request, who),
            )

        async def send(who: Who, form: Form) -> Response:
            code = form.value("registration_code").strip().upper()
            conference = await load(who, session_id)
            delegate = next(
                (d for d in (conference or {}).get("delegates", []) if d["code"] == code), None
            )
            data = {"registration_code": code, "checked_in_at": office.clock.now().isoformat()}
            shown = {"subject": code, "name": (delegate or {}).get("full_name") or ""}
            outcome = await office.command(who, form, "registration.check-in.v1", data, shown)
            if outcome is not None and (
                outcome.status == "accepted" or outcome.first_status == "accepted"
            ):
                back = request.query_params.get("q", "")
                return RedirectResponse(
                    f"/hoi-nghi/{session_id}/diem-danh?xong={outcome.command_id}&q={back}", 303
                )
            if outcome is not None:
                if outcome.status == "duplicate":
                    form.general.append(msg.DUPLICATE_REJECTED)
                form.refused(outcome, {"registration_code": "registration_code"})
            return await draw(who, form, 200 if form.said else 422)

        return await office.guarded(request, lambda a: a.may("check_in"), draw, send)

    async def count(request: Request) -> Response:
        """The live count the check-in page asks for every few seconds (its script)."""
        who = await office.who(request)
        if who is None or not who.account.may("check_in"):
            return JSONResponse({"error": "login"}, status_code=401)
        conference = await load(who, request.path_params["code"])
        if conference is None:
            return JSONResponse({"error": "không có"}, status_code=404)
        confirmed = [d for d in conference["delegates"] if d["status"] == "confirmed"]
        present = sum(bool(d.get("checked_in_at")) for d in confirmed)
        return JSONResponse({"present": present, "expected": len(confirmed)})

    return [
        Route("/hoi-nghi/{code}/diem-danh.json", count),
        Route("/hoi-nghi/{code}/diem-danh", check_in, methods=["GET", "POST"]),
    ]
