"""The operator's door to the office (under /admin/, behind NGHEDAN_ADMIN_TOKEN): the people's
accounts made and changed by `nghedan office-user`, listed without their hashes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.office.accounts import Account, AccountError
from services.office.people import People
from shared.clock import Clock
from shared.reference import ReferenceData

MIN_PASSWORD = 12


def _account(body: dict[str, Any], ref: ReferenceData) -> Account:
    """The account the request describes, checked against the commune's villages and agencies."""
    account = Account(
        name=str(body.get("name", "")).strip(),
        full_name=str(body.get("full_name", "")).strip(),
        role=body.get("role", ""),
        commune=str(body.get("commune") or ref.commune.code),
        village=body.get("village") or None,
        agency=body.get("agency") or None,
    )
    if not account.name or ":" in account.name or not account.full_name:
        raise AccountError("cần tên đăng nhập (không có “:”) và họ tên")
    if account.village and ref.village(account.village) is None:
        raise AccountError(f"không có thôn {account.village}")
    if account.agency and account.agency not in {a.code for a in ref.agencies}:
        raise AccountError(f"không có cơ quan {account.agency}")
    return account


def admin_app(people: People, ref: ReferenceData, clock: Clock) -> Starlette:
    async def put(request: Request) -> JSONResponse:
        body = await request.json()
        try:
            account = _account(body, ref)
        except AccountError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        password = str(body.get("password", ""))
        if len(password) < MIN_PASSWORD:
            return JSONResponse({"error": f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự"}, 400)
        created = account.name not in people.accounts
        by = f"{str(body.get('by') or '').strip()[:100] or 'operator'} (nghedan office-user)"
        await people.put(account, password, clock.now(), by)
        return JSONResponse({"account": account.name, "created": created})

    async def listed(_request: Request) -> JSONResponse:
        return JSONResponse({"accounts": [asdict(a) for a in people.accounts.values()]})

    return Starlette(
        routes=[
            Route("/admin/accounts", put, methods=["POST"]),
            Route("/admin/accounts", listed, methods=["GET"]),
        ]
    )
