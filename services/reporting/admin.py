"""The operator CLI's door to reporting: rebuild the figures beside the live ones and compare
(`nghedan report rebuild`), and the events received, counted by type (the demo's summary)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.reporting.projection import compare_with_rebuild
from services.reporting.store import event_counts
from shared.storage import Database


def admin_app(db: Database) -> Starlette:
    async def rebuild(_request: Request) -> JSONResponse:
        replayed, differences = await compare_with_rebuild(db)
        return JSONResponse({"replayed": replayed, "differences": differences})

    async def events_by_type(_request: Request) -> JSONResponse:
        return JSONResponse(await event_counts(db))

    return Starlette(
        routes=[
            Route("/admin/rebuild", rebuild, methods=["POST"]),
            Route("/admin/events/counts", events_by_type),
        ]
    )
