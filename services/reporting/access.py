"""Who may open the dashboard: operators by role, with a password (HTTP Basic) or vouched for by
the deployment's own login proxy (OIDC or other), and the headers every page carries."""

from __future__ import annotations

import base64
import binascii
import html
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from services.reporting import messages as msg
from shared.login import LoginGuard, Network, client_address, within
from shared.passwords import DASHBOARD_ROLES as ROLES

SECURITY_HEADERS = [
    # No script runs on these pages: an injected <script> would not either.
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        b"form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
Mode = Literal["basic", "proxy", "none"]


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str


def parse_users(text: str) -> dict[str, User]:
    """`ten:vai-tro:scrypt.<salt>.<hash>`, one a line or comma-separated (each made by
    `nghedan dashboard-user`); a line starting with `#` is a comment."""
    users = {}
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    entries = (e.strip() for line in lines for e in line.split(","))
    for entry in filter(None, entries):
        name, role, password_hash = [*entry.split(":", 2), "", ""][:3]
        if not name or role not in ROLES or not password_hash.startswith("scrypt."):
            raise ValueError(msg.BAD_USER_ENTRY.format(entry=entry.split(":", 1)[0]))
        users[name] = User(name, role, password_hash)
    return users


@dataclass(frozen=True)
class Access:
    mode: Mode
    users: dict[str, User]
    user_header: str = "x-forwarded-user"
    role_header: str = "x-forwarded-groups"
    trusted_proxies: tuple[Network, ...] = (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
    )

    def login_guard(self) -> LoginGuard:
        return LoginGuard({u.name: u.password_hash for u in self.users.values()})

    async def who(self, scope: dict[str, Any], guard: LoginGuard) -> tuple[str, str] | Refusal:
        """(user, role), or why not, for one request."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if self.mode == "none":
            return ("", "viewer")
        if self.mode == "proxy":
            client = (scope.get("client") or ("", 0))[0]
            if not within(client, self.trusted_proxies):
                return Refusal(403, msg.NOT_FROM_PROXY)
            user = headers.get(self.user_header, "")
            roles = [r.strip() for r in headers.get(self.role_header, "").split(",")]
            role = next((r for r in ROLES if r in roles), "")
            return (user, role) if user and role else Refusal(403, msg.NO_ROLE)
        if not self.users:
            return Refusal(403, msg.NO_USERS)
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        try:
            name, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return Refusal(401, msg.LOGIN_REQUIRED)
        if scheme.lower() != "basic" or not (name or password):
            return Refusal(401, msg.LOGIN_REQUIRED)
        peer = (scope.get("client") or ("", 0))[0]
        address = client_address(peer, headers.get("x-forwarded-for"), self.trusted_proxies)
        verdict = await guard.check(name, password, address)
        if verdict.outcome == "locked":
            return Refusal(429, msg.LOCKED.format(seconds=verdict.retry_after), verdict.retry_after)
        if verdict.outcome == "busy":
            return Refusal(429, msg.BUSY, verdict.retry_after)
        if verdict.outcome != "ok":
            return Refusal(401, msg.LOGIN_REQUIRED)
        user = self.users[name]
        return (user.name, user.role)


@dataclass(frozen=True)
class Refusal:
    status: int
    why: str
    retry_after: int = 0


ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class Guarded:
    """The dashboard behind its door: a login asked for (shared/login.py's hardening), a role
    checked, safe headers added. `login` is what the operator sees of the lockouts."""

    def __init__(self, app: ASGI, access: Access) -> None:
        self.app, self.access, self.login = app, access, access.login_guard()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        app, access = self.app, self.access
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        who = await access.who(scope, self.login)
        if isinstance(who, Refusal):
            challenge = who.status == 401 and access.mode == "basic" and bool(access.users)
            await _refuse(send, who.status, who.why, challenge, who.retry_after)
            return
        if who[1] == "api" and not scope["path"].startswith("/api/"):
            await _refuse(send, 403, msg.API_ONLY, False)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await app(scope, receive, with_headers)


def guarded(app: ASGI, access: Access) -> Guarded:
    return Guarded(app, access)


async def _refuse(send: Any, status: int, why: str, challenge: bool, retry_after: int = 0) -> None:
    headers = [(b"content-type", b"text/html; charset=utf-8"), *SECURITY_HEADERS]
    if retry_after:
        headers.append((b"retry-after", str(retry_after).encode()))
    if challenge:
        headers.append((b"www-authenticate", b'Basic realm="Nghe Dan", charset="UTF-8"'))
    body = f"<!doctype html><meta charset=utf-8><p>{html.escape(why)}</p>".encode()
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
