"""`nghedan deploy-secrets`: every secret a docker compose deployment needs, made once, as files."""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from rich.console import Console

from shared.crypto import new_key
from shared.messaging.definitions import is_integrating, users
from shared.messaging.senders import SHIPPED_SENDERS, load_senders

console = Console()
SERVICES = ("registration", "intake", "notification", "reporting", "office")


def _password() -> str:
    return secrets.token_urlsafe(24)


def mongo_keyfile() -> str:
    """The replica set's shared key: mongod takes 6 to 1,024 characters of the base64 alphabet
    only (`[A-Za-z0-9+/=]`), so never `token_urlsafe`'s `-` and `_`."""
    return base64.b64encode(secrets.token_bytes(756)).decode("ascii")  # 1,008 characters


def wanted(hostname: str, senders_file: Path = SHIPPED_SENDERS) -> dict[str, Callable[[], str]]:
    """Each secret file's name and how to make its content. The integrating systems' broker
    passwords are in the folder `systems/`, which only the `definitions` service reads whole: a
    system added to senders.yaml needs its file there, never a change to the compose file."""
    made: dict[str, Callable[[], str]] = {}
    senders = load_senders(senders_file)
    for user in users(senders):
        folder = "systems/" if is_integrating(user, senders) else ""
        made[f"{folder}rabbitmq_{user}_password"] = _password
    made["mongo_root_password"] = _password
    made["mongo_keyfile"] = mongo_keyfile
    for service in SERVICES:
        made[f"mongo_{service}_password"] = _password
        # Each service its own keys: reporting holds nothing that opens intake's denouncers.
        made[f"{service}_data_key"] = new_key
        made[f"{service}_lookup_key"] = new_key
    made["notify_report_token"] = _password
    # The operator CLI's token for the services' /admin/ door (`nghedan notify list`, `report
    # rebuild`): give it to the CLI as NGHEDAN_ADMIN_TOKEN_FILE.
    made["admin_token"] = _password
    # What the office's pages show intake's and registration's /office/ doors (a case's words).
    made["office_token"] = _password
    made["dashboard_users"] = str  # empty: `nghedan dashboard-user` makes the lines to put here
    # The Open311 door's keys, one `system:key` line per system: one made for the commune portal.
    made["open311_api_keys"] = lambda: f"cong_thong_tin:{secrets.token_urlsafe(24)}\n"
    for provider in (
        "smtp_password",
        "sms_api_key",
        "esms_api_key",
        "esms_secret_key",
        "zalo_access_token",
    ):
        made[provider] = str  # empty until the provider gives one
    return made


TLS = ("rabbitmq_tls_ca.pem", "rabbitmq_tls_cert.pem", "rabbitmq_tls_key.pem")
CA_KEY = "rabbitmq_tls_ca_key.pem"  # mounted in no container: only to renew the certificate
PEM = serialization.Encoding.PEM


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The deployment's own CA (made once, ten years), and its key."""
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nghe Dan deployment CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write(directory / TLS[0], ca.public_bytes(PEM).decode())
    _write(directory / CA_KEY, _key_pem(key), mode=0o600)
    return ca, key


def _server_cert(
    directory: Path, hostname: str, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> None:
    """The broker's certificate (825 days) for `hostname`, signed by the deployment's CA."""
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(hostname), x509.DNSName("rabbitmq")]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(directory / TLS[1], cert.public_bytes(PEM).decode(), replace=True)
    _write(directory / TLS[2], _key_pem(key), replace=True)


def _tls(directory: Path, hostname: str, renew: bool = False) -> list[str]:
    """The CA and the broker's certificate, made once; renewed under the same CA on request."""
    if all((directory / n).exists() for n in TLS) and not renew:
        return []
    if renew and (directory / TLS[0]).exists():
        if not (directory / CA_KEY).exists():
            raise typer.BadParameter(
                f"không có {CA_KEY} (bí mật làm trước khi có khoá này): xoá ba tệp "
                "rabbitmq_tls_*.pem để tạo CA mới, rồi gửi CA mới cho các hệ thống",
                param_hint="--renew-tls",
            )
        ca = x509.load_pem_x509_certificate((directory / TLS[0]).read_bytes())
        key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise typer.BadParameter(
                f"{CA_KEY}: không phải khoá EC của CA", param_hint="--renew-tls"
            )
        _server_cert(directory, hostname, ca, key)
        return list(TLS[1:])
    ca, key = _ca(directory)
    _server_cert(directory, hostname, ca, key)
    return [*TLS, CA_KEY]


def _write(path: Path, text: str, mode: int = 0o644, replace: bool = False) -> None:
    # 0644 inside a 0700 folder: compose mounts each file into a container whose user is not
    # root. Set after the open, since a hardened umask (027) would otherwise take the "other" bit.
    target = path.with_suffix(".new") if replace else path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.fchmod(fd, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    if replace:
        os.replace(target, path)


def deploy_secrets(
    directory: Annotated[Path, typer.Option("--dir", help="Thư mục bí mật")] = Path(
        "deploy/secrets"
    ),
    hostname: Annotated[
        str, typer.Option(help="Tên máy mà các hệ thống khác dùng để kết nối AMQP qua TLS")
    ] = "localhost",
    senders: Annotated[
        Path,
        typer.Option(envvar="NGHEDAN_SENDERS", help="Bảng ai được gửi lệnh nào (senders.yaml)"),
    ] = SHIPPED_SENDERS,
    renew_tls: Annotated[
        bool,
        typer.Option("--renew-tls", help="Gia hạn chứng chỉ TLS của RabbitMQ, vẫn dưới CA đã có"),
    ] = False,
) -> None:
    """Tạo mọi bí mật còn thiếu cho docker compose (mật khẩu, khoá, chứng chỉ TLS); không bao giờ
    ghi đè tệp đã có và không in ra giá trị nào. Chạy lại bao nhiêu lần cũng được."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    created, kept = [], 0
    (directory / "systems").mkdir(mode=0o755, exist_ok=True)
    os.chmod(directory / "systems", 0o755)  # read in the definitions container, as a folder
    for name, make in wanted(hostname, senders).items():
        if (directory / name).exists():
            kept += 1
            continue
        _write(directory / name, make())
        created.append(name)
    created += _tls(directory, hostname, renew_tls)
    for name in created:
        console.print(f"  tạo {directory / name}")
    console.print(f"Đã tạo {len(created)} tệp, giữ nguyên {kept} tệp đã có trong {directory}.")
    if "dashboard_users" in created:
        console.print(
            "Thêm tài khoản bảng điều khiển: `nghedan dashboard-user <tên>` rồi ghi dòng in ra "
            f"vào {directory / 'dashboard_users'}."
        )
