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
        health_app(  # development: the doors ask for no token
            service.probe, service.spec.web, None, service.spec.admin, None, service.spec.office
        ),
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


# --- Playwright driving Debian's Chromium (the office's pages) ----------------------------------

AXE = Path(__file__).parent.parent / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts" / "office"
SERIOUS = ("serious", "critical")


@asynccontextmanager
async def phone() -> AsyncIterator[Any]:
    """A fresh browser context the size of a small phone (360 px wide), in Vietnamese. What went
    wrong in its pages is kept in `context.errors`: a console error (a script or style the CSP
    refused, a script that failed) and a file of a page that did not load (a page itself may
    answer 4xx: a refused form is one)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=chromium())
        context = await browser.new_context(
            viewport={"width": 360, "height": 740}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.errors = []

        def console(message: Any) -> None:
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                context.errors.append(message.text)

        def response(answer: Any) -> None:
            if answer.status >= 400 and answer.request.resource_type != "document":
                context.errors.append(f"{answer.status} {answer.url}")

        context.on("console", console)
        context.on("response", response)
        try:
            yield context
        finally:
            await browser.close()


async def axe_violations(page: Any) -> list[tuple[str, str, str]]:
    """axe-core's serious and critical violations of the page as it stands: (rule, impact, where).
    It is evaluated through the browser's debugging protocol, which the page's CSP does not stop
    (the page itself runs no inline script)."""
    if not AXE.is_file():
        raise RuntimeError("cần axe-core: npm ci --prefix tools/axe (make test cài nó)")
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).join(', ')]))"
    )
    return [tuple(v) for v in found if v[1] in SERIOUS]


async def snapshot(page: Any, name: str) -> Path:
    """The page in test-artifacts/office/<name>.png, whole."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
