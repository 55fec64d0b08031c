"""A real headless browser (Debian's Chromium) for the dashboard: the DOM it built, a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
