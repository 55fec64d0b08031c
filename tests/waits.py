"""Waiting on signals, never on the clock: a service's own word that it is at rest, a number of
rounds of its periodic jobs, or a state in the service that owns it. A wait for rest gives up
only when nothing has moved for a while, a wait for a state when it has not come for as long; each
then says what was still missing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from shared.service import Service

STILL = 60.0  # seconds without any progress: the wait fails and says what was behind
LOOK = 0.05  # seconds between two looks


def at_rest(health: dict[str, Any]) -> bool:
    consumers = health.get("consumers") or []
    return (
        health.get("status") == "ok"
        and not any(q["waiting"] or q["in_flight"] for q in consumers)
        and not health.get("outbox_pending")
        and not health.get("retrying")
        and not any((health.get("owed") or {}).values())
    )


def motion(health: dict[str, Any]) -> tuple[Any, ...]:
    """What only grows while a service works: deliveries settled, outbox rows published."""
    consumers = health.get("consumers") or []
    return (
        health.get("outbox_published"),
        tuple(sorted((q["queue"], q.get("settled", 0)) for q in consumers)),
    )


def _behind(healths: dict[str, dict[str, Any]]) -> str:
    parts = []
    for name, health in healths.items():
        queues = [
            f"{q['queue']} chờ {q['waiting']}, đang xử lý {q['in_flight']}"
            for q in health.get("consumers") or []
            if q["waiting"] or q["in_flight"]
        ]
        owed = {k: v for k, v in (health.get("owed") or {}).items() if v}
        parts.append(
            f"{name}: {'; '.join(queues) or 'hàng đợi trống'}, outbox {health.get('outbox_pending')}"
            f", chờ thử lại {health.get('retrying')}, còn nợ {owed or 0}"
        )
    return " | ".join(parts)


async def _until_at_rest(
    look: Callable[[], Awaitable[dict[str, dict[str, Any]]]], still: float
) -> None:
    """Until every service is at rest in two looks in a row with nothing moved between them: a
    message handed from one service to the next between the looks would have moved a count."""
    loop = asyncio.get_running_loop()
    before, moved_at = None, loop.time()
    while True:
        healths = await look()
        moved = {name: motion(h) for name, h in healths.items()}
        resting = all(at_rest(h) for h in healths.values())
        if resting and moved == before:
            return
        if moved != before:
            before, moved_at = moved, loop.time()
        elif loop.time() - moved_at > still:
            raise AssertionError(f"không còn tiến triển sau {still:.0f} giây: {_behind(healths)}")
        await asyncio.sleep(LOOK)


async def settled(*services: Service, still: float = STILL) -> None:
    """Until the services (in this process) have handled everything sent to them so far and
    published everything they committed."""

    async def look() -> dict[str, dict[str, Any]]:
        return {s.spec.name + str(i): await s.probe() for i, s in enumerate(services)}

    await _until_at_rest(look, still)


async def platform_settled(ports: dict[str, int], still: float = STILL) -> None:
    """The same for services running as processes, read from their /health (name -> port)."""
    async with httpx.AsyncClient(timeout=10) as client:

        async def look() -> dict[str, dict[str, Any]]:
            return {
                name: (await client.get(f"http://127.0.0.1:{port}/health")).json()
                for name, port in ports.items()
            }

        await _until_at_rest(look, still)


async def rounds(service: Service, count: int = 2, still: float = STILL) -> None:
    """Until the service's periodic jobs have run `count` whole rounds from now (each ticker),
    woken at once rather than waited for."""
    loop = asyncio.get_running_loop()
    start, since = list(service.rounds), loop.time()
    while any(now < then + count for now, then in zip(service.rounds, start, strict=True)):
        if loop.time() - since > still:
            raise AssertionError(f"{service.spec.name}: công việc định kỳ không chạy thêm vòng nào")
        service.wake()
        await asyncio.sleep(LOOK)


async def until(state: Callable[[], Awaitable[Any]], what: str, still: float = STILL) -> Any:
    """Until `state()` returns something true (and return it): a state in the service that owns
    it (a message sent, an issue stored), not a count of tries."""
    loop = asyncio.get_running_loop()
    since = loop.time()
    while not (found := await state()):
        if loop.time() - since > still:
            raise AssertionError(f"chưa thấy sau {still:.0f} giây: {what}")
        await asyncio.sleep(LOOK)
    return found


async def quiet(*services: Service, still: float = STILL) -> None:
    """Until the services are at rest and two whole rounds of every one's periodic jobs change
    nothing: what a clock just moved makes them do (a reminder, an alarm) has been done, and
    what that set off in the others too."""
    while True:
        before = [s.relay.published for s in services]
        for service in services:
            await rounds(service, still=still)
        await settled(*services, still=still)
        if [s.relay.published for s in services] == before:
            return
