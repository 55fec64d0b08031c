"""What the office's pages read of intake (under /office/, behind NGHEDAN_OFFICE_TOKEN): the
issues still open and each issue whole — a citizen's words among it, which never travel on the
bus — for the officers who classify, route, answer and settle them. Never the person who sent
it: a denouncer's identity stays in intake (Law on Denunciations 2018, Art. 47). And the
agencies' office contacts with their history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.intake.domain import lifecycle
from services.intake.domain.issues import Issue
from services.intake.repository import Repository
from shared.agency_contacts import AgencyContacts
from shared.health import other_commune, plain
from shared.reference import ReferenceData
from shared.versions import in_force

LISTED = ("content", "history", "answer", "conclusion", "closed", "legal", "public_texts")


def listed(issue: Issue) -> dict[str, Any]:
    """An issue as the office's queue lists it: its state and limits, the words' first line."""
    clocks = lifecycle.case_clocks(issue)
    shown = {k: v for k, v in asdict(issue).items() if k not in (*LISTED, "events", "notices")}
    return plain(
        shown
        | {
            "excerpt": issue.content[:160],
            "clocks": clocks.model_dump() if clocks and clocks.running else None,
            "conclusion_deadline": (issue.conclusion or {}).get("deadline"),
            "conclusion_agency": (issue.conclusion or {}).get("agency"),
            "closed_outcome": (issue.closed or {}).get("outcome"),
        }
    )


def whole(issue: Issue) -> dict[str, Any]:
    clocks = lifecycle.case_clocks(issue)
    shown = {k: v for k, v in asdict(issue).items() if k not in ("events", "notices")}
    return plain(shown | {"clocks": clocks.model_dump() if clocks else None})


async def agencies(kept: AgencyContacts, ref: ReferenceData) -> list[dict[str, Any]]:
    """Each agency's office contact as intake writes to it now (the office's latest version,
    else the reference file's), and every version the office set, newest first."""
    history = await kept.history()
    return [
        in_force(a.code, a.name, {"email": a.email, "phone": a.phone}, history, "agency_code")
        for a in ref.agencies
    ]


def office_door(repository: Repository, ref: ReferenceData, kept: AgencyContacts) -> Starlette:
    store, commune = repository.store, ref.commune.code

    async def issues(request: Request) -> Response:
        if refused := other_commune(request.query_params, commune):
            return refused
        return JSONResponse({"issues": [listed(i) for i in await store.open_issues()]})

    async def issue(request: Request) -> Response:
        if refused := other_commune(request.query_params, commune):
            return refused
        found = await store.load_issue(request.path_params["code"])
        if found is None:
            return JSONResponse({"error": "không có"}, status_code=404)
        return JSONResponse(whole(found))

    async def contacts(request: Request) -> Response:
        if refused := other_commune(request.query_params, commune):
            return refused
        return JSONResponse(plain({"agencies": await agencies(kept, ref)}))

    return Starlette(
        routes=[
            Route("/office/issues", issues),
            Route("/office/issues/{code}", issue),
            Route("/office/agencies", contacts),
        ]
    )
