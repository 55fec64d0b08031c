"""Who may do what in the office's pages: one account per person, a role, and the scope a role
is limited to (an agency officer their agency's matters, a village head their village). The
commune is a property of the account, never a constant: one deployment may serve many."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

Role = Literal["reception", "clerk", "chair", "agency", "village_head", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
Task = Literal[
    "read",  # the pages that only show
    "plan",  # conferences: create, schedule, brief, cancel, conclude
    "delegates",  # lists of delegates, cancellations
    "check_in",  # the conference day
    "reception",  # a paper, phone or in-person submission entered
    "queue",  # the office's queue: classify, route, accept or refuse, answers, conclusions
    "agency",  # an agency's own matters
    "village",  # a village head's own village
    "results",  # the results announcement
    "reference",  # village heads' and agencies' contacts
]
MAY: dict[Task, frozenset[Role]] = {
    "read": frozenset(ROLES),
    "plan": frozenset({"clerk", "chair"}),
    "delegates": frozenset({"clerk", "village_head"}),
    "check_in": frozenset({"clerk", "reception"}),
    "reception": frozenset({"reception", "clerk"}),
    "queue": frozenset({"clerk", "chair"}),
    "agency": frozenset({"agency"}),
    "village": frozenset({"village_head"}),
    "results": frozenset({"clerk", "chair"}),
    "reference": frozenset({"clerk"}),
}


class AccountError(ValueError):
    """An account that cannot be: a role it does not have, or a scope its role needs missing."""


@dataclass(frozen=True)
class Account:
    name: str  # the login name
    full_name: str  # who acted, as every command and the history say it
    role: Role
    commune: str  # the commune's code: every query and command is of this commune
    village: str | None = None  # a village head's village
    agency: str | None = None  # an agency officer's agency

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccountError(f"{self.name}: vai trò {self.role!r} không có")
        if self.role == "village_head" and not self.village:
            raise AccountError(f"{self.name}: Trưởng thôn cần mã thôn")
        if self.role == "agency" and not self.agency:
            raise AccountError(f"{self.name}: cán bộ cơ quan cần mã cơ quan")

    def may(self, task: Task, *, village: str | None = None, agency: str | None = None) -> bool:
        """Whether this person may do `task`, for that village or agency when it has one."""
        if self.role not in MAY[task]:
            return False
        if self.role == "village_head" and village is not None and village != self.village:
            return False
        return not (self.role == "agency" and agency is not None and agency != self.agency)


class Passwords:
    """Passwords kept as argon2id hashes (argon2-cffi's defaults, RFC 9106's second choice)."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def check(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def outdated(self, stored: str) -> bool:
        """Made with weaker parameters than today's: hashed again at the next login."""
        return self._hasher.check_needs_rehash(stored)
