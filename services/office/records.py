"""A page of one thing the office acts on (an issue, a conference): what it is, and a form for
each step that applies to it as it stands and that the person may take. A step's form sent is
the step's command, for that person; accepted, the page says so; refused, the form comes back
filled with each reason beside its field."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account
from services.office.actions import Action
from services.office.forms import Form
from services.office.web import Office, Who

Thing = dict[str, Any]


@dataclass
class Records:
    office: Office
    base: str  # the pages' path: <base>/<code>, <base>/<code>/<step>
    template: str
    actions: tuple[Action, ...]
    load: Callable[[str, str], Awaitable[Thing | None]]  # (code, the person's commune)
    sees: Callable[[Account, Thing], bool]  # whether the person may see this one
    may_open: Callable[[Account], bool]  # whether the person may open such pages at all
    # more the page shows (awaited when it reads another service)
    shown: Callable[[Thing, Who], dict[str, Any] | Awaitable[dict[str, Any]]] = (
        lambda _thing, _who: {}
    )
    # a fresh form's values for a step (the conference a conclusion is of), read when drawn
    prefill: Callable[[Action, Thing, Who], Awaitable[dict[str, str]]] | None = None
    keys: dict[str, Action] = field(init=False)

    def __post_init__(self) -> None:
        self.keys = {a.key: a for a in self.actions}
        self.by_slug = {a.slug: a for a in self.actions}

    async def page(
        self,
        who: Who,
        code: str,
        open_form: tuple[Action, Form] | None = None,
        status: int = 200,
        said: str | None = None,
    ) -> Response:
        thing = await self.load(code, who.account.commune)
        if thing is None or not self.sees(who.account, thing):
            return self.office.page("refused.html", who, 404, why=msg.NOT_FOUND.format(code=code))
        forms = {
            a.slug: (open_form[1] if open_form and open_form[0] is a else Form())
            for a in self.actions
            if a.applies(thing) and a.allowed(who.account, thing)
        }
        for action in self.actions:
            fresh = forms.get(action.slug)
            if fresh is not None and not fresh.values and self.prefill is not None:
                fresh.values = await self.prefill(action, thing, who)
        extra = self.shown(thing, who)
        if inspect.isawaitable(extra):
            extra = await extra
        return self.office.page(
            self.template,
            who,
            status,
            thing=thing,
            code=code,
            base=self.base,
            actions=[a for a in self.actions if a.slug in forms],
            forms=forms,
            opened=open_form[0].slug if open_form else None,
            said=said,
            **extra,
        )

    async def one(self, request: Request) -> Response:
        code = request.path_params["code"]

        async def draw(who: Who, _form: Form) -> Response:
            done = request.query_params.get("xong")
            kept = await self.office.store.outcome(done) if done else None
            said = None
            if kept and kept["account"] == who.account.name and kept["shown"].get("action"):
                said = msg.DONE.format(what=kept["shown"]["action"])
            return await self.page(who, code, said=said)

        return await self.office.guarded(request, self.may_open, draw, draw)

    async def act(self, request: Request) -> Response:
        code, slug = request.path_params["code"], request.path_params["slug"]
        action = self.by_slug.get(slug)
        if action is None:
            return Response(status_code=404)

        async def draw(who: Who, form: Form) -> Response:
            return await self.page(who, code, (action, form))

        async def send(who: Who, form: Form) -> Response:
            thing = await self.load(code, who.account.commune)
            if thing is None or not self.sees(who.account, thing):
                why = msg.NOT_FOUND.format(code=code)
                return self.office.page("refused.html", who, 404, why=why)
            if not action.allowed(who.account, thing):
                return self.office.refused(who)
            data = action.data(form, code, who.account, self.office.clock.now())
            shown = {"subject": code, "action": action.title}
            outcome = await self.office.command(who, form, action.key, data, shown)
            if outcome is not None and form.took(outcome, action.shown()):
                return RedirectResponse(f"{self.base}/{code}?xong={outcome.command_id}", 303)
            return await self.page(who, code, (action, form), 200 if form.said else 422)

        return await self.office.guarded(request, self.may_open, draw, send)

    def routes(self) -> list[Route]:
        return [
            Route(self.base + "/{code}", self.one),
            Route(self.base + "/{code}/{slug}", self.act, methods=["GET", "POST"]),
        ]
