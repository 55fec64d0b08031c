"""Viet Nam's administrative units since 1 July 2025 (34 provinces, 3,321 commune-level units),
from the `vietnamadminunits` package (MIT, the official list as SQLite): a commune's reference
data is checked against it, and a new commune's file is started from it by its code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from shared.reference import Commune
from shared.text import fold

FIELDS = ["wardCode", "ward", "wardShort", "wardType", "province", "provinceShort", "provinceCode"]


class AdminUnitsMissing(RuntimeError):
    """The list is not installed (an optional dependency of the operator's tools)."""


@dataclass(frozen=True)
class Unit:
    code: str  # 5 digits, e.g. 06436
    name: str  # Thiện Tân
    kind: str  # Xã, Phường, Đặc khu
    province: str  # Lạng Sơn
    province_code: str  # 20


@lru_cache(maxsize=1)
def units() -> dict[str, Unit]:
    try:
        from vietnamadminunits.database import get_data
    except ImportError as exc:
        raise AdminUnitsMissing(
            "thiếu danh mục đơn vị hành chính 2025: pip install 'vietnamadminunits>=1.0.4'"
        ) from exc
    rows = get_data(fields=FIELDS, table="admin_units")
    return {
        r["wardCode"]: Unit(
            r["wardCode"], r["wardShort"], r["wardType"], r["provinceShort"], r["provinceCode"]
        )
        for r in rows
    }


def problems(commune: Commune) -> list[str]:
    """What in a commune's reference data disagrees with the official list, in Vietnamese."""
    if not commune.official_code:
        return ["chưa có mã đơn vị hành chính (commune.official_code, 5 chữ số, ví dụ 06436)"]
    unit = units().get(commune.official_code)
    if unit is None:
        return [f"mã {commune.official_code} không có trong danh mục 3.321 đơn vị cấp xã năm 2025"]
    found = []
    if fold(unit.name) != fold(commune.name):
        found.append(
            f"mã {unit.code} là {unit.kind} {unit.name}, còn tệp ghi tên xã là {commune.name}"
        )
    if fold(unit.province) != fold(commune.province):
        found.append(
            f"mã {unit.code} thuộc tỉnh {unit.province}, còn tệp ghi tỉnh {commune.province}"
        )
    return found


def starter(code: str, prefix: str, villages: int, template: Path) -> dict[str, Any]:
    """A new commune's reference data from the official list: its name and province from the
    list, everything the list does not know (villages, voters, agencies' contacts) marked
    `placeholder` for the office to replace, the plan's categories, agencies and topics copied
    from `template`."""
    unit = units().get(code)
    if unit is None:
        raise KeyError(f"mã {code} không có trong danh mục 3.321 đơn vị cấp xã năm 2025")
    base: dict[str, Any] = yaml.safe_load(template.read_text(encoding="utf-8"))
    base["commune"] = {
        **base["commune"],
        "code": prefix,
        "official_code": unit.code,
        "name": unit.name,
        "province": unit.province,
        "voter_count_source": "placeholder",
        "venue": f"Hội trường Ủy ban nhân dân {unit.kind.lower()} {unit.name} (placeholder)",
    }
    base["villages"] = [
        {"code": f"T{n:02d}", "name": f"Thôn {n:02d}", "source": "placeholder"}
        for n in range(1, villages + 1)
    ]
    base["days_off"], base["working_days"] = [], []
    for agency in base["agencies"]:
        agency.pop("email", None)
        agency.pop("phone", None)
        agency["contact_source"] = "placeholder"
    return base
