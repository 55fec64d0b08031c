"""A real headless browser (Debian's Chromium) for the dashboard: the DOM it built, a screenshot."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

PHONE = "390,1400"  # a phone's width; tall enough to show the page in one picture


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("cần Chromium của Debian: apt-get install chromium (make test cài nó)")
    return found


def _run(*args: str) -> str:
    command = [
        chromium(),
        "--headless=new",
        "--no-sandbox",  # tests run as root on these machines
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--lang=vi-VN",
        f"--window-size={PHONE}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def dom(url: str) -> str:
    """The page's DOM after the browser loaded and laid it out."""
    return _run("--dump-dom", url)


def screenshot(url: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(f"--screenshot={path}", url)
    return path


@asynccontextmanager
async def served(service: Any) -> AsyncIterator[str]:
    """A service's web app served over HTTP on a free port, as in production; its base URL."""
    import uvicorn

    from shared.health import health_app
    from tests.providers import free_port

    port = free_port()
    config = uvicorn.Config(
        health_app(service.probe, service.spec.web),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                await task  # it could not start: say why
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def http(base: str) -> Any:
    """An HTTP client for a served app."""
    import httpx

    return httpx.AsyncClient(base_url=base)
