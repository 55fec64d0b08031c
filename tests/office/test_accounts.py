"""An operator makes a person's account with the CLI (`nghedan office-user`, through the office's
/admin/ door), and that person logs in in the browser; a wrong role or a short password is
refused in words and makes nothing."""

from __future__ import annotations

import asyncio
import getpass
import os
import subprocess
import sys
from pathlib import Path

NGHEDAN = str(Path(sys.executable).parent / "nghedan")


async def _office_user(url: str, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NGHEDAN_OFFICE_URL": url}
    return await asyncio.to_thread(
        subprocess.run,
        [NGHEDAN, "office-user", *args],
        input=f"{password}\n{password}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


async def test_an_operator_makes_an_account_and_the_person_logs_in(office, browser):
    made = await _office_user(
        office.url,
        "mot-mat-khau-dai",
        "chanh-vp",
        "--full-name",
        "Hoàng Thị Chánh",
        "--role",
        "clerk",
    )
    assert made.returncode == 0, made.stderr + made.stdout
    assert "Đã tạo tài khoản chanh-vp" in made.stdout
    wrong = await _office_user(
        office.url, "mot-mat-khau-dai", "ai-do", "--full-name", "Ai Đó", "--role", "admin"
    )
    assert wrong.returncode != 0 and "vai trò 'admin' không có" in wrong.stdout + wrong.stderr
    short = await _office_user(
        office.url, "ngan", "ngan", "--full-name", "Ngắn", "--role", "viewer"
    )
    assert short.returncode != 0 and "ít nhất 12 ký tự" in short.stdout + short.stderr
    head = await _office_user(
        office.url,
        "mot-mat-khau-dai",
        "tt-khac",
        "--full-name",
        "Ai Đó",
        "--role",
        "village_head",
        "--village",
        "ZZ",
    )
    assert head.returncode != 0 and "không có thôn ZZ" in head.stdout + head.stderr
    kept = {doc["_id"]: doc async for doc in office.office.db["accounts"].find({})}
    assert kept["chanh-vp"]["role"] == "clerk" and kept["chanh-vp"]["password_hash"].startswith(
        "$argon2id$"
    )
    assert not {"ai-do", "ngan", "tt-khac"} & set(kept)

    page = await browser.new_page()
    await page.goto(office.url + "/")
    await page.fill("#f-ten", "chanh-vp")
    await page.fill("#f-mat-khau", "mot-mat-khau-dai")
    await page.click("button[type=submit]")
    assert "Việc của Hoàng Thị Chánh" in await page.inner_text("main")
    await office.checked(page, "trang-dau")

    # the same person's role changed: the accounts page shows who changed what, and when
    changed = await _office_user(
        office.url,
        "mot-mat-khau-dai",
        "chanh-vp",
        "--full-name",
        "Hoàng Thị Chánh",
        "--role",
        "chair",
    )
    assert "Đã cập nhật tài khoản chanh-vp" in changed.stdout
    await page.goto(office.url + "/tai-khoan")  # a chair has no accounts page
    assert "không" in (await page.inner_text("main")).lower()
    await browser.clear_cookies()
    clerk = await browser.new_page()
    await office.login(clerk, "vanphong", "/tai-khoan")
    listed = await clerk.inner_text("table.contacts")
    assert "chanh-vp" in listed and "Hoàng Thị Chánh" in listed
    history = await clerk.inner_text("ol.history")
    assert (
        "chanh-vp: đổi vai trò thành Chủ tịch / Phó Chủ tịch" in history
        and f"{getpass.getuser()} (nghedan office-user)" in history
    )
    assert "chanh-vp: tạo mới (Văn phòng HĐND–UBND)" in history
    await office.checked(clerk, "tai-khoan")
