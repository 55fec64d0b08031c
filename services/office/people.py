"""The office's people: their accounts as the office's database holds them, the login door
(shared/login.py's hardening with argon2id hashes), and the development accounts `make up`
prints, one per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from services.office.accounts import Account, Passwords, Role
from services.office.store import OfficeStore
from shared.development_accounts import development_accounts as listed
from shared.logging import get_logger
from shared.login import LoginGuard, Verdict
from shared.reference import ReferenceData

log = get_logger(__name__)


def development_accounts(ref: ReferenceData) -> list[tuple[Account, str]]:
    """The development accounts (shared/development_accounts.py) with their passwords."""
    return [
        (
            Account(
                d.name,
                d.full_name,
                cast(Role, d.role),
                ref.commune.code,
                village=d.village,
                agency=d.agency,
            ),
            d.password,
        )
        for d in listed(ref)
    ]


@dataclass
class People:
    store: OfficeStore
    passwords: Passwords = field(default_factory=Passwords)
    accounts: dict[str, Account] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # the login door reads this, live
    guard: LoginGuard = field(init=False)

    def __post_init__(self) -> None:
        self.guard = LoginGuard(
            self.hashes, verify=lambda given, stored: self._check(stored, given)
        )

    def _check(self, stored: str, given: str) -> bool:
        return self.passwords.check(stored, given)

    async def load(self) -> None:
        found = await self.store.accounts()
        self.accounts.clear()
        self.hashes.clear()
        for name, (account, password_hash) in found.items():
            self.accounts[name], self.hashes[name] = account, password_hash

    async def put(self, account: Account, password: str, at: datetime, by: str) -> None:
        await self.store.put_account(account, self.passwords.hash(password), at, by)
        await self.load()

    async def seed_development(self, ref: ReferenceData, at: datetime) -> list[tuple[Account, str]]:
        """The development accounts, made once when the office has none (as last loaded)."""
        if self.accounts:
            return []
        made = development_accounts(ref)
        for account, password in made:
            await self.store.put_account(account, self.passwords.hash(password), at)
        await self.load()
        log.warning("office.development_accounts", accounts=[a.name for a, _ in made])
        return made

    async def login(self, name: str, password: str, address: str) -> tuple[Verdict, Account | None]:
        verdict = await self.guard.check(name, password, address)
        return verdict, self.accounts.get(name) if verdict.outcome == "ok" else None
