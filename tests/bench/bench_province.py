"""Benchmark: the province's read models — 168 communes × 150 delegates × 500 issues × 3 years —
answered from reporting's collections, as a province's dashboard would ask them.

The collections have reporting's own shape (`r_sessions`, `r_delegates`, `r_issues`, `r_figures`),
each document carrying its commune; they are filled straight through PyMongo (building them event
by event would take hours on the embedded server), then each question is asked through reporting's
own store (`ReadModels`), on the indexes reporting makes, 50 times for a random commune, session
or quarter, and timed from the client. Reporting's store does not yet know communes (ROADMAP,
province scale): its list questions answer for every commune at once. Nothing here asserts a
speed.

Run with `python -m tests.bench.bench_province [communes]` (168 by default); `make bench` runs it.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from services.reporting.store import ReadModels
from shared.logging import configure_logging
from shared.storage import Database, connect
from tests.bench.common import bench_infra, percentiles
from tests.conftest import Infra
from tests.when import wall_now

DELEGATES, ISSUES, YEARS = 150, 500, (2024, 2025, 2026)
KINDS = ("recommendation", "feedback", "complaint", "denunciation")
STATES = ("received", "classified", "answered", "concluded", "in_followup", "resolved")
ASKED = 50
CHUNK = 5_000


def commune_code(n: int) -> str:
    return f"{6000 + n:05d}"


def documents(communes: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(7)
    sessions, delegates, issues, figures = [], [], [], []
    for c in range(communes):
        commune = commune_code(c)
        for year in YEARS:
            session = f"{commune}-{year}-DK1"
            sessions.append(
                {"_id": session, "commune": commune, "year": year, "status": "concluded"}
            )
            figures.append(
                {
                    "_id": f"session:{session}",
                    "commune": commune,
                    "total": {"confirmed": DELEGATES, "attended": DELEGATES - 8},
                    "village": {f"T{v:02d}": {"confirmed": 6} for v in range(1, 27)},
                }
            )
            delegates += [
                {
                    "_id": f"{session}-{d:03d}",
                    "commune": commune,
                    "session_id": session,
                    "village": f"T{d % 26 + 1:02d}",
                    "status": "confirmed",
                }
                for d in range(DELEGATES)
            ]
            for q in range(1, 5):
                figures.append(
                    {
                        "_id": f"period:{commune}:{year}-Q{q}",
                        "commune": commune,
                        "kind": {k: rng.randint(5, 60) for k in KINDS},
                    }
                )
            for i in range(ISSUES):
                issues.append(
                    {
                        "_id": f"TT{commune}-{year}-{i:05d}",
                        "commune": commune,
                        "session_id": session,
                        "period": f"{year}-Q{i % 4 + 1}",
                        "kind": KINDS[i % 4],
                        "topic": "compensation",
                        "village": f"T{i % 26 + 1:02d}",
                        "state": STATES[rng.randrange(len(STATES))],
                        "overdue": rng.random() < 0.1,
                        "summary": "Đề nghị sửa chữa tuyến đường liên thôn đã xuống cấp.",
                    }
                )
    return {
        "r_sessions": sessions,
        "r_delegates": delegates,
        "r_issues": issues,
        "r_figures": figures,
    }


async def timed(ask: Callable[[], Awaitable[Any]]) -> list[float]:
    times = []
    for _ in range(ASKED):
        started = time.perf_counter()
        await ask()
        times.append(time.perf_counter() - started)
    return times


async def measure(infra: Infra, communes: int) -> list[str]:
    client = connect(infra.mongo_url, app_name="bench-province")
    models = ReadModels(Database(client, f"{infra.db_prefix}province"))
    started = time.perf_counter()
    total = 0
    for name, docs in documents(communes).items():
        for at in range(0, len(docs), CHUNK):
            await models.db[name].insert_many(docs[at : at + CHUNK], ordered=False)
        total += len(docs)
    loaded = time.perf_counter() - started
    await models.ensure_indexes()  # reporting's own indexes, nothing added for the bench
    rng = random.Random(11)

    def a_commune() -> str:
        return commune_code(rng.randrange(communes))

    def a_session() -> str:
        return f"{a_commune()}-{rng.choice(YEARS)}-DK1"

    def a_quarter() -> str:
        return f"{rng.choice(YEARS)}-Q{rng.randint(1, 4)}"

    async def session_figures() -> None:
        await models.figures.find_one({"_id": f"session:{a_session()}"})

    async def quarter_figures() -> None:
        await models.figures.find_one({"_id": f"period:{a_commune()}:{a_quarter()}"})

    async def overdue_of_quarter() -> None:
        await models.overdue_in(a_quarter())

    async def conferences() -> None:
        await models.sessions()

    async def matters_of_session() -> None:
        await models.matters(a_session(), excluded=())

    questions = {
        "a session's figures (by id)": session_figures,
        "a quarter's figures of a commune (by id)": quarter_figures,
        "a quarter's overdue matters (`overdue_in`: every commune's)": overdue_of_quarter,
        "the conferences (`sessions`: every commune's)": conferences,
        "the matters of one conference (`matters`: 500)": matters_of_session,
    }
    lines = [
        f"{wall_now():%Y-%m-%d %H:%M} UTC: {communes} communes × {DELEGATES} delegates × "
        f"{ISSUES} issues × {len(YEARS)} years = {total:,} documents, loaded in {loaded:.0f} s, "
        "asked through reporting's own store (`ReadModels`) on its own indexes. Each question "
        f"asked {ASKED} times:",
        "",
        "| question | p50 | p95 | p99 |",
        "|---|---:|---:|---:|",
    ]
    for name, ask in questions.items():
        p50, p95, p99 = percentiles(await timed(ask))
        lines.append(
            f"| {name} | {p50 * 1000:.1f} ms | {p95 * 1000:.1f} ms | {p99 * 1000:.1f} ms |"
        )
    await client.drop_database(models.db.db.name)
    await client.close()
    return lines


def main(communes: int) -> str:
    configure_logging("bench", "WARNING")
    with bench_infra() as infra:
        report = "\n".join(asyncio.run(measure(infra, communes)))
    print(report)
    return report


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 168)
