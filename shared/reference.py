"""The commune's reference data (villages, categories, agencies, topics), loaded from a data file."""

from __future__ import annotations

from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared import vi
from shared.contracts.common import OutcomeError
from shared.contracts.notification import Recipient
from shared.legal_days import LegalCalendar
from shared.text import fold


class _Ref(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Commune(_Ref):
    code: str = Field(pattern=r"^[A-Z]{1,6}$")  # the prefix of session ids and tracking codes
    # The commune's code in the 2025 list of administrative units (`nghedan reference check`).
    official_code: str | None = Field(default=None, pattern=r"^\d{5}$")
    name: str
    province: str
    voter_count: int = Field(ge=1)
    venue: str
    delegates_min: int = Field(ge=1)
    delegates_max: int = Field(ge=1)
    representatives_per_village: int = Field(ge=0)
    # The commune office (an agency's code): legal alarms with no other home and the plan's own
    # alarms (a village with no known head, an incomplete delegation, no dialogue this year).
    office_agency: str = "VP"
    # Who settles a denunciation received by the commune: the commune chairman, for the officials
    # the commune manages (Law on Denunciations 2018, Arts. 12-15), here the agency code that
    # stands for the chairman. A denunciation goes there, never by its topic to the office of
    # the person denounced; absent, the commune office.
    denunciation_agency: str | None = None


class Village(_Ref):
    code: str
    name: str
    source: Literal["seed", "placeholder", "commune"] = "commune"
    # The village head's contact, where the commune office keeps one: announcements go there
    # when no village head is registered for the conference.
    head_name: str | None = None
    head_phone: str | None = None
    head_email: str | None = None
    # Vùng sâu, vùng xa, đi lại khó khăn: a complaint from here is settled within 45 days (60 when
    # complex) instead of 30 (45) (Law on Complaints 2011, Art. 28).
    remote: bool = False


class Category(_Ref):
    code: str
    name: str
    per_village: int | Literal["quota"] | None = None


class Agency(_Ref):
    code: str
    name: str
    email: str | None = None  # the office's own address: where follow-up reminders go
    phone: str | None = None
    contact_source: Literal["seed", "placeholder", "commune", "office"] = "commune"

    def recipient(self) -> Recipient:
        """The agency as the addressee of a message: its name and office contacts."""
        return Recipient(name=self.name, phone=self.phone, email=self.email)


class Topic(_Ref):
    code: str
    name: str
    agency: str


class ReferenceData(_Ref):
    commune: Commune
    villages: list[Village] = Field(min_length=1)
    delegate_categories: list[Category]
    agencies: list[Agency]
    topics: list[Topic]
    # The media the results go to (the commune's radio, its web page, the press): Law 72/2025,
    # Art. 43 asks that they be made public there.
    media: list[Agency] = []
    # The commune's own compensatory days, beside the national holidays (Tết included): weekdays
    # made days off, and weekend days made working days, as the province decides each year.
    days_off: list[date] = []
    working_days: list[date] = []

    @cached_property
    def calendar(self) -> LegalCalendar:
        return LegalCalendar(self.days_off, self.working_days)

    @model_validator(mode="after")
    def _consistent(self) -> ReferenceData:
        agencies = {a.code for a in self.agencies}
        unknown = sorted({t.agency for t in self.topics} - agencies)
        if unknown:
            raise ValueError(f"chủ đề dẫn tới cơ quan không có trong danh sách: {unknown}")
        if self.commune.office_agency not in agencies:
            raise ValueError(
                f"văn phòng xã {self.commune.office_agency!r} không có trong danh sách"
            )
        settles = self.commune.denunciation_agency
        if settles is not None and settles not in agencies:
            raise ValueError(f"người giải quyết tố cáo {settles!r} không có trong danh sách")
        codes = [v.code for v in self.villages]
        if len(codes) != len(set(codes)):
            raise ValueError("mã thôn bị trùng")
        return self

    def village(self, code: str) -> Village | None:
        return next((v for v in self.villages if v.code == code), None)

    def is_remote(self, code: str) -> bool:
        """A village in a remote, hard-to-reach area (its complaints get longer limits)."""
        village = self.village(code)
        return bool(village and village.remote)

    def village_by_name(self, name: str) -> Village | None:
        """`Lân Luông`, `thôn Lân Luông` and `lan luong` all find Lân Luông."""
        wanted = fold(name).removeprefix("thon ")
        return next(
            (v for v in self.villages if fold(v.name).removeprefix("thon ") == wanted), None
        )

    def village_errors(self, code: str, field: str = "data.village_code") -> list[OutcomeError]:
        """The one reason a village code may be refused: it is not a village of this commune."""
        if self.village(code) is not None:
            return []
        text = vi.UNKNOWN_VILLAGE.format(code=code, commune=self.commune.name)
        return [OutcomeError(field=field, code="unknown_village", message=text)]

    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def office(self) -> Agency:
        """The commune office, where alarms go that no other agency answers for."""
        return next(a for a in self.agencies if a.code == self.commune.office_agency)

    def settles_denunciations(self) -> str:
        """The agency code of whoever settles the commune's denunciations (its chairman)."""
        return self.commune.denunciation_agency or self.commune.office_agency

    def answering(self, agency_code: str) -> Agency:
        """Who hears an alarm about an agency's work: the agency, or the office when the agency
        has no contact on file."""
        agency = self.agency(agency_code)
        return agency if agency and (agency.email or agency.phone) else self.office()

    def with_agency_contacts(self, kept: dict[str, dict[str, Any]]) -> ReferenceData:
        """This reference data with each agency's contact as the office last set it (`kept`, by
        agency code: `email`, `phone`), over the file's."""
        if not kept:
            return self
        agencies = [
            a.model_copy(
                update={
                    "email": kept[a.code].get("email"),
                    "phone": kept[a.code].get("phone"),
                    "contact_source": "office",
                }
            )
            if a.code in kept
            else a
            for a in self.agencies
        ]
        return self.model_copy(update={"agencies": agencies})

    def category(self, code: str) -> Category | None:
        return next((c for c in self.delegate_categories if c.code == code), None)

    def topic_codes(self) -> set[str]:
        return {t.code for t in self.topics}


@lru_cache(maxsize=8)
def load_reference_data(path: Path) -> ReferenceData:
    with open(path, encoding="utf-8") as handle:
        return ReferenceData.model_validate(yaml.safe_load(handle))
