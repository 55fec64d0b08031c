"""The login door's rules on their own: lockouts per name and per address that double, unknown
names treated as known ones, a success remembered (the clock is the test's own)."""

from __future__ import annotations

from shared.login import LoginGuard
from shared.passwords import hash_password

PASSWORD = "mat-khau-dung"


class Clock:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


def guard(**settings) -> tuple[LoginGuard, Clock, list[str]]:
    clock, checked = Clock(), []
    real = LoginGuard({}).verify

    def verify(password: str, stored: str) -> bool:
        checked.append(password)
        return real(password, stored)

    made = LoginGuard({"chanh-vp": hash_password(PASSWORD)}, now=clock, verify=verify, **settings)
    return made, clock, checked


async def test_five_failures_lock_the_name_even_for_the_right_password_and_it_doubles():
    door, clock, checked = guard()
    for n in range(5):
        assert (await door.check("chanh-vp", f"sai-{n}", f"10.0.0.{n}")).outcome == "wrong"
    locked = await door.check("chanh-vp", PASSWORD, "10.0.0.9")
    assert locked.outcome == "locked" and locked.retry_after == 31
    assert len(checked) == 5  # refused unchecked: a lockout costs no CPU
    assert door.status()["locked_accounts"] == ["chanh-vp"]
    clock.at += 31
    assert (await door.check("chanh-vp", "sai-nua", "10.0.0.9")).outcome == "wrong"
    assert (await door.check("chanh-vp", PASSWORD, "10.0.0.9")).retry_after == 61  # doubled
    clock.at += 61
    assert (await door.check("chanh-vp", PASSWORD, "10.0.0.9")).outcome == "ok"
    assert door.status()["locked_accounts"] == [] and door.locks_started == 2


async def test_an_unknown_name_is_checked_counted_and_locked_as_a_known_one():
    door, _clock, checked = guard()
    answers = [(await door.check("ai-do", "x", "10.0.0.1")).outcome for _ in range(5)]
    assert answers == ["wrong"] * 5 and len(checked) == 5  # a check of the same cost each time
    assert (await door.check("ai-do", "x", "10.0.0.2")).outcome == "locked"
    status = door.status()
    assert status["locked_accounts"] == [] and status["locked_unknown_names"] == 1


async def test_one_address_trying_many_names_is_locked_out():
    door, _clock, _checked = guard()
    for n in range(5):
        await door.check(f"ten-{n}", "x", "203.0.113.7")
    assert (await door.check("chanh-vp", PASSWORD, "203.0.113.7")).outcome == "locked"
    assert (await door.check("chanh-vp", PASSWORD, "203.0.113.8")).outcome == "ok"
    assert door.status()["locked_addresses"] == ["203.0.113.7"]


async def test_a_success_is_remembered_and_a_quiet_window_forgets_failures():
    door, clock, checked = guard()
    for _ in range(3):
        assert (await door.check("chanh-vp", PASSWORD, "10.0.0.1")).outcome == "ok"
    assert len(checked) == 1  # HTTP Basic sends it on every page: checked once
    for _ in range(4):
        await door.check("chanh-vp", "sai", "10.0.0.1")
    clock.at += 16 * 60  # past the window: counting starts again
    for _ in range(4):
        assert (await door.check("chanh-vp", "sai", "10.0.0.1")).outcome == "wrong"


def test_the_client_is_the_peer_unless_the_peer_is_our_proxy():
    from shared.login import client_address, networks

    proxies = networks("10.9.0.0/24, ::1/128")
    assert client_address("198.51.100.9", "1.2.3.4", proxies) == "198.51.100.9"  # not ours
    assert client_address("10.9.0.5", None, proxies) == "10.9.0.5"
    # what the client wrote comes first; the address our proxy saw, last
    assert client_address("10.9.0.5", "1.2.3.4, 203.0.113.7", proxies) == "203.0.113.7"
    assert client_address("10.9.0.5", "203.0.113.7, 10.9.0.6", proxies) == "203.0.113.7"
    assert client_address("10.9.0.5", "not-an-address", proxies) == "not-an-address"
