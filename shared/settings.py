"""Settings common to every service, read from the environment only (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
EMBEDDED_MONGO_PORT = 27018
DEFAULT_MONGO_URL = f"mongodb://127.0.0.1:{EMBEDDED_MONGO_PORT}/?directConnection=true"
SHIPPED_REFERENCE_DATA = Path(__file__).parent / "reference_data" / "thien-tan.yaml"
# Only for local runs and tests: a real deployment sets NGHEDAN_DATA_KEY (see deploy/.env.example).
DEVELOPMENT_DATA_KEY = "bmdoZWRhbi1kZXZlbG9wbWVudC1rZXktbm90LXNlY3I="


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
    max_attempts: int = Field(default=5, ge=1, le=50, validation_alias="MAX_ATTEMPTS")
    max_message_bytes: int = Field(default=256 * 1024, validation_alias="MAX_MESSAGE_BYTES")
    clock_file: Path | None = Field(default=None, validation_alias="NGHEDAN_CLOCK_FILE")
    data_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_DATA_KEY), validation_alias="NGHEDAN_DATA_KEY"
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
