"""The documents open where people open them: each DOCX converted by LibreOffice (headless, as an
office would open it) keeps its layout, and each PDF is sound for pikepdf (qpdf's checks), A4,
with every font embedded. Tools we did not write are the judges."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pikepdf
import pytest
from pypdf import PdfReader

from services.reporting import announcement as doc
from services.reporting.conference_notice import ConferenceNotice
from shared.contracts.reporting import Matter, Participation
from tests.when import vn

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
A4 = (595, 842)  # points, rounded


def results() -> doc.Announcement:
    return doc.Announcement(
        commune="Thiện Tân",
        commune_code="TT",
        province="Lạng Sơn",
        session_id="TT-2026-DK1",
        session_kind="periodic",
        title="Hội nghị đối thoại định kỳ giữa chính quyền địa phương với Nhân dân xã Thiện Tân",
        venue="Hội trường Nhà văn hoá xã Thiện Tân",
        held_on=date(2026, 9, 25),
        issued_on=date(2026, 10, 2),
        document_number="123/TB-UBND",
        signer_title="CHỦ TỊCH",
        signer_name="Lý Hoàng Long",
        participation=Participation(
            delegates_expected=146,
            attended=130,
            officials_by_role={"official": 10},
            citizens_by_village={"LL": 5, "T02": 4},
            citizens_by_category={"village_head": 2, "peoples_representative": 7},
        ),
        matters=[
            Matter(
                ref="TT-2026-00001",
                kind="recommendation",
                topic="compensation",
                village_code="LL",
                raised_by_count=3,
                summary="Kiến nghị sớm chi trả tiền đền bù giải phóng mặt bằng",
                answer="Đã lập phương án chi trả",
                conclusion="Chi trả xong trước ngày 31/10/2026",
                responsible_agency="KT",
                deadline=date(2026, 10, 31),
            )
        ],
        chaired_by="Ông Lý Hoàng Long, Chủ tịch UBND xã",
    )


def notice() -> ConferenceNotice:
    return ConferenceNotice(
        commune="Thiện Tân",
        session_id="TT-2026-DK1",
        title="Hội nghị đối thoại định kỳ năm 2026",
        year=2026,
        format="hybrid",
        starts_at=vn(2026, 9, 25, 8),
        ends_at=None,
        venue="Hội trường Nhà văn hoá xã Thiện Tân",
        online_url="https://hop.thientan.example.vn/dt",
        announce_deadline=date(2026, 9, 18),
        issued_on=date(2026, 9, 1),
        capacity_min=120,
        capacity_max=150,
        organisers=[{"body": "peoples_committee", "role": "chairs", "representative": None}],
        categories=["Trưởng thôn", "Đại diện Nhân dân"],
        topics=["Đền bù, giải phóng mặt bằng"],
        agenda_summary=None,
        agenda_count=12,
        briefing=None,
    )


DOCUMENTS = [pytest.param(results, id="results"), pytest.param(notice, id="notice")]


def soffice() -> str:
    found = shutil.which("soffice")
    if not found:
        pytest.fail("LibreOffice is not installed: `make test` installs libreoffice-writer-nogui")
    return found


@pytest.mark.parametrize("build", DOCUMENTS)
def test_the_docx_opens_in_libreoffice_with_the_national_title_on_one_line(build, tmp_path):
    built = build()
    source = tmp_path / "van-ban.docx"
    source.write_bytes(doc.to_docx(built))
    profile = tmp_path / "profile"  # a profile of its own: parallel runs do not share a lock
    done = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = tmp_path / "van-ban.pdf"
    assert done.returncode == 0 and converted.exists(), done.stdout + done.stderr
    reader = PdfReader(converted)
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
    assert MOTTO in lines  # one line, as the grid now says 65/100 mm like its cells
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert any(line.startswith("Thiện Tân, ngày") for line in lines)
    assert "Nơi nhận:" in "\n".join(lines) and len(reader.pages) <= 3
    width, height = (round(float(v)) for v in reader.pages[0].mediabox[2:])
    assert (width, height) == A4


@pytest.mark.parametrize("build", DOCUMENTS)
def test_the_pdf_is_sound_a4_and_carries_its_fonts(build):
    built = build()
    with pikepdf.open(io.BytesIO(doc.to_pdf(built))) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf finds nothing wrong in its structure
        assert str(pdf.docinfo["/Title"]) == built.doc_title
        fonts = {}
        for page in pdf.pages:
            assert [round(float(v)) for v in page.MediaBox][2:] == list(A4)
            for name, font in page.Resources.Font.items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                fonts[name] = "/FontFile2" in descendant.FontDescriptor
        assert fonts and all(fonts.values()), fonts  # every font embedded: it prints anywhere


def test_the_issue_date_line_pads_days_1_to_9_and_months_1_and_2_only():
    from datetime import date

    from shared.vi import issue_date_line

    assert issue_date_line("Thiện Tân", date(2026, 2, 5)) == "Thiện Tân, ngày 05 tháng 02 năm 2026"
    assert issue_date_line("Thiện Tân", date(2026, 8, 10)) == "Thiện Tân, ngày 10 tháng 8 năm 2026"
    assert issue_date_line("Thiện Tân", date(2026, 10, 2)) == "Thiện Tân, ngày 02 tháng 10 năm 2026"
    assert issue_date_line("Thiện Tân", date(2027, 1, 31)) == "Thiện Tân, ngày 31 tháng 01 năm 2027"
    assert issue_date_line("Thiện Tân", date(2026, 3, 1)) == "Thiện Tân, ngày 01 tháng 3 năm 2026"
