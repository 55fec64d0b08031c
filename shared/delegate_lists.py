"""A village head's list of delegates (CSV or XLSX), read into one register-delegate command per
row and a report per row: what the operator's CLI imports and the office's page uploads."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from shared.reference import ReferenceData
from shared.text import fold

IMPORT_SOURCE = "/nghedan/cli/import"
_NAMESPACE = uuid.UUID("6f1c1f5e-3c55-4d8e-9a57-4b1f0c3e2d10")

# Column headings a village head writes, folded (no diacritics, lower case) -> command field.
HEADINGS = {
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "full_name": "full_name",
    "name": "full_name",
    "so cccd": "citizen_id",
    "cccd": "citizen_id",
    "so dinh danh": "citizen_id",
    "citizen_id": "citizen_id",
    "ngay sinh": "date_of_birth",
    "date_of_birth": "date_of_birth",
    "gioi tinh": "gender",
    "gender": "gender",
    "thon": "village_code",
    "ma thon": "village_code",
    "village": "village_code",
    "village_code": "village_code",
    "thanh phan": "category",
    "category": "category",
    "chuc vu": "position",
    "position": "position",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "phone": "phone",
    "email": "email",
    "thu dien tu": "email",
}
GENDERS = {"nam": "male", "male": "male", "nu": "female", "female": "female"}


@dataclass
class Row:
    number: int  # the row number as the spreadsheet shows it (headings are row 1)
    values: dict[str, Any]
    unknown_columns: list[str]


def read_rows(path: Path) -> list[Row]:
    return rows_of(path.name, path.read_bytes())


def rows_of(name: str, content: bytes) -> list[Row]:
    """The rows of a list sent as a file named `name` (.csv or .xlsx); ValueError, in words a
    village head reads, when it is neither or cannot be read."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(f"không đọc được tệp Excel {name}: {exc}") from exc
        table = [list(r) for r in sheet.iter_rows(values_only=True)] if sheet else []
    elif suffix == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"tệp {name} không phải chữ UTF-8 (lưu lại dạng CSV UTF-8)") from exc
        table = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    else:
        raise ValueError(f"chỉ nhận tệp .csv hoặc .xlsx, không nhận {suffix or name}")
    if not table:
        return []
    headings = [HEADINGS.get(fold(str(h or ""))) for h in table[0]]
    unknown = [
        str(h)
        for h, f in zip(table[0], headings, strict=True)
        if f is None and h and fold(str(h)) not in ("stt", "so thu tu", "ghi chu")
    ]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(c in (None, "") for c in cells):
            continue
        values = {f: c for f, c in zip(headings, cells, strict=False) if f and c not in (None, "")}
        rows.append(Row(number, values, unknown))
    return rows


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text  # the service names what is wrong with it


def to_command_data(row: Row, session_id: str, ref: ReferenceData) -> dict[str, Any]:
    """Map a row to the command's data; what cannot be mapped is sent as written, to be refused."""
    data: dict[str, Any] = {"session_id": session_id}
    for key, value in row.values.items():
        text = str(value).strip()
        if key == "date_of_birth":
            data[key] = _date(value)
        elif key == "citizen_id":
            data[key] = text.replace(" ", "").replace(".", "").zfill(12) if text.isdigit() else text
        elif key == "gender":
            data[key] = GENDERS.get(fold(text), text)
        elif key == "village_code":
            village = ref.village(text) or ref.village_by_name(text)
            data[key] = village.code if village else text
        elif key == "category":
            category = next(
                (
                    c.code
                    for c in ref.delegate_categories
                    if fold(c.name) == fold(text) or c.code == text
                ),
                None,
            )
            data[key] = category or text
        elif key == "phone":
            data[key] = text.replace(" ", "").replace(".", "")
        else:
            data[key] = text
    data.setdefault("full_name", "")
    return data


def command_id(session_id: str, data: dict[str, Any]) -> str:
    """The same row of the same list for the same session always makes the same command id."""
    canonical = "|".join(f"{k}={data[k]}" for k in sorted(data))
    return str(
        uuid.uuid5(_NAMESPACE, hashlib.sha256(f"{session_id}|{canonical}".encode()).hexdigest())
    )


def build_commands(rows: list[Row], session_id: str, ref: ReferenceData) -> list[dict[str, Any]]:
    commands = []
    for row in rows:
        data = to_command_data(row, session_id, ref)
        commands.append(
            {
                "specversion": "1.0",
                "id": command_id(session_id, data),
                "source": IMPORT_SOURCE,
                "type": "vn.nghedan.registration.register-delegate.v1",
                "data": data,
            }
        )
    return commands


BATCH_TYPE = "vn.nghedan.registration.register-delegates.v1"


def batches(commands: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    """The rows' commands as `register-delegates` commands of up to `size` rows, in order.

    Each batch has a new id; a row keeps its own (from its content), so a row sent again is
    answered `duplicate` however the rows are batched."""
    parts = []
    for start in range(0, len(commands), size):
        rows = commands[start : start + size]
        session_id = rows[0]["data"]["session_id"]
        parts.append(
            {
                "rows": rows,
                "command": {
                    "specversion": "1.0",
                    "id": str(uuid.uuid4()),
                    "source": IMPORT_SOURCE,
                    "type": BATCH_TYPE,
                    "subject": session_id,
                    "data": batch_data(session_id, rows),
                },
            }
        )
    return parts


def batch_data(session_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """`register-delegates`' data for rows of `{id, data}`: each row's data without the session."""
    return {
        "session_id": session_id,
        "rows": [
            {"id": row["id"], "data": {k: v for k, v in row["data"].items() if k != "session_id"}}
            for row in rows
        ],
    }


def row_outcomes(part: dict[str, Any], outcome: dict[str, Any]) -> list[dict[str, Any]]:
    """Each row's outcome from its batch's: the row's own when the batch was taken, else the
    batch's refusal (or its missing outcome) for every row."""
    rows = (outcome.get("result") or {}).get("rows")
    if outcome.get("status") in ("accepted", "duplicate") and rows is not None:
        return list(rows)
    return [
        {
            "command_id": row["id"],
            "status": outcome.get("status", "no_outcome"),
            "errors": outcome.get("errors", []),
        }
        for row in part["rows"]
    ]


STATUS_VI = {
    "accepted": "đã nhận",
    "duplicate": "đã nhận trước đó",
    "rejected": "bị từ chối",
    "no_outcome": "chưa có kết quả",
}
PLACE_VI = {"confirmed": "chính thức", "waiting": "danh sách chờ"}


def report_line(row: Row, outcome: dict[str, Any]) -> dict[str, str]:
    """One row of the report: no personal data, only the row number, the code and the reasons."""
    result = outcome.get("result") or {}
    place = PLACE_VI.get(result.get("status", ""), "")
    if result.get("waiting_position"):
        place += f" (thứ {result['waiting_position']})"
    reasons = "; ".join(
        f"{e.get('field', '')}: {e.get('message', '')}" for e in outcome.get("errors", [])
    )
    return {
        "dòng": str(row.number),
        "kết quả": STATUS_VI.get(outcome.get("status", ""), "?"),
        "mã đăng ký": result.get("registration_code", ""),
        "vị trí": place,
        "lý do": reasons,
    }


def write_report(path: Path, lines: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["dòng", "kết quả", "mã đăng ký", "vị trí", "lý do"]
        )
        writer.writeheader()
        writer.writerows(lines)
