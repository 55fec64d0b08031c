"""One login door for every page a person logs into (the dashboard now, the office's pages later).

- The password check (scrypt, ~¼ s of CPU) runs in a worker thread, never on the event loop, and
  at most `concurrency` at once; past `queue_limit` waiting, a login is told to come back
  (`busy`) instead of queueing CPU work without end. Consumers, the outbox and `/health` share
  the loop and keep going under a flood.
- Failures are counted per account name *and* per client address; past `free_failures` in a
  `window`, each is locked out for a time that doubles with every further failure, up to
  `max_lock`. A name that is no account is counted and locked the same way: nothing a visitor
  sees (answer, time, lockout) tells which names exist; an unknown name is checked against a
  dummy hash of the same cost.
- A login that succeeded is remembered (a digest of name, password and stored hash) for
  `remember` seconds, so HTTP Basic's credentials on every request do not cost a check each.
- The operator sees the lockouts: `status()` (in `/health` as `logins`), a log line and a metric
  each time one starts.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from shared import metrics
from shared.logging import get_logger
from shared.passwords import check_password, hash_password

log = get_logger(__name__)
Outcome = Literal["ok", "wrong", "locked", "busy"]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8,::1/128`: parsed once, so a mistyped network stops the start."""
    return tuple(ipaddress.ip_network(n.strip()) for n in text.split(",") if n.strip())


def within(text: str, trusted: Iterable[Network]) -> bool:
    """Whether an address (as text) is in one of these networks; anything else is not."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in net for net in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: Iterable[Network]) -> str:
    """Who is asking: the peer, or — when the peer is a proxy of ours — the nearest address in
    X-Forwarded-For that is not one (a client may write the header, but not past our proxy)."""
    trusted = tuple(trusted)
    if not forwarded_for or not within(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not within(hop, trusted):
            return hop
    return hops[0] if hops else peer


@functools.cache
def _dummy() -> str:
    """A hash of the same cost as a real one: an unknown name costs the same check as a known
    one. Made at the first unknown name, not when the module is imported (it costs a check)."""
    return hash_password("nghe-dan: no account of that name")


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    retry_after: int = 0  # seconds, when locked or busy


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass
class LoginGuard:
    accounts: Mapping[str, str]  # name -> stored password hash
    free_failures: int = 5
    window: float = 15 * 60
    base_lock: float = 30.0
    max_lock: float = 15 * 60
    concurrency: int = 1
    queue_limit: int = 8
    remember: float = 5 * 60
    now: Callable[[], float] = time.monotonic
    verify: Callable[[str, str], bool] = check_password  # (password, stored hash), in a thread
    _records: dict[str, _Record] = field(default_factory=dict)
    _remembered: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _waiting: int = 0
    _gate: asyncio.Semaphore | None = None
    locks_started: int = 0

    async def check(self, name: str, password: str, address: str) -> Verdict:
        now = self.now()
        keys = (f"account:{name}", f"address:{address}")
        locked = max((self._locked_for(k, now) for k in keys), default=0.0)
        if locked > 0:
            metrics.LOGINS.labels("locked").inc()
            return Verdict("locked", int(locked) + 1)
        stored = self.accounts.get(name)
        memo = hashlib.sha256(f"{name}\0{password}\0{stored}".encode()).hexdigest()
        if stored is not None and self._remembered.get(memo, 0.0) > now:
            return Verdict("ok")
        if self._waiting >= self.queue_limit:
            metrics.LOGINS.labels("busy").inc()
            return Verdict("busy", 1)
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.concurrency)
        self._waiting += 1
        try:
            async with self._gate:
                matches = await asyncio.to_thread(self.verify, password, stored or _dummy())
        finally:
            self._waiting -= 1
        now = self.now()
        if stored is not None and matches:
            for key in keys:
                self._records.pop(key, None)
            self._remember(memo, now)
            metrics.LOGINS.labels("ok").inc()
            return Verdict("ok")
        for key in keys:
            self._failed(key, name, address, now)
        metrics.LOGINS.labels("wrong").inc()
        return Verdict("wrong")

    def _locked_for(self, key: str, now: float) -> float:
        record = self._records.get(key)
        return max(0.0, record.locked_until - now) if record else 0.0

    def _failed(self, key: str, name: str, address: str, now: float) -> None:
        record = self._records.setdefault(key, _Record())
        if now - record.last > self.window:
            record.failures = 0
        record.failures += 1
        record.last = now
        beyond = record.failures - self.free_failures
        if beyond >= 0:
            seconds = min(self.max_lock, self.base_lock * 2**beyond)
            record.locked_until = now + seconds
            self.locks_started += 1
            log.warning(
                "login.locked",
                account=name if name in self.accounts else "(không có tài khoản này)",
                by=key.split(":", 1)[0],
                client=address,
                failures=record.failures,
                seconds=round(seconds),
            )
        if len(self._records) > 10_000:  # a flood of made-up names: forget the quiet ones
            quiet = [k for k, r in self._records.items() if r.locked_until <= now]
            for stale in quiet[: len(quiet) // 2]:
                del self._records[stale]

    def _remember(self, memo: str, now: float) -> None:
        self._remembered[memo] = now + self.remember
        self._remembered.move_to_end(memo)
        while len(self._remembered) > 1000:
            self._remembered.popitem(last=False)

    def status(self) -> dict[str, object]:
        """What the operator sees in /health: who is locked out now, and for how long."""
        now = self.now()
        locked = {k: r for k, r in self._records.items() if r.locked_until > now}
        return {
            "locked_accounts": sorted(
                k.split(":", 1)[1]
                for k in locked
                if k.startswith("account:") and k.split(":", 1)[1] in self.accounts
            ),
            "locked_unknown_names": sum(
                1
                for k in locked
                if k.startswith("account:") and k.split(":", 1)[1] not in self.accounts
            ),
            "locked_addresses": sorted(
                k.split(":", 1)[1] for k in locked if k.startswith("address:")
            ),
            "lockouts_started": self.locks_started,
            "checks_waiting": self._waiting,
        }
