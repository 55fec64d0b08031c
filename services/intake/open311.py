"""The Open311 GeoReport v2 door of intake (https://wiki.open311.org/GeoReport_v2), JSON and XML.

Services are the commune's topics. A request posted here goes through `intake.submit-issue.v1`
itself — its schema, handler, inbox and outcome (`Pipeline.run_inline`) — as feedback or a
recommendation from the online portal; complaints and denunciations are not taken here (they
need an identified person and a sealed procedure). The reads show what the public may see: the
tracking code, state, topic, agency, village and the officer-approved summary — never what a
citizen wrote, nor who they are, and no complaint or denunciation at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree as ET

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.intake import messages as msg
from services.intake.domain.issues import OPEN, Issue, is_confidential
from services.intake.store import Store
from shared import privacy, vi
from shared.citizen import mobile_number
from shared.clock import local_date
from shared.login import Network, client_address, networks
from shared.messaging.consumer import Pipeline
from shared.reference import ReferenceData

BASE = "/open311/v2"
CLOSED = ("resolved", "referred", "refused", "merged", "settled_in_village", "withdrawn")
PUBLIC_KINDS = ("recommendation", "feedback")
WINDOW = timedelta(days=90)  # GeoReport v2: a search spans at most 90 days, the latest by default
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200  # the public list, a page at a time
FORM = "application/x-www-form-urlencoded"


@dataclass
class Limits:
    """How much the door takes, moving windows counted in this process (the `limits` library's
    asyncio storage: its expiry runs on the event loop, no thread is left behind)."""

    per_address: RateLimitItem  # posts refused for their key, per client address
    per_key: RateLimitItem  # posts, and reads that show a key, per key
    per_contact: RateLimitItem  # receipts to one phone number or email
    reads: RateLimitItem  # reads per client address, without a key
    max_body: int
    trusted_proxies: tuple[Network, ...] = ()  # whose X-Forwarded-For is believed
    counter: MovingWindowRateLimiter = field(
        default_factory=lambda: MovingWindowRateLimiter(MemoryStorage())
    )

    @classmethod
    def parse(cls, text: str, max_body: int, trusted_proxies: str = "") -> Limits:
        given = dict(p.strip().split("=", 1) for p in text.split(",") if "=" in p)
        wanted = ("address", "key", "phone", "reads")
        missing = [w for w in wanted if w not in given]
        if missing:
            raise ValueError(f"OPEN311_LIMITS: thiếu {', '.join(missing)} (ví dụ address=20/hour)")
        items = {w: parse(given[w]) for w in wanted}
        return cls(
            items["address"],
            items["key"],
            items["phone"],
            items["reads"],
            max_body,
            networks(trusted_proxies),
        )

    async def take(self, item: RateLimitItem, *identifiers: str, count: bool = True) -> int:
        """0 when one more is allowed (and counted, unless `count` is False), else the seconds
        until the next one is."""
        allowed = (
            await self.counter.hit(item, "open311", *identifiers)
            if count
            else await self.counter.test(item, "open311", *identifiers)
        )
        if allowed:
            return 0
        stats = await self.counter.get_window_stats(item, "open311", *identifiers)
        reset = stats.reset_time
        return max(1, int(reset - datetime.now(UTC).timestamp()) + 1)

    def client(self, request: Request) -> str:
        peer = (request.client.host if request.client else "") or "?"
        return client_address(peer, request.headers.get("x-forwarded-for"), self.trusted_proxies)


DEFAULT_LIMITS = "address=20/hour,key=600/hour,phone=3/day,reads=120/minute"
DEFAULT_MAX_BODY = 64 * 1024  # a 10,000-character description, URL-encoded, fits


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, retry_after: int = 0) -> None:
        super().__init__("; ".join(descriptions))
        self.status, self.descriptions = status, descriptions
        self.retry_after = retry_after


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                child.text = ",".join(value)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    body: bytes = ET.tostring(top, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>' + body


def _answer(
    form: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200
) -> Response:
    if form == "xml":
        return Response(_xml(root, item, rows), status, media_type="text/xml; charset=utf-8")
    return JSONResponse(rows, status, media_type="application/json; charset=utf-8")


def _error(form: str, error: Open311Error) -> Response:
    rows = [{"code": error.status, "description": d} for d in error.descriptions]
    answer = _answer(form, "errors", "error", rows, error.status)
    if error.retry_after:
        answer.headers["retry-after"] = str(error.retry_after)
    return answer


def _day(moment: datetime) -> str:
    """A moment shown by its day in Viet Nam (the spec's W3C form, at midnight): the exact time a
    matter came in or changed is not the public's to know."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{local_date(moment).isoformat()}T00:00:00+07:00"


def shown(issue: Issue) -> bool:
    """What the public door may show at all: recommendations and feedback, never a complaint or
    a denunciation (an anonymous one, kept as feedback, included: Law on Denunciations, Art. 9)."""
    return not is_confidential(issue)


def _moment(text: str | None, field: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, msg.OPEN311_BAD_DATE.format(field=field, value=text)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Open311Door:
    """The door itself: `commands` gives the intake.commands pipeline (made when the service
    starts); `api_keys` maps each key to the name of the system that holds it (its sender)."""

    def __init__(
        self,
        store: Store,
        ref: ReferenceData,
        commands: Callable[[], Pipeline],
        api_keys: dict[str, str],
        limits: Limits | None = None,
    ) -> None:
        self.store, self.ref = store, ref
        self.commands, self.api_keys = commands, api_keys
        self.limits = limits or Limits.parse(DEFAULT_LIMITS, DEFAULT_MAX_BODY)
        self.topics = {t.code: t for t in ref.topics}
        self.agencies = {a.code: a.name for a in ref.agencies}

    # --- what the public sees -------------------------------------------------------------------

    def service(self, code: str) -> dict[str, Any]:
        topic = self.topics[code]
        agency = self.agencies.get(topic.agency, topic.agency)
        return {
            "service_code": code,
            "service_name": topic.name,
            "description": f"{topic.name} — {agency} trả lời",
            "metadata": False,
            "type": "batch",
            "keywords": [],
            "group": agency,
        }

    def public(self, issue: Issue) -> dict[str, Any]:
        village = self.ref.village(issue.village_code)
        updated = max([c.at for c in issue.history], default=issue.received_at)
        deadline = (issue.conclusion or {}).get("deadline")
        topic = self.topics.get(issue.topic)
        return {
            "service_request_id": issue.tracking_code,
            "status": _status(issue.status),
            "status_notes": vi.ISSUE_STATUS.get(issue.status, issue.status),
            "service_name": topic.name if topic else issue.topic,
            "service_code": issue.topic,
            "description": issue.public_summary,  # the officer's summary; never the citizen's words
            "agency_responsible": self.agencies.get(issue.agency_code, issue.agency_code),
            "service_notice": None,
            "requested_datetime": _day(issue.received_at),
            "updated_datetime": _day(updated),
            "expected_datetime": f"{deadline}T23:59:59+07:00" if deadline else None,
            "address": village.name if village else issue.village_code,
            "address_id": issue.village_code,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }

    # --- the routes ----------------------------------------------------------------------------

    async def services(self, request: Request) -> Response:
        rows = [self.service(c) for c in self.topics]
        return _answer(request.path_params["form"], "services", "service", rows)

    async def definition(self, request: Request) -> Response:
        form, code = request.path_params["form"], request.path_params["code"]
        if code not in self.topics:
            return _error(form, Open311Error(404, msg.OPEN311_NO_SERVICE.format(code=code)))
        # No extra attributes: every service takes the same fields (metadata false).
        row = {"service_code": code, "attributes": []}
        if form == "xml":
            return _answer(form, "service_definition", "service", [row])
        return JSONResponse(row, media_type="application/json; charset=utf-8")

    async def requests(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.post_request(request)
        return await self.list_requests(request)

    async def _limited(
        self, item: RateLimitItem, what: str, *identifiers: str, count: bool = True
    ) -> None:
        wait = await self.limits.take(item, *identifiers, count=count)
        if wait:
            raise Open311Error(429, what.format(seconds=wait), retry_after=wait)

    async def _key(self, key: str, address: str) -> str:
        """The system a key stands for; a wrong key counts against the client's address."""
        sender = self.api_keys.get(key)
        if sender is None:
            await self.limits.take(self.limits.per_address, "a", address)
            raise Open311Error(403, msg.OPEN311_API_KEY)
        return sender

    async def _fields(self, request: Request) -> tuple[str, dict[str, str]]:
        """The sender a key stands for, and the form: the key of the query string (or the
        X-Api-Key header) is checked before any body is read; a key in the form (as GeoReport v2
        clients send it) only after reading a body no larger than the limit. Only URL-encoded
        forms: no file part is ever taken."""
        address = self.limits.client(request)
        # A client that keeps sending wrong keys is refused unread for a while; a right key is
        # counted per key only (a portal posts for many citizens from one address).
        wrong = msg.OPEN311_TOO_MANY_FROM_ADDRESS
        await self._limited(self.limits.per_address, wrong, "a", address, count=False)
        early = _shown_key(request)
        if early is not None:
            await self._key(early, address)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != FORM:
            raise Open311Error(415, msg.OPEN311_FORM_ONLY.format(kind=kind or "(không có)"))
        limit = self.limits.max_body
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Open311Error(413, msg.OPEN311_TOO_LARGE.format(limit=limit // 1024))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise Open311Error(413, msg.OPEN311_TOO_LARGE.format(limit=limit // 1024))
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise Open311Error(400, msg.OPEN311_NOT_UTF8) from None
        sender = await self._key(early if early is not None else fields.get("api_key", ""), address)
        await self._limited(self.limits.per_key, msg.OPEN311_TOO_MANY_FOR_KEY, "k", sender)
        return sender, fields

    async def _receipts(self, fields: dict[str, str]) -> None:
        """Each phone number or email is sent a few receipts a day at most: the door is no way
        to text anyone at will."""
        phone = mobile_number(fields.get("phone")) or (fields.get("phone") or "").strip()
        email = (fields.get("email") or "").strip().lower()
        for contact in filter(None, (phone, email)):
            what = msg.OPEN311_TOO_MANY_FOR_CONTACT
            await self._limited(self.limits.per_contact, what, "c", contact)

    async def post_request(self, request: Request) -> Response:
        form = request.path_params["form"]
        try:
            sender, fields = await self._fields(request)
            pipeline = self.commands()
            submission = self.submission(fields, pipeline.clock.now())
            await self._receipts(fields)
            outcome = await pipeline.run_inline(
                "intake.submit-issue.v1",
                submission,
                sender=f"open311:{sender}",
                source=f"/open311/{sender}",
                event_id=str(uuid.uuid4()),
            )
            if outcome.status == "rejected":
                raise Open311Error(400, *(f"{e.field}: {e.message}" for e in outcome.errors))
        except Open311Error as error:
            return _error(form, error)
        result = outcome.result or {}
        notice = msg.OPEN311_NOTICE.format(code=result["tracking_code"])
        if result.get("merged_into"):
            notice += " " + await self.merged_notice(result["merged_into"])
        notice += " " + privacy.NOTICE  # said where the data is collected (Law 91/2025)
        rows = [{"service_request_id": result["tracking_code"], "service_notice": notice}]
        return _answer(form, "service_requests", "request", rows, 201)

    async def merged_notice(self, code: str) -> str:
        """The sender keeps their own code; of the matter it joined they learn only its approved
        summary, never its code nor its state."""
        joined = await self.store.issues_by_code([code])
        summary = joined[0].public_summary if joined and shown(joined[0]) else None
        if summary:
            return msg.OPEN311_MERGED_SUMMARY.format(summary=summary)
        return msg.OPEN311_MERGED

    def submission(self, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The form as `intake.submit-issue.v1` data, or every reason it cannot be one."""
        problems = []
        code = fields.get("service_code")
        if not code:
            problems.append(msg.OPEN311_REQUIRED.format(field="service_code"))
        elif code not in self.topics:
            raise Open311Error(404, msg.OPEN311_NO_SERVICE.format(code=code))
        village = None
        if fields.get("address_id"):
            village = self.ref.village(str(fields["address_id"]))
        elif fields.get("address_string"):
            village = self.ref.village_by_name(str(fields["address_string"]))
        if village is None:
            problems.append(msg.OPEN311_VILLAGE.format(commune=self.ref.commune.name))
        if not str(fields.get("description") or "").strip():
            problems.append(msg.OPEN311_REQUIRED.format(field="description"))
        kind = str(fields.get("attribute[kind]") or "feedback")
        if kind not in PUBLIC_KINDS:
            problems.append(msg.OPEN311_KIND)
        if problems or village is None:
            raise Open311Error(400, *problems)
        return {
            "kind": kind,
            "channel": "online_portal",
            "content": fields["description"],
            "village_code": village.code,
            "topic_hint": code,
            "submitter": _person(fields),
            "received_at": now.isoformat(),  # received now, on the platform's clock
            "external_reference": (fields.get("device_id") or None),
        }

    async def _read(self, request: Request) -> None:
        """Reads are counted per key when one is shown, else per client address."""
        key, address = _shown_key(request), self.limits.client(request)
        if key is not None:
            sender = await self._key(key, address)
            await self._limited(self.limits.per_key, msg.OPEN311_TOO_MANY_FOR_KEY, "k", sender)
            return
        await self._limited(self.limits.reads, msg.OPEN311_TOO_MANY_READS, "r", address)

    async def list_requests(self, request: Request) -> Response:
        form, query = request.path_params["form"], request.query_params
        try:
            await self._read(request)
            found = await self.find(query.get("service_request_id"), query)
        except Open311Error as error:
            return _error(form, error)
        rows = [self.public(i) for i in found if shown(i)]
        return _answer(form, "service_requests", "request", rows)

    async def find(self, ids: str | None, query: Any) -> list[Issue]:
        """By ids (at most 100), or received in a window of at most 90 days (the latest 90), a
        page at a time (`page` from 1, `page_size` up to 200), filtered in the database: only
        recommendations and feedback are read at all."""
        wanted = [c for c in (ids or "").split(",") if c]
        if wanted:
            return await self.store.issues_by_code(wanted[:100])
        now = self.commands().clock.now()
        last = _moment(query.get("end_date"), "end_date") or now
        first = _moment(query.get("start_date"), "start_date") or last - WINDOW
        if last - first > WINDOW or first > last:
            raise Open311Error(400, msg.OPEN311_WINDOW)
        page, size = (
            _number(query, "page", 1, 10_000),
            _number(query, "page_size", PAGE_SIZE, MAX_PAGE_SIZE),
        )
        codes = [c for c in (query.get("service_code") or "").split(",") if c]
        states = {s for s in (query.get("status") or "").split(",") if s}
        unknown = states - {"open", "closed"}
        if unknown:
            raise Open311Error(400, msg.OPEN311_STATUS.format(status=", ".join(sorted(unknown))))
        statuses = [s for s in (*OPEN, *CLOSED) if _status(s) in states] if states else None
        return await self.store.public_issues(
            first, last, topics=codes or None, statuses=statuses, skip=(page - 1) * size, limit=size
        )

    async def one_request(self, request: Request) -> Response:
        form, code = request.path_params["form"], request.path_params["id"]
        try:
            await self._read(request)
        except Open311Error as error:
            return _error(form, error)
        found = await self.store.issues_by_code([code])
        rows = [self.public(i) for i in found if shown(i)]
        if not rows:  # a complaint or denunciation is as unknown here as a code never given
            return _error(form, Open311Error(404, msg.OPEN311_NO_REQUEST.format(code=code)))
        return _answer(form, "service_requests", "request", rows)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(f"{BASE}/services.{{form}}", _formed(self.services)),
                Route(f"{BASE}/services/{{code}}.{{form}}", _formed(self.definition)),
                Route(f"{BASE}/requests.{{form}}", _formed(self.requests), methods=["GET", "POST"]),
                Route(f"{BASE}/requests/{{id}}.{{form}}", _formed(self.one_request)),
            ]
        )


def _shown_key(request: Request) -> str | None:
    """A key given before any body: in the query string, or the X-Api-Key header."""
    return request.query_params.get("api_key") or request.headers.get("x-api-key")


def _status(status: str) -> str:
    return "closed" if status in CLOSED else "open"


def _number(query: Any, name: str, default: int, most: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise Open311Error(400, msg.OPEN311_NUMBER.format(name=name, most=most))
    return int(text)


def _person(fields: dict[str, Any]) -> dict[str, Any] | None:
    """Who posted it, if they said: their name and the contact they left for the answer."""
    name = " ".join(str(fields.get(f) or "").strip() for f in ("first_name", "last_name")).strip()
    phone, email = fields.get("phone") or None, fields.get("email") or None
    if not (name or phone or email):
        return None
    return {"full_name": name or None, "phone": phone, "email": email}


def _formed(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Only `.json` and `.xml`: any other ending is a 404 said in the spec's error form."""

    async def check(request: Request) -> Response:
        form = request.path_params["form"]
        if form not in ("json", "xml"):
            return _error("json", Open311Error(404, msg.OPEN311_FORMAT.format(form=form)))
        return await handler(request)

    return check


def open311_app(
    store: Store,
    ref: ReferenceData,
    commands: Callable[[], Pipeline],
    api_keys: dict[str, str],
    limits: Limits | None = None,
) -> Starlette:
    """The door, reading through `store` (outside any transaction)."""
    return Open311Door(store, ref, commands, api_keys, limits).app()
