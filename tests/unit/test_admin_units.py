"""The commune's reference data against the official 2025 list of administrative units
(`vietnamadminunits`), and a new commune's file started from that list by its code."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from deploy.cli import admin_units
from deploy.cli.main import app
from shared.reference import ReferenceData, load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA

runner = CliRunner()


def test_the_list_has_every_commune_level_unit_and_thien_tan_is_06436():
    units = admin_units.units()
    assert len(units) == 3321 and len({u.province for u in units.values()}) == 34
    assert units["06436"] == admin_units.Unit("06436", "Thiện Tân", "Xã", "Lạng Sơn", "20")


def test_the_shipped_commune_matches_the_official_list():
    assert admin_units.problems(load_reference_data(SHIPPED_REFERENCE_DATA).commune) == []
    done = runner.invoke(app, ["reference", "check"])
    assert done.exit_code == 0 and "Xã Thiện Tân, tỉnh Lạng Sơn (mã 06436" in done.output


def test_a_name_or_province_that_disagrees_with_the_code_is_named(tmp_path):
    data = yaml.safe_load(SHIPPED_REFERENCE_DATA.read_text(encoding="utf-8"))
    data["commune"] |= {"name": "Thiện Kỳ", "province": "Bắc Giang"}
    path = tmp_path / "xa.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = runner.invoke(app, ["reference", "check", "--file", str(path)])
    assert done.exit_code == 1
    assert "mã 06436 là Xã Thiện Tân, còn tệp ghi tên xã là Thiện Kỳ" in done.output
    assert "thuộc tỉnh Lạng Sơn, còn tệp ghi tỉnh Bắc Giang" in done.output


def test_a_new_commune_starts_from_the_list_by_its_code(tmp_path):
    code, unit = next((c, u) for c, u in admin_units.units().items() if c != "06436")
    out = tmp_path / "xa-moi.yaml"
    done = runner.invoke(
        app,
        [
            "reference",
            "new",
            "--code",
            code,
            "--prefix",
            "XM",
            "--villages",
            "12",
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    ref = ReferenceData.model_validate(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert (ref.commune.name, ref.commune.province, ref.commune.official_code) == (
        unit.name,
        unit.province,
        code,
    )
    assert len(ref.villages) == 12 and all(v.source == "placeholder" for v in ref.villages)
    assert all(a.email is None and a.contact_source == "placeholder" for a in ref.agencies)
    assert admin_units.problems(ref.commune) == []
    again = runner.invoke(
        app, ["reference", "new", "--code", code, "--prefix", "XM", "--out", str(out)]
    )
    assert again.exit_code == 2 and "--force" in again.output  # never overwritten unasked


def test_an_unknown_code_is_refused_clearly(tmp_path: Path):
    done = runner.invoke(
        app,
        [
            "reference",
            "new",
            "--code",
            "99999",
            "--prefix",
            "XM",
            "--out",
            str(tmp_path / "x.yaml"),
        ],
    )
    assert done.exit_code == 2 and "99999 không có trong danh mục" in done.output
