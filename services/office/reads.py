"""What the office's pages read of the other services, over their /office/ doors (HTTP, with the
office's token): the words of a case never travel on the bus, so the queue reads them from
intake, which owns them."""

from __future__ import annotations

from typing import Any

import httpx


class ReadError(RuntimeError):
    """The owning service did not answer: the page says so instead of showing nothing."""


class Reads:
    def __init__(
        self,
        intake_url: str,
        registration_url: str,
        reporting_url: str,
        notification_url: str,
        token: str | None,
        timeout: float = 10,
    ) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.services = {
            name: httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout)
            for name, url in (
                ("intake", intake_url),
                ("registration", registration_url),
                ("reporting", reporting_url),
                ("notification", notification_url),
            )
        }

    async def close(self) -> None:
        for client in self.services.values():
            await client.aclose()

    async def _ask(self, service: str, path: str, **options: Any) -> httpx.Response:
        """One request to a service; one that does not answer is a ReadError, said in words."""
        try:
            return await self.services[service].get(path, **options)
        except httpx.HTTPError as exc:
            raise ReadError(f"dịch vụ {service} không trả lời ({exc.__class__.__name__})") from exc

    async def _get(self, service: str, path: str, commune: str, **params: str) -> Any:
        """`path` of `service`'s /office/ door, for one commune: a door answers only for its own."""
        answer = await self._ask(service, path, params={"commune": commune} | params)
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise ReadError(f"dịch vụ {service} trả lời {answer.status_code}: {answer.text[:200]}")
        return answer.json()

    async def open_issues(self, commune: str) -> list[dict[str, Any]]:
        found = await self._get("intake", "/office/issues", commune)
        return list(found["issues"]) if found else []

    async def issue(self, code: str, commune: str) -> dict[str, Any] | None:
        found = await self._get("intake", f"/office/issues/{code}", commune)
        return dict(found) if found else None

    async def conferences(self, commune: str) -> dict[str, Any]:
        found = await self._get("registration", "/office/sessions", commune)
        return dict(found) if found else {"sessions": [], "earliest_start": None}

    async def conference(self, session_id: str, commune: str) -> dict[str, Any] | None:
        found = await self._get("registration", f"/office/sessions/{session_id}", commune)
        if not found:
            return None
        return dict(found["session"]) | {k: v for k, v in found.items() if k != "session"}

    async def village_heads(self, commune: str) -> list[dict[str, Any]]:
        """Each village's head as notices reach them now, with every version the office set."""
        found = await self._get("registration", "/office/village-heads", commune)
        return list(found["villages"]) if found else []

    async def agencies(self, commune: str) -> list[dict[str, Any]]:
        """Each agency's office contact as intake writes to it now, with every version."""
        found = await self._get("intake", "/office/agencies", commune)
        return list(found["agencies"]) if found else []

    async def messages(self, cause: str, commune: str) -> list[dict[str, Any]]:
        """The messages of one cause, as notification keeps them (who, how, whether it arrived)."""
        found = await self._get("notification", "/office/messages", commune, cause=cause)
        return list(found["messages"]) if found else []

    async def dashboard(self, path: str, query: str, user: str) -> tuple[int, bytes, list[Any]]:
        """A page of reporting's dashboard, asked for as its login proxy (the person logged in
        here, with the viewer role): one set of accounts for the office and the dashboard."""
        headers = {"x-forwarded-user": user, "x-forwarded-groups": "viewer"}
        answer = await self._ask(
            "reporting", path + (f"?{query}" if query else ""), headers=headers
        )
        kept = ("content-type", "content-disposition", "content-security-policy")
        passed = [(k.encode(), v.encode()) for k, v in answer.headers.items() if k in kept]
        return answer.status_code, answer.content, passed

    async def document(self, path: str, user: str) -> tuple[bytes, str] | None:
        """A document of reporting's (the conference notice, the results announcement), asked
        for as the dashboard's pages are; None when reporting has none."""
        status, body, headers = await self.dashboard(path, "", user)
        media = dict(headers).get(b"content-type", b"application/octet-stream").decode()
        return (body, media) if status == 200 else None
