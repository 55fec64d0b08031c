"""The office's pages: a login per person, then each task a page — a form drawn with its command
id and CSRF token, sent to the owning service as the office's broker user for the person logged
in, and its outcome in words, each refusal next to its field."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from aiormq.exceptions import AMQPError
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from services.office import messages as msg
from services.office.accounts import Account, Task
from services.office.forms import CSRF, Form
from services.office.people import People
from services.office.reads import ReadError, Reads
from services.office.store import OfficeStore
from shared.clock import Clock
from shared.contracts.common import Outcome
from shared.login import Network, client_address
from shared.messaging.commands import CommandClient, CommandPending
from shared.reference import ReferenceData
from shared.text import fmt, fmt_time

HERE = Path(__file__).parent
COOKIE = "nd_phien"  # the session's token
LOGIN_COOKIE = "nd_dang_nhap"  # the login form's own CSRF token (double submit)
SECURITY_HEADERS = [
    # No inline script or style: an injected one would not run. Scripts only enhance (print, QR).
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


@dataclass
class Who:
    """The person behind a request, and their session's CSRF token."""

    account: Account
    csrf: str
    token: str


@dataclass
class Office:
    store: OfficeStore
    people: People
    client: CommandClient
    reads: Reads
    clock: Clock
    ref: ReferenceData
    session_hours: float
    cookie_secure: bool
    trusted_proxies: tuple[Network, ...]
    outcome_seconds: float

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.villages = {v.code: v.name for v in self.ref.villages}
        self.env.globals |= {
            "msg": msg,
            "ref": self.ref,
            "CSRF": CSRF,
            "villages": self.villages,
            "topics": {t.code: t.name for t in self.ref.topics},
            "agencies": {a.code: a.name for a in self.ref.agencies},
        }
        self.env.filters |= {
            "vi_channel": lambda code: (code, msg.CHANNELS[code]),
            "village_option": lambda village: (village.code, village.name),
            "topic_option": lambda topic: (topic.code, topic.name),
            "vi_time": lambda at: fmt_time(
                at if isinstance(at, datetime) else datetime.fromisoformat(at)
            ),
            "vi_date": lambda iso: fmt(date.fromisoformat(iso[:10])),
        }

    # --- drawing --------------------------------------------------------------------------------

    def page(self, template: str, who: Who | None, status: int = 200, **shown: Any) -> Response:
        html = self.env.get_template(template).render(who=who, **shown)
        return HTMLResponse(html, status_code=status)

    # --- who is asking --------------------------------------------------------------------------

    async def who(self, request: Request) -> Who | None:
        token = request.cookies.get(COOKIE, "")
        if not token:
            return None
        session = await self.store.session(token, self.clock.now())
        account = self.people.accounts.get(session["account"]) if session else None
        if session is None or account is None:
            return None
        return Who(account, session["csrf"], token)

    def _client(self, request: Request) -> str:
        peer = request.client.host if request.client else ""
        return client_address(peer, request.headers.get("x-forwarded-for"), self.trusted_proxies)

    def _cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=self.cookie_secure,
            samesite="strict" if name == LOGIN_COOKIE else "lax",
            path="/",
        )

    # --- login ----------------------------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        return self._login_form(
            request, request.query_params.get("next", "/"), request.query_params
        )

    def _login_form(
        self,
        request: Request,
        next_path: str,
        params: Any = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        # the token the browser holds already, when it has one: two login tabs both work
        token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        draft = (params or {}).get("nhap", "")
        notice = msg.LOGIN_AGAIN if draft else None
        response = self.page(
            "login.html",
            None,
            status,
            next_path=safe_next(next_path),
            draft=draft,
            token=token,
            error=error,
            notice=notice,
        )
        self._cookie(response, LOGIN_COOKIE, token, 3600)
        if status in (401, 429):
            response.headers["retry-after"] = "1"
        return response

    async def login(self, request: Request) -> Response:
        form = await request.form()
        next_path = safe_next(str(form.get("next", "/")))
        draft = str(form.get("nhap", ""))
        given = str(form.get(CSRF, ""))
        if not given or not hmac.compare_digest(given, request.cookies.get(LOGIN_COOKIE, "")):
            return self._login_form(request, next_path, {"nhap": draft}, msg.NO_CSRF, 403)
        name, password = str(form.get("ten", "")).strip(), str(form.get("mat_khau", ""))
        verdict, account = await self.people.login(name, password, self._client(request))
        if account is None:
            said = {
                "locked": msg.LOGIN_LOCKED.format(seconds=verdict.retry_after),
                "busy": msg.LOGIN_BUSY,
            }.get(verdict.outcome, msg.LOGIN_WRONG)
            status = 429 if verdict.outcome in ("locked", "busy") else 401
            return self._login_form(request, next_path, {"nhap": draft}, said, status)
        token, _ = await self.store.open_session(account.name, self.clock.now(), self.session_hours)
        target = next_path + (("&" if "?" in next_path else "?") + urlencode({"nhap": draft}))
        response = RedirectResponse(target if draft else next_path, status_code=303)
        self._cookie(response, COOKIE, token, int(self.session_hours * 3600))
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    async def logout(self, request: Request) -> Response:
        who = await self.who(request)
        form = await request.form()
        if who is not None and hmac.compare_digest(str(form.get(CSRF, "")), who.csrf):
            await self.store.close_session(who.token)
        response = RedirectResponse("/dang-nhap?da_thoat=1", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # --- a task's page --------------------------------------------------------------------------

    async def guarded(
        self,
        request: Request,
        task: Task | Callable[[Account], bool],
        draw: Callable[[Who, Form], Awaitable[Response]],
        send: Callable[[Who, Form], Awaitable[Response]],
    ) -> Response:
        """The one way through a task's page: a login, the person's role (a task, or a test of
        the account), the CSRF token, what was typed kept across a login, then the task's own
        drawing or sending."""
        may = task if callable(task) else lambda account: account.may(task)
        who = await self.who(request)
        if request.method == "GET":
            if who is None:
                return to_login(request)
            if not may(who.account):
                return self.refused(who)
            form = Form()
            draft = request.query_params.get("nhap")
            if draft:
                kept = await self.store.take_draft(draft, request.url.path, self.clock.now())
                form = Form.sent(kept or [])
            return await draw(who, form)
        # The typed fields (a file sent with them is read by the task itself, never kept).
        pairs = [(k, v) for k, v in (await request.form()).multi_items() if isinstance(v, str)]
        if who is None:  # the session ended while they typed: keep it, ask for the password
            key = await self.store.keep_draft(request.url.path, pairs, self.clock.now())
            return RedirectResponse(
                f"/dang-nhap?{urlencode({'next': request.url.path, 'nhap': key})}", 303
            )
        if not may(who.account):
            return self.refused(who)
        given = dict(pairs).get(CSRF, "")
        if not given or not hmac.compare_digest(given, who.csrf):
            return self.page("refused.html", who, 403, why=msg.NO_CSRF)
        return await send(who, Form.sent(pairs))

    def refused(self, who: Who, why: str | None = None) -> Response:
        role = msg.ROLES[who.account.role]
        text = why or msg.NOT_YOURS.format(name=who.account.full_name, role=role)
        return self.page("refused.html", who, 403, why=text)

    async def command(
        self, who: Who, form: Form, key: str, data: dict[str, Any], shown: dict[str, str]
    ) -> Outcome | None:
        """Send `key` for the person logged in; None (and the form says why) when no outcome
        came in time or the bus did not answer. The outcome is kept with `shown` (what its page
        shows besides the result: never a citizen's personal data) for /ket-qua/<id>."""
        acted_by = f"{who.account.full_name} ({who.account.name})"
        try:
            outcome = await self.client.send(
                key,
                data,
                command_id=form.command_id,
                at=self.clock.now(),
                acted_by=acted_by,
                timeout=self.outcome_seconds,
            )
        except CommandPending:
            form.said = msg.PENDING.format(seconds=self.outcome_seconds)
            return None
        except (OSError, AMQPError):  # no connection, or the broker returned the command unrouted
            form.general.append(msg.BUS_DOWN)
            return None
        await self.store.keep_outcome(who.account.name, key, outcome, shown, self.clock.now())
        return outcome

    async def outcome_page(self, request: Request) -> Response:
        """A command's outcome, for the person who sent it (the page a form goes to once sent:
        reloading it sends nothing again)."""
        who = await self.who(request)
        if who is None:
            return to_login(request)
        kept = await self.store.outcome(request.path_params["command_id"])
        if kept is None or kept["account"] != who.account.name:
            return self.page("refused.html", who, 404, why=msg.UNKNOWN_OUTCOME)
        outcome = Outcome.model_validate(kept["outcome"])
        template = OUTCOME_PAGES.get(kept["key"], "outcome.html")
        return self.page(template, who, outcome=outcome, shown=kept["shown"], at=kept["at"])

    # --- pages of their own ---------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        who = await self.who(request)
        if who is None:
            return RedirectResponse("/dang-nhap", 303)
        return self.page("home.html", who, delegation=await self.delegation(who))

    async def delegation(self, who: Who) -> list[dict[str, Any]]:
        """A village head's delegation to each conference still being prepared: who is
        registered and what is missing (the plan, III.3); nothing for anyone else."""
        village = who.account.village
        if who.account.role != "village_head" or village is None:
            return []
        try:
            listed = await self.reads.conferences(who.account.commune)
            shown = []
            for c in listed["sessions"]:
                if c["status"] not in ("planned", "scheduled"):
                    continue
                found = await self.reads.conference(c["id"], who.account.commune) or {}
                mine = [d for d in found.get("delegates", []) if d["village_code"] == village]
                confirmed = sum(d["status"] == "confirmed" for d in mine)
                waiting = sum(d["status"] == "waiting" for d in mine)
                gaps = (found.get("gaps") or {}).get(village, [])
                shown.append(c | {"confirmed": confirmed, "waiting": waiting, "missing": gaps})
            return shown
        except ReadError:
            return []  # the page still opens; the delegates page says what failed

    async def dashboard(self, request: Request) -> Response:
        """Reporting's dashboard through the office's login (its pages, JSON and documents)."""
        who = await self.who(request)
        if who is None:
            return to_login(request)
        path = request.url.path.removeprefix("/bang-dieu-khien") or "/"
        try:
            status, body, headers = await self.reads.dashboard(
                path, request.url.query, who.account.name
            )
        except ReadError as exc:
            return self.page("refused.html", who, 503, why=msg.READ_FAILED.format(why=exc))
        response = Response(body, status_code=status)
        response.raw_headers = [h for h in response.raw_headers if h[0] != b"content-type"]
        response.raw_headers += headers
        return response

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = HERE / "static" / name
        if name not in STATIC or not path.is_file():
            return Response(status_code=404)
        return FileResponse(path, media_type=STATIC[name], headers={"cache-control": "max-age=600"})


OUTCOME_PAGES = {"intake.submit-issue.v1": "receipt.html"}
STATIC = {"office.css": "text/css; charset=utf-8", "office.js": "text/javascript; charset=utf-8"}


def to_login(request: Request) -> Response:
    """To the login, and back to this page after it."""
    return RedirectResponse(f"/dang-nhap?next={quote(request.url.path)}", 303)


def safe_next(path: str) -> str:
    """Only a path of this site: never `//elsewhere`, `/\\elsewhere` or a full address."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


def with_headers(app: Any) -> Any:
    """Every response carries the security headers."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not scope["path"].startswith("/tinh/"):  # a page is never kept by the way
                    headers.append((b"cache-control", b"no-store"))
                own = any(k == b"content-security-policy" for k, _ in headers)  # the dashboard's
                message["headers"] = [
                    *headers,
                    *(h for h in SECURITY_HEADERS if not (own and h[0] == SECURITY_HEADERS[0][0])),
                ]
            await send(message)

        await app(scope, receive, sending)

    return wrapped


def office_app(office: Office, tasks: list[Route]) -> Any:
    routes = [
        Route("/", office.home),
        Route("/dang-nhap", office.login_page, methods=["GET"]),
        Route("/dang-nhap", office.login, methods=["POST"]),
        Route("/dang-xuat", office.logout, methods=["POST"]),
        Route("/tinh/{name}", office.static),
        Route("/ket-qua/{command_id}", office.outcome_page),
        # reporting's dashboard, behind this login: its index here, its own paths as they are
        Route("/bang-dieu-khien", office.dashboard),
        Route("/phien/{rest:path}", office.dashboard),
        Route("/ky/{rest:path}", office.dashboard),
        Route("/api/{rest:path}", office.dashboard),
        *tasks,
    ]
    return with_headers(Starlette(routes=routes))
