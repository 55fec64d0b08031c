"""Settings common to every service, read from the environment only (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.crypto import DataKeyError, FieldCipher, decode_key
from shared.messaging.topology import DELIVERY_LIMIT

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
EMBEDDED_MONGO_PORT = 27018
DEFAULT_MONGO_URL = f"mongodb://127.0.0.1:{EMBEDDED_MONGO_PORT}/?directConnection=true"
SHIPPED_REFERENCE_DATA = Path(__file__).parent / "reference_data" / "thien-tan.yaml"
# Published, so only for local runs and tests (NGHEDAN_DEVELOPMENT=1); a service refuses them
# otherwise. A real deployment sets its own keys (see deploy/.env.example and the README).
DEVELOPMENT_DATA_KEY = "bmdoZWRhbi1kZXZlbG9wbWVudC1rZXktbm90LXNlY3I="
DEVELOPMENT_LOOKUP_KEY = "bmdoZWRhbi1kZXZlbG9wbWVudC1sb29rdXAta2V5ISE="


class ServiceSettings(BaseSettings):
    """Environment variables every service reads; each service adds its own defaults."""

    # An empty variable (`SMTP_FROM=` in compose) means "not set": the default applies.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_ignore_empty=True)

    service_name: str = "nghedan"
    amqp_url: str = Field(default=DEFAULT_AMQP_URL, validation_alias="AMQP_URL")
    mongo_url: str = Field(default=DEFAULT_MONGO_URL, validation_alias="MONGO_URL")
    mongo_db: str = Field(default="nghedan", validation_alias="MONGO_DB")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    health_host: str = Field(default="127.0.0.1", validation_alias="HEALTH_HOST")
    health_port: int = Field(default=0, validation_alias="HEALTH_PORT")
    prefetch: int = Field(default=32, ge=1, le=1000, validation_alias="PREFETCH")
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
    if data == lookup:
        raise DataKeyError("NGHEDAN_LOOKUP_KEY phải khác NGHEDAN_DATA_KEY")
    retired = [v for v in _secret(settings.retired_data_keys).split(",") if v.strip()]
    return FieldCipher.for_service(
        service,
        decode_key(data, variable="NGHEDAN_DATA_KEY"),
        lookup_key=decode_key(lookup, variable="NGHEDAN_LOOKUP_KEY"),
        retired=[decode_key(v, variable="NGHEDAN_RETIRED_DATA_KEYS") for v in retired],
    )


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value else ""
