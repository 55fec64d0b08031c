"""Settings common to every service, read from the environment only (pydantic-settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from shared.crypto import DataKeyError, FieldCipher, decode_key
from shared.messaging.senders import SHIPPED_SENDERS
from shared.messaging.topology import DELIVERY_LIMIT

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
EMBEDDED_MONGO_PORT = 27018
DEFAULT_MONGO_URL = f"mongodb://127.0.0.1:{EMBEDDED_MONGO_PORT}/?directConnection=true"
SHIPPED_REFERENCE_DATA = Path(__file__).parent / "reference_data" / "thien-tan.yaml"
# Published, so only for local runs and tests (NGHEDAN_DEVELOPMENT=1); a service refuses them
# otherwise. A real deployment sets its own keys (see deploy/.env.example and the README).
DEVELOPMENT_DATA_KEY = "bmdoZWRhbi1kZXZlbG9wbWVudC1rZXktbm90LXNlY3I="
DEVELOPMENT_LOOKUP_KEY = "bmdoZWRhbi1kZXZlbG9wbWVudC1sb29rdXAta2V5ISE="


class _SecretFiles(PydanticBaseSettingsSource):
    """`NAME_FILE=/run/secrets/x` sets NAME from the file (compose secrets), unless NAME is set."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {}
        for field in self.settings_cls.model_fields.values():
            alias = field.validation_alias
            path = os.environ.get(f"{alias}_FILE") if isinstance(alias, str) else None
            if path and not os.environ.get(str(alias)):
                found[str(alias)] = Path(path).read_text(encoding="utf-8").strip()
        return found


def with_password(url: str, password: str) -> str:
    """The URL with this password (kept in a secret file, not in the URL the compose file shows)."""
    parts = urlsplit(url)
    user = parts.username or ""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{user}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class ServiceSettings(BaseSettings):
    """Environment variables every service reads; each service adds its own defaults."""

    # An empty variable (`SMTP_FROM=` in compose) means "not set": the default applies.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_ignore_empty=True)

    service_name: str = "nghedan"
    # Not in the repr: a URL may carry a password.
    amqp_url: str = Field(default=DEFAULT_AMQP_URL, validation_alias="AMQP_URL", repr=False)
    mongo_url: str = Field(default=DEFAULT_MONGO_URL, validation_alias="MONGO_URL", repr=False)
    amqp_password: SecretStr | None = Field(
        default=None,
        validation_alias="AMQP_PASSWORD",
        description="Put into AMQP_URL (usually as AMQP_PASSWORD_FILE, a compose secret).",
    )
    mongo_password: SecretStr | None = Field(
        default=None,
        validation_alias="MONGO_PASSWORD",
        description="Put into MONGO_URL (usually as MONGO_PASSWORD_FILE, a compose secret).",
    )
    mongo_db: str = Field(default="nghedan", validation_alias="MONGO_DB")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    health_host: str = Field(default="127.0.0.1", validation_alias="HEALTH_HOST")
    published_from: str = Field(
        default="",
        validation_alias="PUBLISHED_FROM",
        description="The networks a published port's requests arrive from (compose: the edge "
        "network's gateway): from them /metrics, /admin/ and /office/ are refused, so a proxy "
        "in front publishes only the service's own pages.",
    )
    health_port: int = Field(default=0, validation_alias="HEALTH_PORT")
    prefetch: int = Field(default=32, ge=1, le=1000, validation_alias="PREFETCH")
    event_batch_size: int = Field(
        default=32,
        ge=1,
        le=1000,
        validation_alias="EVENT_BATCH_SIZE",
        description="Events applied in one transaction at most (1: one at a time); PREFETCH at "
        "least as large lets a batch fill.",
    )
    event_batch_linger_ms: float = Field(
        default=10,
        ge=0,
        validation_alias="EVENT_BATCH_LINGER_MS",
        description="How long a batch waits for more events before it is applied.",
    )
    max_attempts: int = Field(
        default=5,
        ge=1,
        lt=DELIVERY_LIMIT,
        validation_alias="MAX_ATTEMPTS",
        description="Tries before a failing message is parked; below the broker's delivery limit, "
        "so the pipeline parks it with its reason before the broker drops it.",
    )
    max_message_bytes: int = Field(default=256 * 1024, validation_alias="MAX_MESSAGE_BYTES")
    clock_file: Path | None = Field(default=None, validation_alias="NGHEDAN_CLOCK_FILE")
    development: bool = Field(
        default=False,
        validation_alias="NGHEDAN_DEVELOPMENT",
        description="Local runs and tests only: allows the published development keys.",
    )
    data_key: SecretStr | None = Field(default=None, validation_alias="NGHEDAN_DATA_KEY")
    retired_data_keys: SecretStr | None = Field(
        default=None,
        validation_alias="NGHEDAN_RETIRED_DATA_KEYS",
        description="Earlier data keys, comma-separated: they still open values during a rotation.",
    )
    lookup_key: SecretStr | None = Field(default=None, validation_alias="NGHEDAN_LOOKUP_KEY")
    retired_lookup_keys: SecretStr | None = Field(
        default=None,
        validation_alias="NGHEDAN_RETIRED_LOOKUP_KEYS",
        description="Earlier look-up keys, comma-separated: records written with them are still "
        "found (a person's earlier registration, signature, repeat or opt-out) after a rotation.",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        validation_alias="NGHEDAN_ADMIN_TOKEN",
        description="What the operator's CLI shows (Authorization: Bearer) to the service's "
        "/admin/ endpoints; unset, they answer only in development.",
    )
    office_token: SecretStr | None = Field(
        default=None,
        validation_alias="NGHEDAN_OFFICE_TOKEN",
        description="What the office's pages show (Authorization: Bearer) to read a service's "
        "/office/ endpoints (a case's words, which never travel on the bus); the same in the "
        "office and the services; unset, they answer only in development.",
    )
    service_users: str = Field(
        default="",
        validation_alias="NGHEDAN_SERVICE_USERS",
        description="Each service's broker user where it is not named after the service, as "
        "`registration=nd_registration,intake=nd_intake`: a message on the bus counts only from "
        "the service that publishes it.",
    )
    senders: Path = Field(
        default=SHIPPED_SENDERS,
        validation_alias="NGHEDAN_SENDERS",
        description="Who may send which command (YAML); also the source of the broker's users.",
    )
    reference_data: Path = Field(
        default=SHIPPED_REFERENCE_DATA, validation_alias="NGHEDAN_REFERENCE_DATA"
    )
    declare_topology: Literal["all", "own"] = Field(
        default="all",
        validation_alias="DECLARE_TOPOLOGY",
        description="`own` where the broker user may configure only this service's queues.",
    )
    tick_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias="TICK_SECONDS",
        description="How often time-driven rules (deadlines) are checked against the clock.",
    )
    outbox_poll_seconds: float = Field(default=1.0, gt=0, validation_alias="OUTBOX_POLL_SECONDS")
    retention_check_seconds: float = Field(
        default=3600.0,
        gt=0,
        validation_alias="RETENTION_CHECK_SECONDS",
        description="How often personal data kept past its time is looked for and erased.",
    )
    fault_triggers: Path | None = Field(
        default=None,
        validation_alias="NGHEDAN_FAULT_TRIGGERS",
        description="For the fault tests only (unset in a deployment): a folder in which a file "
        "named `crash-after-commit` makes the service's next commit end the process between its "
        "commit and its publish, as a power cut would (the file is removed first).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _SecretFiles(settings_cls), file_secret_settings)

    @model_validator(mode="after")
    def _passwords_into_urls(self) -> ServiceSettings:
        if self.amqp_password:
            self.amqp_url = with_password(self.amqp_url, self.amqp_password.get_secret_value())
        if self.mongo_password:
            self.mongo_url = with_password(self.mongo_url, self.mongo_password.get_secret_value())
        return self


def cipher_for(settings: ServiceSettings, service: str) -> FieldCipher:
    """The service's keys from its settings; refuses a missing or published key outside development."""
    data = _secret(settings.data_key)
    lookup = _secret(settings.lookup_key)
    if settings.development:
        data, lookup = data or DEVELOPMENT_DATA_KEY, lookup or DEVELOPMENT_LOOKUP_KEY
    else:
        for variable, value in (("NGHEDAN_DATA_KEY", data), ("NGHEDAN_LOOKUP_KEY", lookup)):
            if not value:
                raise DataKeyError(
                    f"{variable} chưa được đặt: dịch vụ không chạy với khoá mặc định "
                    f"(tạo khoá bằng `nghedan keys new`; chỉ khi thử trên máy mình mới đặt "
                    f"NGHEDAN_DEVELOPMENT=1)"
                )
            if value in (DEVELOPMENT_DATA_KEY, DEVELOPMENT_LOOKUP_KEY):
                raise DataKeyError(
                    f"{variable} là khoá phát triển đã công bố: không dùng được khi chạy thật"
                )
    named = [("NGHEDAN_DATA_KEY", data), ("NGHEDAN_LOOKUP_KEY", lookup)]
    named += [("NGHEDAN_RETIRED_DATA_KEYS", v) for v in _listed(settings.retired_data_keys)]
    named += [("NGHEDAN_RETIRED_LOOKUP_KEYS", v) for v in _listed(settings.retired_lookup_keys)]
    keys: list[tuple[str, bytes]] = []
    if not settings.development:
        keys = [(variable, decode_key(value, variable=variable)) for variable, value in named]
        for variable, key in keys:
            if reads_as_text(key):
                raise DataKeyError(
                    f"{variable} đọc được như chữ: đó là một câu (có khi đã công bố, như khoá "
                    f"trong mã nguồn), không phải 32 byte ngẫu nhiên; tạo khoá bằng "
                    f"`nghedan keys new`"
                )
    if data == lookup:
        raise DataKeyError("NGHEDAN_LOOKUP_KEY phải khác NGHEDAN_DATA_KEY")
    keys = keys or [(variable, decode_key(value, variable=variable)) for variable, value in named]
    return FieldCipher.for_service(
        service,
        keys[0][1],
        lookup_key=keys[1][1],
        retired=[key for variable, key in keys[2:] if variable == "NGHEDAN_RETIRED_DATA_KEYS"],
        retired_lookups=[
            key for variable, key in keys[2:] if variable == "NGHEDAN_RETIRED_LOOKUP_KEYS"
        ],
    )


def reads_as_text(key: bytes) -> bool:
    """32 random bytes are all printable in about one case in 10^14: a key that reads as text is
    a phrase someone wrote — the published development and test keys among them."""
    return all(0x20 <= b < 0x7F for b in key)


def _listed(value: SecretStr | None) -> list[str]:
    """Comma-separated keys, blanks dropped."""
    return [v for v in _secret(value).split(",") if v.strip()]


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value else ""
