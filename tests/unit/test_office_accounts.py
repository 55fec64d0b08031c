"""The office's accounts: a role and its scope decide each task; passwords kept as argon2id."""

from __future__ import annotations

import pytest

from services.office.accounts import Account, AccountError, Passwords


def test_each_role_does_its_own_tasks_and_reads_the_rest():
    reception = Account("tiep-dan", "Nguyễn Thị Lan", "reception", "06436")
    chair = Account("chu-tich", "Hoàng Văn Bình", "chair", "06436")
    viewer = Account("xem", "Lý Văn Tâm", "viewer", "06436")
    assert reception.may("reception") and not reception.may("queue")
    assert chair.may("results") and chair.may("queue") and not chair.may("reception")
    assert viewer.may("read") and not any(
        viewer.may(task) for task in ("plan", "reception", "queue", "results", "reference")
    )


def test_a_village_head_acts_for_their_village_only_and_an_officer_for_their_agency_only():
    head = Account("truong-thon-ll", "Nông Văn Tài", "village_head", "06436", village="LL")
    officer = Account("dia-chinh", "Lăng Thị Hạnh", "agency", "06436", agency="KT")
    assert head.may("village", village="LL") and not head.may("village", village="T02")
    assert head.may("delegates", village="LL") and not head.may("delegates", village="T03")
    assert officer.may("agency", agency="KT") and not officer.may("agency", agency="VH")
    assert not officer.may("queue")


def test_an_account_without_the_scope_its_role_needs_is_refused():
    with pytest.raises(AccountError, match="Trưởng thôn cần mã thôn"):
        Account("truong-thon", "Nông Văn Tài", "village_head", "06436")
    with pytest.raises(AccountError, match="cần mã cơ quan"):
        Account("can-bo", "Lăng Thị Hạnh", "agency", "06436")
    with pytest.raises(AccountError, match="không có"):
        Account("ai-do", "Ai Đó", "admin", "06436")  # type: ignore[arg-type]


def test_a_password_is_kept_as_an_argon2id_hash_and_checked_against_it():
    passwords = Passwords()
    stored = passwords.hash("mật khẩu dài của văn phòng")
    assert stored.startswith("$argon2id$") and "mật khẩu" not in stored
    assert passwords.check(stored, "mật khẩu dài của văn phòng")
    assert not passwords.check(stored, "mat khau dai cua van phong")
    assert not passwords.check("scrypt.not-an-argon2-hash", "x")
    assert not passwords.outdated(stored)
