"""What `nghedan deploy-secrets` and `nghedan dashboard-user` write, as the deployment reads it
and what the compose file and the image give the containers (issue 26's defects): each test failed
on the files before its fix."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

import pathspec
import yaml
from typer.testing import CliRunner

from deploy.cli.main import app
from deploy.cli.secrets import SERVICES, wanted
from services.reporting.access import parse_users
from tests.compose.files import compose_as_run

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
    made_files = [p for p in (tmp_path / "s").rglob("*") if p.is_file()]
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in made_files}
    assert modes.pop("rabbitmq_tls_ca_key.pem") == 0o600  # mounted in no container
    assert modes and {m for m in modes.values()} == {0o644}, modes
    assert stat.S_IMODE((tmp_path / "s" / "systems").stat().st_mode) == 0o755  # a mounted folder
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


ROOT = Path(__file__).resolve().parents[2]
OURS = SERVICES  # the platform's own services, one image


def test_the_image_owns_every_folder_a_named_volume_is_mounted_on_for_its_user():
    """Defects 1 and 3: a fresh named volume takes the owner of the image's folder; a folder the
    image lacks is made root's, and the services' user (10001) could not write there."""
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    owned = {
        path
        for line in re.findall(r"chown nghedan:nghedan ([^;\\\n]+)", dockerfile)
        for path in line.split()
    }
    compose = compose_as_run()
    named = set(compose["volumes"])
    for name, service in compose["services"].items():
        if service.get("image") != "nghedan:latest":
            continue
        for mount in service.get("volumes", []):
            source, target = mount.split(":")[:2]
            if source in named:
                assert target in owned, f"{name}: {target} is not the image's user's"


def test_every_documented_setting_reaches_every_service_and_the_reference_folder_is_mounted():
    """Defect 5: settings of deploy/.env reached only those the compose file named; the commune's
    reference file could not be given at all without a new image."""
    compose = compose_as_run()
    for name in OURS:
        service = compose["services"][name]
        assert service["env_file"] == [{"path": ".env", "required": False}], name
        environment = service["environment"]
        mounted = {m.split(":")[1] for m in service["volumes"]}
        for setting in ("NGHEDAN_REFERENCE_DATA", "NGHEDAN_SENDERS"):
            assert str(Path(environment[setting]).parent) in mounted, (name, setting)
    definitions = compose["services"]["definitions"]
    senders = definitions["environment"]["NGHEDAN_SENDERS"]
    assert str(Path(senders).parent) in {m.split(":")[1] for m in definitions["volumes"]}


def test_every_container_has_rotated_logs_and_a_memory_limit():
    """Defect 5: json-file logs grew without end and nothing bounded a container's memory."""
    for name, service in compose_as_run()["services"].items():
        options = service["logging"]["options"]
        assert options["max-size"] and int(options["max-file"]) >= 2, name
        if service.get("restart") == "unless-stopped":
            assert service["deploy"]["resources"]["limits"]["memory"], name


def test_the_operator_is_no_administrator_and_logs_in_only_from_the_brokers_loopback():
    """Defect 6: the `operator` user was an administrator and could log in on the TLS port."""
    from shared.messaging.definitions import definitions
    from shared.messaging.senders import load_senders

    made = definitions({u: "x" * 20 for u in _users()}, load_senders(), salt=b"salt")
    tags = {u["name"]: u["tags"] for u in made["users"]}
    assert "administrator" not in tags["operator"] and not any(
        "administrator" in t for t in tags.values()
    )
    conf = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    assert "loopback_users.operator = true" in conf
    cli = compose_as_run()["services"]["cli"]
    assert (
        cli["network_mode"] == "service:rabbitmq" and "127.0.0.1" in cli["environment"]["AMQP_URL"]
    )


def _users() -> tuple[str, ...]:
    from shared.messaging.definitions import users
    from shared.messaging.senders import load_senders

    return users(load_senders())


def test_the_images_are_settings_whose_defaults_are_the_official_ones():
    raw = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    images = {name: s.get("image", "") for name, s in raw["services"].items()}
    assert images["rabbitmq"] == "${RABBITMQ_IMAGE:-rabbitmq:4.1-management}"
    assert images["mongo"] == images["mongo-init"] == "${MONGO_IMAGE:-mongo:8.0}"
    assert {images[n] for n in OURS} == {"${NGHEDAN_IMAGE:-nghedan:latest}"}
    assert raw["services"]["definitions"]["build"]["args"]["BASE_IMAGE"] == (
        "${NGHEDAN_BASE_IMAGE:-python:3.11-slim}"
    )


def test_everything_the_services_and_the_cli_import_is_installed_in_the_image():
    """Defect 5: `nghedan reference` imported a package only the [dev] extra installed."""
    lock = (ROOT / "deploy" / "requirements.lock").read_text(encoding="utf-8")
    locked = {_norm(m) for m in re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    owners = importlib.metadata.packages_distributions()
    missing = set()
    for folder in ("services", "shared", "deploy"):
        for path in (ROOT / folder).rglob("*.py"):
            for module in _imports(path):
                if module in sys.stdlib_module_names or module in FIRST_PARTY:
                    continue
                for dist in owners.get(module, [module]):
                    if _norm(dist) not in locked:
                        missing.add(f"{path.relative_to(ROOT)}: {module} ({dist})")
    assert not missing, sorted(missing)


FIRST_PARTY = {"services", "shared", "deploy", "tests", "__future__"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_login_doors_believe_forwarded_addresses_from_the_edge_gateway_only():
    """Defect 5: the trusted proxy was 127.0.0.1, but a published port arrives from the edge
    network's gateway, so a proxy's X-Forwarded-For was never believed: every client counted as
    one address, and one guesser locked everyone out."""
    compose = compose_as_run()
    gateway = compose["networks"]["edge"]["ipam"]["config"][0]["gateway"]
    for name, setting in (
        ("reporting", "DASHBOARD_TRUSTED_PROXIES"),
        ("office", "OFFICE_TRUSTED_PROXIES"),
    ):
        assert compose["services"][name]["environment"][setting] == f"{gateway}/32"
        assert "edge" in compose["services"][name]["networks"]


def test_a_deployment_without_a_channel_sends_nothing_rather_than_writing_files_in_clear():
    """Defect 6: the compose default was the file channel: every notice, a denouncer's too,
    written in clear for 30 days and marked delivered though nothing was sent."""
    from services.notification.settings import NotificationSettings

    compose = compose_as_run()
    assert compose["services"]["notification"]["environment"]["NOTIFY_CHANNELS"] == "none"
    assert NotificationSettings(NOTIFY_CHANNELS="none").channels == []


def test_the_tls_certificate_is_renewed_under_the_same_ca(tmp_path):
    """Defect 5: the CA's key was thrown away, so the certificate could only be replaced with a
    new CA, which every integrating system would then need."""
    from cryptography import x509

    runner, folder = CliRunner(), tmp_path / "s"
    made = runner.invoke(app, ["deploy-secrets", "--dir", str(folder), "--hostname", "amqp.xa.vn"])
    assert made.exit_code == 0, made.output
    ca_before = (folder / "rabbitmq_tls_ca.pem").read_bytes()
    cert_before = (folder / "rabbitmq_tls_cert.pem").read_bytes()
    again = runner.invoke(
        app, ["deploy-secrets", "--dir", str(folder), "--hostname", "amqp.xa.vn", "--renew-tls"]
    )
    assert again.exit_code == 0, again.output
    assert (folder / "rabbitmq_tls_ca.pem").read_bytes() == ca_before
    renewed = x509.load_pem_x509_certificate((folder / "rabbitmq_tls_cert.pem").read_bytes())
    assert (folder / "rabbitmq_tls_cert.pem").read_bytes() != cert_before
    renewed.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_before))
    names = renewed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "amqp.xa.vn" in names.get_values_for_type(x509.DNSName)


async def test_metrics_and_the_admin_and_office_doors_are_refused_through_the_published_port():
    """Defect 6: /metrics, /admin/ and /office/ answered on the ports a proxy publishes."""
    import httpx

    from shared.health import health_app
    from shared.login import networks

    async def probe() -> dict[str, Any]:
        return {"status": "ok"}

    async def metrics() -> bytes:
        return b"nghedan_up 1\n"

    async def door(scope: dict[str, Any], receive: Any, send: Any) -> None:
        from starlette.responses import JSONResponse

        await JSONResponse({"door": "open"})(scope, receive, send)

    app = health_app(
        probe,
        None,
        metrics,
        door,
        "token-of-the-admin",
        door,
        "token-of-the-office",
        networks("172.31.85.1/32"),
    )
    headers = {"authorization": "Bearer token-of-the-admin"}
    for client, expected in ((("172.31.85.1", 40000), 404), (("172.31.86.7", 40000), 200)):
        transport = httpx.ASGITransport(app=app, client=client)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://d") as http:
            assert (await http.get("/metrics")).status_code == expected, client
            assert (await http.get("/admin/x", headers=headers)).status_code == expected, client
            assert (await http.get("/health")).status_code == 200
    compose = compose_as_run()
    for name in OURS:
        assert compose["services"][name]["environment"]["PUBLISHED_FROM"] == "172.31.85.1/32"
