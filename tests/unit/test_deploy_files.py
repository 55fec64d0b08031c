"""What `nghedan deploy-secrets` and `nghedan dashboard-user` write, as the deployment reads it
(issue 26's defects 2, 4 and the umask of 5): each test failed on the files before the fix."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pathspec
from typer.testing import CliRunner

from deploy.cli.main import app
from deploy.cli.secrets import wanted
from services.reporting.access import parse_users

MONGOD_KEYFILE = re.compile(r"^[A-Za-z0-9+/=]{6,1024}$")  # mongod's rule for a key file


def test_the_mongo_key_file_is_always_one_mongod_accepts():
    make = wanted("localhost")["mongo_keyfile"]
    made = [make() for _ in range(50)]  # token_urlsafe broke the rule in ~87% of draws
    assert all(MONGOD_KEYFILE.fullmatch(key) for key in made), [
        k for k in made if not MONGOD_KEYFILE.fullmatch(k)
    ][:1]
    assert len(set(made)) == 50


def test_secrets_made_under_a_hardened_umask_are_still_readable_in_the_containers(tmp_path):
    before = os.umask(0o027)
    try:
        made = CliRunner().invoke(app, ["deploy-secrets", "--dir", str(tmp_path / "s")])
    finally:
        os.umask(before)
    assert made.exit_code == 0, made.output
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "s").iterdir()}
    assert modes and {m for m in modes.values()} == {0o644}, modes
    assert stat.S_IMODE((tmp_path / "s").stat().st_mode) == 0o700


def test_the_dashboard_user_recipe_appends_one_line_and_two_users_both_log_in(tmp_path):
    runner = CliRunner()
    users = tmp_path / "dashboard_users"
    for name in ("chanh-vp", "pho-chu-tich"):
        made = runner.invoke(
            app, ["dashboard-user", name], input="mot-mat-khau-dai\nmot-mat-khau-dai\n"
        )
        assert made.exit_code == 0, made.output
        with users.open("a", encoding="utf-8") as out:  # `… >> deploy/secrets/dashboard_users`
            out.write(made.stdout)
        # One line of output: the prompts and the hint went to standard error (CliRunner's
        # stand-in for the hidden prompt echoes a blank line where a terminal would show none).
        assert "Mật khẩu" in made.stderr and "Dòng dưới đây" in made.stderr
        assert len([line for line in made.stdout.splitlines() if line.strip()]) == 1
    parsed = parse_users(users.read_text(encoding="utf-8"))
    assert set(parsed) == {"chanh-vp", "pho-chu-tich"}
    assert {u.role for u in parsed.values()} == {"viewer"}
    assert set(parse_users("# tài khoản\na:viewer:scrypt.x.y, b:api:scrypt.x.y\n")) == {"a", "b"}


def test_the_secrets_are_never_sent_in_the_images_build_context():
    root = Path(__file__).resolve().parents[2]
    rules = (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = pathspec.PathSpec.from_lines("gitignore", rules)
    for path in ("deploy/secrets/mongo_keyfile", "deploy/secrets/office_data_key", "deploy/.env"):
        assert ignored.match_file(path), path
    assert not ignored.match_file("deploy/requirements.lock")  # what the image does need
