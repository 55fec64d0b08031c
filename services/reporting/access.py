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
from shared.passwords import DASHBOARD_ROLES as ROLES
from shared.passwords import check_password

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
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str


def parse_users(text: str) -> dict[str, User]:
    """`ten:vai-tro:scrypt.<salt>.<hash>`, comma-separated (made by `nghedan dashboard-user`)."""
    users = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
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

    def who(self, scope: dict[str, Any]) -> tuple[str, str] | str:
        """(user, role), or why not, for one request."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if self.mode == "none":
            return ("", "viewer")
        if self.mode == "proxy":
            client = (scope.get("client") or ("", 0))[0]
            if not self._trusted(client):
                return msg.NOT_FROM_PROXY
            user = headers.get(self.user_header, "")
            roles = [r.strip() for r in headers.get(self.role_header, "").split(",")]
            role = next((r for r in ROLES if r in roles), "")
            return (user, role) if user and role else msg.NO_ROLE
        if not self.users:
            return msg.NO_USERS
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        try:
            name, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return msg.LOGIN_REQUIRED
        user = self.users.get(name)
        if (
            scheme.lower() != "basic"
            or not user
            or not check_password(password, user.password_hash)
        ):
            return msg.LOGIN_REQUIRED
        return (user.name, user.role)

    def _trusted(self, client: str) -> bool:
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return False
        return any(address in net for net in self.trusted_proxies)


ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def guarded(app: ASGI, access: Access) -> ASGI:
    """The dashboard behind its door: a login asked for, a role checked, safe headers added."""

    async def guard(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        who = access.who(scope)
        if isinstance(who, str):
            challenge = access.mode == "basic" and bool(access.users)
            await _refuse(send, 401 if challenge else 403, who, challenge)
            return
        if who[1] == "api" and not scope["path"].startswith("/api/"):
            await _refuse(send, 403, msg.API_ONLY, False)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await app(scope, receive, with_headers)

    return guard


async def _refuse(send: Any, status: int, why: str, challenge: bool) -> None:
    headers = [(b"content-type", b"text/html; charset=utf-8"), *SECURITY_HEADERS]
    if challenge:
        headers.append((b"www-authenticate", b'Basic realm="Nghe Dan", charset="UTF-8"'))
    body = f"<!doctype html><meta charset=utf-8><p>{html.escape(why)}</p>".encode()
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
