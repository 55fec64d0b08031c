"""Who may send which command: the table every service checks each command's broker-verified
AMQP user_id against, and from which the broker's own permissions are generated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from shared.contracts.catalogue import CATALOGUE, PROVINCIAL
from shared.messaging.topology import SERVICES, publishers_of

OPERATOR = "operator"
OFFICE = "office"  # the office's web application: people's commands, each checked by their role
DEVELOPMENT_USER = "guest"  # the local broker's user, on loopback only, with NGHEDAN_DEVELOPMENT=1
SHIPPED_SENDERS = Path(__file__).parent.parent / "reference_data" / "senders.yaml"
_USER_NAME = re.compile(r"[a-z][a-z0-9_]{1,31}")


class SendersError(ValueError):
    """The senders file names an unknown command, a bad user name, or an operator-only command."""


@dataclass(frozen=True)
class Senders:
    operator_only: frozenset[str]
    systems: dict[str, frozenset[str]]  # user -> the commands it may send
    reads: dict[str, frozenset[str]] = field(default_factory=dict)  # user -> exchanges it reads
    development: bool = False
    # The broker user of each service, where it is not named after the service (a shared broker).
    service_users: dict[str, str] = field(default_factory=dict)

    def allows(self, user: str | None, routing_key: str) -> bool:
        if not user:
            return False
        if user == OPERATOR or (self.development and user == DEVELOPMENT_USER):
            return True
        return routing_key in self.systems.get(user, frozenset())

    def may_publish(self, user: str | None, exchange: str, routing_key: str) -> bool:
        """Whether a message on `exchange` under `routing_key` may come from this broker user:
        only from the service the topology says publishes it (PUBLISHES)."""
        if not user:
            return False
        if self.development and user == DEVELOPMENT_USER:
            return True
        owners = publishers_of(exchange, routing_key)
        return any(self.service_users.get(s, s) == user for s in owners)

    def may_replay(self, user: str | None) -> bool:
        """Only the operator replays dead letters: then the original sender, kept with the letter,
        stands for the command (its permissions, its inbox key)."""
        return user == OPERATOR or (self.development and user == DEVELOPMENT_USER)


def amqp_user(url: str) -> str:
    """The user an AMQP URL logs in as (aio-pika's default: guest): what user_id must say."""
    return unquote(urlsplit(url).username or DEVELOPMENT_USER)


def parse_service_users(text: str) -> dict[str, str]:
    """`registration=nd_registration,intake=nd_intake`: each service's broker user, where it is
    not named after the service."""
    pairs = [p.strip() for p in text.split(",") if p.strip()]
    found = {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs if "=" in p)}
    wrong = [p for p in pairs if "=" not in p] + [s for s in found if s not in SERVICES]
    if wrong:
        raise SendersError(
            "NGHEDAN_SERVICE_USERS: " + ", ".join(wrong) + f" — dạng dịch_vụ=người_dùng, dịch vụ "
            f"là một trong {', '.join(SERVICES)}"
        )
    return found


def load_senders(
    path: Path = SHIPPED_SENDERS, *, development: bool = False, service_users: str = ""
) -> Senders:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    commands = {k for k, spec in CATALOGUE.items() if spec.kind == "command"}
    operator_only = frozenset(data.get("operator_only") or [])
    entries = {str(k): v or {} for k, v in (data.get("systems") or {}).items()}
    if OFFICE in entries:
        raise SendersError(f"{path}: “{OFFICE}” là ứng dụng của văn phòng, khai ở mục office:")
    office = frozenset((data.get(OFFICE) or {}).get("commands") or [])
    systems = {k: frozenset(v.get("commands") or []) for k, v in entries.items()}
    reads = {k: frozenset(v.get("reads") or []) for k, v in entries.items()}
    problems = [f"không có lệnh {k}" for k in sorted(operator_only - commands)]
    for user, exchanges in reads.items():
        problems += [f"{user}: chỉ đọc được {PROVINCIAL}" for x in exchanges if x != PROVINCIAL]
    for user, keys in systems.items():
        if not _USER_NAME.fullmatch(user) or user in (OPERATOR, DEVELOPMENT_USER):
            problems.append(f"tên người gửi “{user}” không hợp lệ (chữ thường, số, _)")
        problems += [f"{user}: không có lệnh {k}" for k in sorted(keys - commands)]
        problems += [f"{user}: {k} chỉ dành cho operator" for k in sorted(keys & operator_only)]
    problems += [f"{OFFICE}: không có lệnh {k}" for k in sorted(office - commands)]
    if problems:
        raise SendersError(f"{path}: " + "; ".join(problems))
    if office:  # the office may send the operator's commands it lists: it checks who may first
        systems[OFFICE] = office
    return Senders(operator_only, systems, reads, development, parse_service_users(service_users))
