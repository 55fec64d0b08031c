"""Who may use the office's pages, for the office of the People's Council and Committee to see:
each person's account, role and scope, and every change made to them (by whom, when; never a
password). Accounts are made and changed by the operator (`nghedan office-user`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.office.forms import Form
from services.office.web import Office, Who


def routes(office: Office) -> list[Route]:
    async def page(request: Request) -> Response:
        async def draw(who: Who, _form: Form) -> Response:
            commune = who.account.commune
            accounts = sorted(
                (a for a in office.people.accounts.values() if a.commune == commune),
                key=lambda a: (a.role, a.name),
            )
            changes = await office.store.account_changes(commune)
            return office.page("accounts.html", who, accounts=accounts, changes=changes)

        return await office.guarded(request, lambda a: a.may("reference"), draw, draw)

    return [Route("/tai-khoan", page)]
