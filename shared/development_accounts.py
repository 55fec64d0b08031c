"""The office's development accounts, one per role, for trying the pages on one's own machine
(never with real data): what the office makes on its first start in development, and what
`make up` and `make demo` print. The password of each is `thu-<name>`."""

from __future__ import annotations

from dataclasses import dataclass

from shared.reference import ReferenceData


@dataclass(frozen=True)
class DevelopmentAccount:
    name: str
    full_name: str
    role: str
    role_vi: str
    village: str | None = None
    agency: str | None = None

    @property
    def password(self) -> str:
        return f"thu-{self.name}"


def development_accounts(ref: ReferenceData) -> list[DevelopmentAccount]:
    village = ref.villages[0]
    # an agency that topics are routed to (Kinh tế in Thiện Tân), so its queue is not empty
    routed = next(t.agency for t in ref.topics if t.agency != ref.commune.office_agency)
    agency = next(a for a in ref.agencies if a.code == routed)
    head = village.head_name or f"Trưởng thôn {village.name}"
    return [
        DevelopmentAccount("motcua", "Lê Thị Một Cửa", "reception", "Bộ phận một cửa"),
        DevelopmentAccount("vanphong", "Trần Văn Phòng", "clerk", "Văn phòng HĐND–UBND"),
        DevelopmentAccount("chutich", "Nguyễn Chủ Tịch", "chair", "Chủ tịch UBND xã"),
        DevelopmentAccount(
            "coquan", f"Cán bộ {agency.name}", "agency", f"Cán bộ {agency.name}", agency=agency.code
        ),
        DevelopmentAccount(
            "truongthon", head, "village_head", f"Trưởng thôn {village.name}", village=village.code
        ),
        DevelopmentAccount("xem", "Người Xem", "viewer", "Chỉ xem"),
    ]
