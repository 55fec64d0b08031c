"""Thông báo kết quả đối thoại: built from the read models, laid out as Decree 30/2020/NĐ-CP asks.

One model (`Announcement`) and three forms: the JSON the province receives
(`dialogue.results.published.v1`), a DOCX the commune office edits and signs, and a PDF.
Citizens appear only as counts by village and category, never by name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from services.reporting.projections import OFFICIAL_CATEGORIES
from shared import vi
from shared.contracts.reporting import Matter, Participation, ResultsPublished
from shared.legal_days import RESULTS_WITHIN_VI, results_due
from shared.reference import ReferenceData
from shared.text import fmt

RECIPIENTS: tuple[str, ...] = (
    "Sở Nội vụ tỉnh (b/c)",
    "Thường trực Đảng ủy xã",
    "Thường trực HĐND xã",
    "CT, các PCT UBND xã",
    "UB MTTQ và các tổ chức chính trị - xã hội xã",
    "Các phòng, ban chuyên môn trực thuộc UBND xã",
    "Các ông, bà Trưởng thôn (thông báo trên loa truyền thanh)",
    "Niêm yết tại trụ sở UBND xã",
    "Lưu: VT",
)
KIND_VI = {
    "recommendation": "Kiến nghị",
    "feedback": "Phản ánh",
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
}
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


WITHHELD = "nội dung được giữ kín theo quy định"
NOT_APPROVED = "chưa có bản tóm tắt được duyệt để công bố"
# What an officer typed is public only once approved: until then, that it exists, not what it says.
ANSWER_NOT_APPROVED = "cơ quan đã có ý kiến trả lời; nội dung chưa được duyệt để công bố."
CONCLUSION_NOT_APPROVED = "Chủ tịch UBND xã đã kết luận; nội dung chưa được duyệt để công bố."
DENUNCIATIONS_COUNTED = (
    "Ngoài ra có {n} đơn tố cáo: nội dung và người tố cáo được giữ kín theo Luật Tố cáo 2018; "
    "các đơn được giải quyết theo trình tự riêng."
)


class OfficialText(Protocol):
    """What an administrative document (Decree 30/2020/NĐ-CP) laid out here needs: the results
    announcement and the conference notice alike."""

    commune: str
    signer_title: str
    signer_name: str | None

    @property
    def recipients(self) -> tuple[str, ...]: ...
    @property
    def doc_title(self) -> str: ...
    def date_line(self) -> str: ...
    def number_line(self) -> str: ...
    def heading(self) -> str: ...
    def sections(self) -> list[tuple[str, list[str]]]: ...


@dataclass
class Announcement:
    commune: str
    commune_code: str
    province: str
    session_id: str
    session_kind: str
    title: str
    venue: str
    held_on: date
    issued_on: date
    document_number: str | None
    signer_title: str
    signer_name: str | None
    participation: Participation
    matters: list[Matter]
    denunciations: int = 0  # counted, never listed with a village or a code
    chaired_by: str | None = None  # officials, with their office: who chaired, who concluded
    concluded_by: str | None = None
    village_names: dict[str, str] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    agency_names: dict[str, str] = field(default_factory=dict)
    topic_names: dict[str, str] = field(default_factory=dict)

    recipients = RECIPIENTS

    @property
    def doc_title(self) -> str:
        return f"Thông báo kết quả đối thoại {self.session_id}"

    @property
    def deadline(self) -> date:
        return results_due(self.held_on)

    @property
    def days_late(self) -> int:
        return max((self.issued_on - self.deadline).days, 0)

    def published(self, replay: bool = False) -> ResultsPublished:
        return ResultsPublished(
            commune_code=self.commune_code,
            commune_name=self.commune,
            province=self.province,
            session_id=self.session_id,
            session_kind=self.session_kind,  # type: ignore[arg-type]
            held_on=self.held_on,
            announced_on=self.issued_on,
            document_number=self.document_number,
            participation=self.participation,
            matters=self.matters,
            denunciations=self.denunciations,
            replay=replay,
        )

    def as_json(self) -> dict[str, Any]:
        data = self.published().model_dump(mode="json")
        data |= {
            "title": self.title,
            "results_deadline": self.deadline.isoformat(),
            "days_late": self.days_late,
            "late": self.days_late > 0,
            "signer": {"title": self.signer_title, "name": self.signer_name},
            "recipients": list(RECIPIENTS),
        }
        return data

    # --- the text, shared by DOCX and PDF ---------------------------------------------------

    def date_line(self) -> str:
        return vi.issue_date_line(self.commune, self.issued_on)

    def number_line(self) -> str:
        return f"Số: {self.document_number or '      /TB-UBND'}"

    def heading(self) -> str:
        return (
            f"Kết quả Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã "
            f"với Nhân dân xã {self.commune} ngày {fmt(self.held_on)}"
        )

    def _participants(self) -> list[str]:
        """Who took part: officials by role, the villages' delegates by category and village."""
        p = self.participation
        officials = [
            f"- {self.category_names.get(role, role)}: {n} người."
            for role, n in p.officials_by_role.items()
        ]
        villages = ", ".join(
            f"{self.village_names.get(v, v)}: {n}" for v, n in p.citizens_by_village.items()
        )
        categories = ", ".join(
            f"{self.category_names.get(c, c)}: {n}" for c, n in p.citizens_by_category.items()
        )
        citizens = sum(p.citizens_by_village.values())
        return [
            *officials,
            f"- Đại biểu các thôn: {citizens} người, gồm {categories}."
            if categories
            else "- Không có đại biểu thôn.",
            *([f"- Theo thôn: {villages}."] if villages else []),
        ]

    def _matters(self) -> tuple[list[str], list[str], list[str]]:
        """The matters raised, the answers given and the conclusions, numbered alike."""
        raised, answered, concluded = [], [], []
        for n, m in enumerate(self.matters, start=1):
            topic = self.topic_names.get(m.topic, m.topic)
            who = f"{m.raised_by_count} người nêu" if m.raised_by_count > 1 else "1 người nêu"
            place = self.village_names.get(m.village_code, m.village_code)
            raised.append(
                f"{n}. {KIND_VI.get(m.kind, m.kind)} ({topic}; {place}; {who}; mã {m.ref}): "
                f"{m.summary or (WITHHELD if m.kind == 'complaint' else NOT_APPROVED)}"
            )
            if m.answer or m.answered:
                answered.append(f"{n}. Về nội dung {m.ref}: {m.answer or ANSWER_NOT_APPROVED}")
            if m.conclusion or m.responsible_agency:
                agency = self.agency_names.get(m.responsible_agency or "", m.responsible_agency)
                deadline = fmt(m.deadline) if m.deadline else "không có"
                text = (m.conclusion or CONCLUSION_NOT_APPROVED).rstrip()
                text += "" if text.endswith((".", "!", ";")) else "."
                concluded.append(
                    f"{n}. Về nội dung {m.ref}: {text} Giao {agency} thực hiện, "
                    f"thời hạn {deadline}."
                )
        return raised, answered, concluded

    def sections(self) -> list[tuple[str, list[str]]]:
        """The body as (section heading, paragraphs); an empty heading is plain text."""
        p = self.participation
        led = [f"{self.chaired_by} chủ trì"] if self.chaired_by else []
        led += [f"{self.concluded_by} kết luận"] if self.concluded_by else []
        intro = (
            f"Ngày {fmt(self.held_on)}, tại {self.venue}, Ủy ban nhân dân xã "
            f"{self.commune} tổ chức {self.title[:1].lower() + self.title[1:]}. Hội nghị có "
            f"{p.attended}/{p.delegates_expected} đại biểu được mời tham dự"
            + (f"; {'; '.join(led)}" if led else "")
            + ". Ủy ban nhân dân xã thông báo kết quả hội nghị như sau:"
        )
        part = self._participants()
        raised, answered, concluded = self._matters()
        if self.denunciations:
            raised.append(DENUNCIATIONS_COUNTED.format(n=self.denunciations))
        timing = (
            f"Thông báo ban hành trong thời hạn {RESULTS_WITHIN_VI} (hạn {fmt(self.deadline)})."
            if not self.days_late
            else f"Thông báo ban hành chậm {self.days_late} ngày so với thời hạn "
            f"{fmt(self.deadline)} ({RESULTS_WITHIN_VI})."
        )
        closing = (
            "Ủy ban nhân dân xã đề nghị các cơ quan, đơn vị được giao nhiệm vụ khẩn trương "
            "thực hiện và báo cáo kết quả; Trưởng các thôn thông báo nội dung này đến Nhân dân "
            "trên hệ thống loa truyền thanh của thôn. " + timing
        )
        return [
            ("", [intro]),
            ("I. THÀNH PHẦN THAM DỰ", part),
            ("II. CÁC NỘI DUNG NHÂN DÂN KIẾN NGHỊ, PHẢN ÁNH", raised or ["Không có."]),
            ("III. Ý KIẾN TRẢ LỜI CỦA CÁC CƠ QUAN", answered or ["Không có."]),
            ("IV. KẾT LUẬN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ", concluded or ["Không có."]),
            ("", [closing]),
        ]


# --- DOCX ----------------------------------------------------------------------------------------


def to_docx(a: OfficialText) -> bytes:
    """The document as the office edits and signs it: A4, Times New Roman 14, Decree 30 layout."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    _docx_header(doc, a)
    _docx_body(doc, a)
    _docx_footer(doc, a)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _line(
    holder: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 14,
    align: Any = None,
) -> Any:
    """One paragraph of one run, justified unless told otherwise, no space after."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    par = holder.add_paragraph()
    run = par.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    par.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    par.paragraph_format.space_after = Pt(0)
    return par


def _columns(table: Any, *widths_mm: float) -> None:
    """Fixed widths in the grid and in every cell alike (LibreOffice follows the grid)."""
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _first_run(cell: Any, text: str, *, bold: bool, size: float, centred: bool = True) -> Any:
    """Write into a table cell's own first paragraph (a cell starts with an empty one)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.paragraphs[0].text = ""
    if centred:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = cell.paragraphs[0].add_run(text)
    run.bold, run.font.size = bold, Pt(size)
    return run


def _docx_header(doc: Any, a: OfficialText) -> None:
    """The issuing body and number on the left, the national motto, place and date on the right."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    center = WD_ALIGN_PARAGRAPH.CENTER
    top = doc.add_table(rows=1, cols=2)
    top.alignment = WD_TABLE_ALIGNMENT.CENTER
    _columns(top, 65, 100)  # 165 mm: the text width of an A4 page with 30/15 mm margins
    left, right = top.rows[0].cells
    _first_run(left, "ỦY BAN NHÂN DÂN", bold=False, size=13)
    _line(left, f"XÃ {a.commune.upper()}", bold=True, size=13, align=center)
    _line(left, "―――――", size=8, align=center)
    _line(left, a.number_line(), size=13, align=center)
    _first_run(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=center)
    _line(right, "―――――――――――", size=8, align=center)
    _line(right, a.date_line(), italic=True, size=14, align=center)


def _docx_body(doc: Any, a: OfficialText) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    center = WD_ALIGN_PARAGRAPH.CENTER
    _line(doc, "", size=8)
    _line(doc, "THÔNG BÁO", bold=True, size=14, align=center)
    _line(doc, a.heading(), bold=True, size=14, align=center)
    _line(doc, "―――――", size=8, align=center)
    for heading, paragraphs in a.sections():
        if heading:
            _line(doc, heading, bold=True)
        for text in paragraphs:
            par = _line(doc, text)
            par.paragraph_format.first_line_indent = Mm(10)
            par.paragraph_format.space_after = Pt(4)


def _docx_footer(doc: Any, a: OfficialText) -> None:
    """Who receives it on the left, the signature block on the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    center = WD_ALIGN_PARAGRAPH.CENTER
    bottom = doc.add_table(rows=1, cols=2)
    _columns(bottom, 75, 90)
    to, sign = bottom.rows[0].cells
    label = _first_run(to, "Nơi nhận:", bold=True, size=12, centred=False)
    label.italic = True
    for name in a.recipients:
        end = "." if name == a.recipients[-1] else ";"
        _line(to, f"- {name}{end}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _first_run(sign, "TM. ỦY BAN NHÂN DÂN", bold=True, size=14)
    _line(sign, a.signer_title, bold=True, align=center)
    for _ in range(4):
        _line(sign, "", align=center)
    _line(sign, a.signer_name or "", bold=True, align=center)


# --- PDF -----------------------------------------------------------------------------------------


def font_dir() -> Path:
    for candidate in FONT_DIRS:
        if (candidate / "LiberationSerif-Regular.ttf").exists():
            return candidate
    raise FileNotFoundError(
        "thiếu phông Liberation Serif (tương đương Times New Roman) để tạo PDF: "
        "cài gói Debian fonts-liberation2"
    )


def _cell(
    pdf: Any, text: str, w: float, style: str = "", size: float = 13, x: float | None = None
) -> None:
    pdf.set_font("Serif", style, size)
    if x is not None:
        pdf.set_x(x)
    pdf.multi_cell(w, 6, text, align="C", new_x="LEFT", new_y="NEXT")


def _pdf_heading(
    pdf: Any, a: OfficialText, width: float, left_w: float, right_w: float, y: float
) -> None:
    """The issuing body and number, the national motto and the date, then the title."""
    _cell(pdf, "ỦY BAN NHÂN DÂN", left_w, "", 12.5, 30)
    _cell(pdf, f"XÃ {a.commune.upper()}", left_w, "B", 12.5, 30)
    pdf.line(30 + left_w / 2 - 12, pdf.get_y() + 1.5, 30 + left_w / 2 + 12, pdf.get_y() + 1.5)
    pdf.ln(3)
    _cell(pdf, a.number_line(), left_w, "", 13, 30)
    bottom_left = pdf.get_y()
    pdf.set_y(y)
    _cell(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_w, "B", 12, 30 + left_w)
    _cell(pdf, "Độc lập - Tự do - Hạnh phúc", right_w, "B", 13, 30 + left_w)
    mid = 30 + left_w + right_w / 2
    pdf.line(mid - 28, pdf.get_y() + 1.5, mid + 28, pdf.get_y() + 1.5)
    pdf.ln(3)
    _cell(pdf, a.date_line(), right_w, "I", 13, 30 + left_w)
    pdf.set_y(max(bottom_left, pdf.get_y()) + 6)
    _cell(pdf, "THÔNG BÁO", width, "B", 14, 30)
    _cell(pdf, a.heading(), width, "B", 14, 30)
    pdf.line(30 + width / 2 - 15, pdf.get_y() + 2, 30 + width / 2 + 15, pdf.get_y() + 2)
    pdf.ln(5)


def _pdf_signature(pdf: Any, a: OfficialText, left_w: float, right_w: float) -> None:
    """The recipients and the signature block, kept together on one page."""
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:  # the recipients and the signature stay together
        pdf.add_page()
    y = pdf.get_y()
    pdf.set_font("Serif", "BI", 12)
    pdf.cell(left_w, 6, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    for name in a.recipients:
        end = "." if name == a.recipients[-1] else ";"
        pdf.multi_cell(left_w, 5, f"- {name}{end}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(y)
    _cell(pdf, "TM. ỦY BAN NHÂN DÂN", right_w, "B", 14, 30 + left_w)
    _cell(pdf, a.signer_title, right_w, "B", 14, 30 + left_w)
    pdf.ln(24)
    _cell(pdf, a.signer_name or "", right_w, "B", 14, 30 + left_w)


def to_pdf(a: OfficialText) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=20)
    fonts = font_dir()
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
        pdf.add_font("Serif", style, str(fonts / f"LiberationSerif-{name}.ttf"))
    pdf.set_title(a.doc_title)
    pdf.add_page()
    width = pdf.w - 45
    left_w, right_w = 70, width - 70
    y = pdf.get_y()

    _pdf_heading(pdf, a, width, left_w, right_w, y)
    for heading, paragraphs in a.sections():
        if heading:
            pdf.set_font("Serif", "B", 14)
            pdf.multi_cell(width, 7, heading, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "", 14)
        for text in paragraphs:
            pdf.multi_cell(width, 7, "      " + text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    _pdf_signature(pdf, a, left_w, right_w)
    return bytes(pdf.output())


# --- from the read models ------------------------------------------------------------------------


def participation(figures: dict[str, Any]) -> Participation:
    """Who took part: officials by role, the villages' delegates as counts; never a name."""
    by_category = {c: n.get("attended", 0) for c, n in figures.get("category", {}).items()}
    expected = figures.get("total", {}).get("confirmed", 0)
    return Participation(
        delegates_expected=expected,
        attended=figures.get("total", {}).get("attended", 0),
        officials_by_role={c: n for c, n in by_category.items() if c in OFFICIAL_CATEGORIES and n},
        citizens_by_village={
            v: n["attended"]
            for v, n in sorted(figures.get("citizens", {}).items())
            if n.get("attended")
        },
        citizens_by_category={
            c: n for c, n in by_category.items() if c not in OFFICIAL_CATEGORIES and n
        },
    )


def names(ref: ReferenceData) -> dict[str, dict[str, str]]:
    return {
        "village_names": {v.code: v.name for v in ref.villages},
        "category_names": {c.code: c.name for c in ref.delegate_categories},
        "agency_names": {a.code: a.name for a in ref.agencies},
        "topic_names": {t.code: t.name for t in ref.topics},
    }
