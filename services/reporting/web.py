"""Reporting's web app, served beside /health: the figures as JSON and the announcement's files."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.reporting import announcement as doc
from services.reporting.results import Results
from services.reporting.store import ReadModels

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, media_type="application/json; charset=utf-8")


def web_app(models: ReadModels, results: Results) -> Starlette:
    async def session_figures(request: Request) -> JSONResponse:
        sid = request.path_params["session_id"]
        session = await models.collection("sessions").find_one({"_id": sid})
        if session is None:
            return _json({"error": f"không có phiên {sid}"}, 404)
        return _json(
            {
                "session": {k: v for k, v in session.items() if k != "_id"} | {"id": sid},
                "delegates": await models.figures_of(f"session:{sid}"),
            }
        )

    async def period_figures(request: Request) -> JSONResponse:
        period = request.path_params["period"]
        return _json({"period": period, "issues": await models.figures_of(f"period:{period}")})

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

    return Starlette(
        routes=[
            Route("/api/phien/{session_id}", session_figures),
            Route("/api/ky/{period}", period_figures),
            Route("/api/tin-nhan", delivery_figures),
            Route("/phien/{session_id}/thong-bao.{form}", announcement_file),
        ]
    )
