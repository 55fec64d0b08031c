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


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, media_type="application/json; charset=utf-8")


def web_app(models: ReadModels, results: Results, dashboard: Dashboard) -> Starlette:
    async def index(_request: Request) -> HTMLResponse:
        return HTMLResponse(dashboard.render("index.html", **await dashboard.index()))

    async def index_json(_request: Request) -> JSONResponse:
        return _json(await dashboard.index())

    async def session_page(request: Request) -> Response:
        sid = request.path_params["session_id"]
        page = await dashboard.session(sid)
        if page is None:
            text = escape(msg.UNKNOWN_SESSION.format(session=sid))
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{text}</p>", 404)
        brief = await dashboard.brief(sid)
        html = dashboard.render(
            "session.html",
            s=page["session"],
            totals=page["totals"],
            villages=page["villages"],
            conclusions=page["conclusions"],
            announcement=page["announcement"],
            brief=brief,
        )
        return HTMLResponse(html)

    async def session_json(request: Request) -> JSONResponse:
        sid = request.path_params["session_id"]
        page = await dashboard.session(sid)
        if page is None:
            return _json({"error": f"không có phiên {sid}"}, 404)
        return _json({**page, "delegates": await models.figures_of(f"session:{sid}")})

    async def brief_json(request: Request) -> JSONResponse:
        sid = request.path_params["session_id"]
        brief = await dashboard.brief(sid)
        return _json(brief) if brief else _json({"error": f"không có phiên {sid}"}, 404)

    async def period_page(request: Request) -> HTMLResponse:
        data = await dashboard.period(request.path_params["period"])
        return HTMLResponse(dashboard.render("period.html", f=data["figures"], **data))

    async def period_json(request: Request) -> JSONResponse:
        return _json(await dashboard.period(request.path_params["period"]))

    async def delivery_figures(_request: Request) -> JSONResponse:
        return _json({"messages": await models.figures_of("delivery")})

    async def announcement_file(request: Request) -> Response:
        sid, form = request.path_params["session_id"], request.path_params["form"]
        built = await results.announcement(sid)
        if built is None:
            return _json({"error": f"phiên {sid} chưa có thông báo kết quả"}, 404)
        name = f"thong-bao-ket-qua-{sid}"
        if form == "json":
            return _json(built.as_json())
        if form == "docx":
            body, media = doc.to_docx(built), DOCX
        elif form == "pdf":
            body, media = doc.to_pdf(built), "application/pdf"
        else:
            return _json({"error": "dạng tệp: json, docx hoặc pdf"}, 404)
        headers = {"Content-Disposition": f'attachment; filename="{name}.{form}"'}
        return Response(body, media_type=media, headers=headers)

    async def notice_file(request: Request) -> Response:
        sid, form = request.path_params["session_id"], request.path_params["form"]
        built = await dashboard.conference_notice(sid)
        if built is None:
            return _json({"error": msg.NO_NOTICE.format(session=sid)}, 404)
        name = f"thong-bao-to-chuc-{sid}"
        if form == "json":
            return _json(built.as_json())
        if form == "txt":
            body, media = built.loudspeaker().encode("utf-8"), "text/plain; charset=utf-8"
        elif form == "docx":
            body, media = doc.to_docx(built), DOCX
        elif form == "pdf":
            body, media = doc.to_pdf(built), "application/pdf"
        else:
            return _json({"error": "dạng tệp: json, txt, docx hoặc pdf"}, 404)
        headers = {"Content-Disposition": f'attachment; filename="{name}.{form}"'}
        return Response(body, media_type=media, headers=headers)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/phien/{session_id}", session_page),
            Route("/ky/{period}", period_page),
            Route("/phien/{session_id}/thong-bao.{form}", announcement_file),
            Route("/phien/{session_id}/thong-bao-to-chuc.{form}", notice_file),
            Route("/api/tong-quan", index_json),
            Route("/api/phien/{session_id}", session_json),
            Route("/api/phien/{session_id}/tom-tat", brief_json),
            Route("/api/ky/{period}", period_json),
            Route("/api/tin-nhan", delivery_figures),
        ]
    )
