"""The written notices the law requires of a complaint or a denunciation, each with its last day.

A step of a case (accepted, refused, transferred, extended, settled, suspended) says whom the law
tells and by when; the handler then reaches each: the complainant or denouncer by the phone or
email they left, or, when they left only a postal address, by a letter the commune office is asked
to send (the office is told what, to whom and by when, never the address); the parties the
platform keeps no contact of (the person denounced, the superior, the inspectorate, the body that
transferred the case) always by a letter the office sends. Each notice is recorded in the case,
with how it was given, so that its being on time can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from services.intake.domain import events

if TYPE_CHECKING:
    from services.intake.domain.issues import Issue

NoticeKind = Literal[
    "accepted",
    "refused",
    "transferred",
    "extended",
    "decision",
    "conclusion",
    "suspended",
    "publish",
]
Party = Literal[
    "submitter",  # the complainant or denouncer
    "denounced",  # the person denounced, and the body that manages them
    "superior",  # the head directly above whoever settled a complaint
    "related",  # those with related rights and obligations
    "transferring_body",  # the body that sent the case on
    "inspectorate",  # the state inspectorate of the same level
    "public",  # made public (Law on Denunciations 2018, Art. 40)
]
Channel = Literal["contact", "letter", "none"]

# What each notice is, in the words of the law, and the office's task for each party.
KIND_VI: dict[NoticeKind, str] = {
    "accepted": "thông báo thụ lý",
    "refused": "thông báo không thụ lý, nêu rõ lý do",
    "transferred": "thông báo chuyển đơn đến cơ quan có thẩm quyền",
    "extended": "thông báo gia hạn giải quyết",
    "decision": "quyết định giải quyết khiếu nại",
    "conclusion": "kết luận nội dung tố cáo",
    "suspended": "quyết định đình chỉ việc giải quyết",
    "publish": "công khai kết luận nội dung tố cáo (không nêu thông tin người tố cáo)",
}
PARTY_VI: dict[Party, str] = {
    "submitter": "người gửi đơn",
    "denounced": "người bị tố cáo và cơ quan, tổ chức quản lý người bị tố cáo",
    "superior": "thủ trưởng cấp trên trực tiếp của người giải quyết khiếu nại",
    "related": "người có quyền, nghĩa vụ liên quan",
    "transferring_body": "cơ quan, tổ chức, cá nhân đã chuyển đơn đến",
    "inspectorate": "cơ quan thanh tra nhà nước cùng cấp",
    "public": "công khai tại trụ sở UBND xã hoặc trên cổng thông tin điện tử của xã",
}


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    to: Party
    send_by: date
    basis: str  # the article that requires it, e.g. "Điều 31 Luật Khiếu nại 2011"
    params: dict[str, str] = field(default_factory=dict)  # what the person's message says

    @property
    def key(self) -> str:
        """The same notice asked twice is given once."""
        return f"{self.kind}:{self.to}:{self.send_by.isoformat()}"


def require(issue: Issue, *notices: Notice) -> None:
    """The step requires these notices: the handler gives them and records how."""
    issue.notices.extend(notices)


def record(issue: Issue, notice: Notice, channel: Channel, now: datetime) -> bool:
    """Record a notice as given (by a contact, by a letter the office sends, or with no way to
    reach the person); False when it was recorded before."""
    legal = issue.legal if issue.legal is not None else {}
    given = legal.setdefault("notices", [])
    if any(n["key"] == notice.key for n in given):
        return False
    given.append(
        {
            "key": notice.key,
            "kind": notice.kind,
            "to": notice.to,
            "send_by": notice.send_by.isoformat(),
            "basis": notice.basis,
            "by": channel,
            "at": now,
        }
    )
    issue.legal = legal
    return True


def give(issue: Issue, to_submitter: Channel, now: datetime) -> None:
    """Each notice the step requires, recorded in the case with how it goes — to the person who
    sent the case by `to_submitter` (their phone or email, a letter, or no way at all), to every
    other party by a letter the office sends — and recorded as given, once."""
    for notice in issue.notices:
        channel: Channel = to_submitter if notice.to == "submitter" else "letter"
        if record(issue, notice, channel, now):
            issue.events.append(events.NoticeGiven(issue, notice, channel))
