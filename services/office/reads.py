"""What the office's pages read of the other services, over their /office/ doors (HTTP, with the
office's token): the words of a case never travel on the bus, so the queue reads them from
intake, which owns them."""

from __future__ import annotations

from typing import Any

import httpx


class ReadError(RuntimeError):
    """The owning service did not answer: the page says so instead of showing nothing."""


class Reads:
    def __init__(self, intake_url: str, token: str | None, timeout: float = 10) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.intake = httpx.AsyncClient(base_url=intake_url, headers=headers, timeout=timeout)

    async def close(self) -> None:
        await self.intake.aclose()

    async def _get(self, path: str) -> Any:
        try:
            answer = await self.intake.get(path)
        except httpx.HTTPError as exc:
            raise ReadError(f"dịch vụ tiếp nhận không trả lời ({exc.__class__.__name__})") from exc
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise ReadError(f"dịch vụ tiếp nhận trả lời {answer.status_code}: {answer.text[:200]}")
        return answer.json()

    async def open_issues(self) -> list[dict[str, Any]]:
        found = await self._get("/office/issues")
        return list(found["issues"]) if found else []

    async def issue(self, code: str) -> dict[str, Any] | None:
        found = await self._get(f"/office/issues/{code}")
        return dict(found) if found else None
