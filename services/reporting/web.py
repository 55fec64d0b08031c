"""Reporting's web app beside /health: the dashboard (Vietnamese, phone-sized), its figures as
JSON, and the announcement's files."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from services.reporting import announcement as doc
from services.reporting import messages as msg
from services.reporting.dashboard import Dashboard
from services.reporting.results import Results
from services.reporting.store import ReadModels

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain; charset=utf-8"


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, media_type="application/json; charset=utf-8")


class Pages:
    """The dashboard's pages and JSON, and the documents' files, read from the read models."""

    def __init__(self, models: ReadModels, results: Results, dashboard: Dashboard) -> None:
        self.models, self.results, self.dashboard = models, results, dashboard

    async def index(self, _request: Request) -> HTMLResponse:
        return HTMLResponse(self.dashboard.render("index.html", **await self.dashboard.index()))

    async def index_json(self, _request: Request) -> JSONResponse:
        return _json(await self.dashboard.index())

    async def session_page(self, request: Request) -> Response:
        sid = request.path_params["session_id"]
        page = await self.dashboard.session(sid)
        if page is None:
            text = escape(msg.UNKNOWN_SESSION.format(session=sid))
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{text}</p>", 404)
        brief = await self.dashboard.brief(sid)
        shown = {k: page[k] for k in ("totals", "villages", "conclusions", "announcement")}
        html = self.dashboard.render("session.html", s=page["session"], brief=brief, **shown)
        return HTMLResponse(html)

    async def session_json(self, request: Request) -> JSONResponse:
        sid = request.path_params["session_id"]
        page = await self.dashboard.session(sid)
        if page is None:
            return _json({"error": msg.UNKNOWN_SESSION.format(session=sid)}, 404)
        return _json({**page, "delegates": await self.models.figures_of(f"session:{sid}")})

    async def brief_json(self, request: Request) -> JSONResponse:
        sid = request.path_params["session_id"]
        brief = await self.dashboard.brief(sid)
        if brief is None:
            return _json({"error": msg.UNKNOWN_SESSION.format(session=sid)}, 404)
        return _json(brief)

    async def period_page(self, request: Request) -> HTMLResponse:
        data = await self.dashboard.period(request.path_params["period"])
        return HTMLResponse(self.dashboard.render("period.html", f=data["figures"], **data))

    async def period_json(self, request: Request) -> JSONResponse:
        return _json(await self.dashboard.period(request.path_params["period"]))

    async def delivery_figures(self, _request: Request) -> JSONResponse:
        return _json({"messages": await self.models.figures_of("delivery")})

    async def announcement_file(self, request: Request) -> Response:
        sid, form = request.path_params["session_id"], request.path_params["form"]
        built = await self.results.announcement(sid)
        if built is None:
            return _json({"error": msg.NO_ANNOUNCEMENT.format(session=sid)}, 404)
        return _document(built, form, f"thong-bao-ket-qua-{sid}")

    async def notice_file(self, request: Request) -> Response:
        sid, form = request.path_params["session_id"], request.path_params["form"]
        built = await self.dashboard.conference_notice(sid)
        if built is None:
            return _json({"error": msg.NO_NOTICE.format(session=sid)}, 404)
        if form == "txt":  # what the village loudspeakers read
            return _file(built.loudspeaker().encode("utf-8"), TEXT, f"thong-bao-to-chuc-{sid}.txt")
        return _document(built, form, f"thong-bao-to-chuc-{sid}")


def _document(built: Any, form: str, name: str) -> Response:
    """An official document as JSON, DOCX or PDF, downloaded under its own name."""
    if form == "json":
        return _json(built.as_json())
    if form == "docx":
        return _file(doc.to_docx(built), DOCX, f"{name}.docx")
    if form == "pdf":
        return _file(doc.to_pdf(built), "application/pdf", f"{name}.pdf")
    return _json({"error": msg.DOCUMENT_FORMS}, 404)


def _file(body: bytes, media: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media, headers=headers)


def web_app(models: ReadModels, results: Results, dashboard: Dashboard) -> Starlette:
    pages = Pages(models, results, dashboard)
    return Starlette(
        routes=[
            Route("/", pages.index),
            Route("/phien/{session_id}", pages.session_page),
            Route("/ky/{period}", pages.period_page),
            Route("/phien/{session_id}/thong-bao.{form}", pages.announcement_file),
            Route("/phien/{session_id}/thong-bao-to-chuc.{form}", pages.notice_file),
            Route("/api/tong-quan", pages.index_json),
            Route("/api/phien/{session_id}", pages.session_json),
            Route("/api/phien/{session_id}/tom-tat", pages.brief_json),
            Route("/api/ky/{period}", pages.period_json),
            Route("/api/tin-nhan", pages.delivery_figures),
        ]
    )
