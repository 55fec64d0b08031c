"""What the office's pages read of registration (under /office/, behind NGHEDAN_OFFICE_TOKEN):
the conferences, and each with its delegates by name — what the check-in desk searches and the
village lists show — and the village heads' contacts with their history: none of it travels on
the bus."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.registration.domain import sessions
from services.registration.domain.model import NOTICE_DAYS
from services.registration.store import MongoStore, registration_from_doc
from shared.clock import Clock, local_date
from shared.health import other_commune, plain
from shared.reference import ReferenceData
from shared.versions import in_force


def _conference(conference: Any) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(conference).items() if k != "events"}


async def _village_heads(store: MongoStore, ref: ReferenceData) -> list[dict[str, Any]]:
    """Each village's head as notices reach them now (the office's latest version, else the
    commune's reference file), and every version the office set, newest first."""
    history = await store.village_head_history()
    return [
        in_force(
            v.code,
            v.name,
            {"head_name": v.head_name, "head_phone": v.head_phone, "head_email": v.head_email},
            history,
            "village_code",
        )
        for v in ref.villages
    ]


def office_door(store: MongoStore, ref: ReferenceData, clock: Clock) -> Starlette:
    def earliest() -> date:
        """The first day a conference scheduled now may be held on (the notice it needs)."""
        return local_date(clock.now()) + timedelta(days=NOTICE_DAYS)

    async def conferences(request: Request) -> Response:
        if refused := other_commune(request.query_params, ref.commune.code):
            return refused
        found = [session async for session in store.all_sessions()]
        return JSONResponse(
            plain({"sessions": [_conference(c) for c in found], "earliest_start": earliest()})
        )

    async def conference(request: Request) -> Response:
        if refused := other_commune(request.query_params, ref.commune.code):
            return refused
        found = await store.load_session(request.path_params["session_id"])
        if found is None:
            return JSONResponse({"error": "không có"}, status_code=404)
        delegates = []
        async for doc in store.registrations.find({"session_id": found.id}).sort("seq", 1):
            registration = registration_from_doc(doc)
            sealed = (doc.get("personal") or {}).get("full_name")
            context = f"registration:{doc['_id']}:full_name"
            name = store.cipher.decrypt(sealed, context=context) if sealed else None
            delegates.append(dataclasses.asdict(registration) | {"full_name": name})
        regs = [registration_from_doc(d) for d in delegates]
        return JSONResponse(
            plain(
                {
                    "session": _conference(found),
                    "delegates": delegates,
                    "gaps": sessions.delegation_gaps(found, regs, ref),
                    "earliest_start": earliest(),
                }
            )
        )

    async def village_heads(request: Request) -> Response:
        if refused := other_commune(request.query_params, ref.commune.code):
            return refused
        return JSONResponse(plain({"villages": await _village_heads(store, ref)}))

    return Starlette(
        routes=[
            Route("/office/sessions", conferences),
            Route("/office/sessions/{session_id}", conference),
            Route("/office/village-heads", village_heads),
        ]
    )
