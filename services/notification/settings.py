"""Notification's settings: the shared ones, the channels and their providers, and the limits."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from shared.contracts.notification import Channel
from shared.settings import ServiceSettings


def _parse_rate(text: str) -> dict[str, tuple[int, int]]:
    """`sms=30/60,email=120/60` -> {"sms": (30, 60)}: at most 30 messages per 60 seconds."""
    limits: dict[str, tuple[int, int]] = {}
    if text.strip().lower() in ("off", "none"):
        return limits
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, spec = part.partition("=")
        count, _, seconds = spec.partition("/")
        if name.strip() not in get_args(Channel) or not count.isdigit():
            raise ValueError(f"giới hạn tốc độ không hợp lệ: {part!r} (dạng đúng: sms=30/60)")
        limits[name.strip()] = (int(count), int(seconds or 60))
    return limits


class NotificationSettings(ServiceSettings):
    service_name: str = "notification"
    mongo_db: str = Field(default="nghedan_notification", validation_alias="MONGO_DB")
    health_port: int = Field(default=8183, validation_alias="HEALTH_PORT")

    channels: Annotated[list[Channel], NoDecode] = Field(
        default=["file"],
        validation_alias="NOTIFY_CHANNELS",
        description=(
            "Channels in order of preference: a message goes on the first one the recipient can "
            "be reached on, and falls back to the next after its last try. The embedded default "
            "writes every message to files (NOTIFY_FILE_DIR); `none` (the compose deployment's "
            "default until a provider is set) sends nothing and says so: every message fails "
            "with that reason, none is ever marked delivered."
        ),
    )
    file_dir: Path = Field(default=Path(".nghedan/outbox"), validation_alias="NOTIFY_FILE_DIR")
    file_keep_days: int = Field(
        default=30,
        ge=1,
        validation_alias="NOTIFY_FILE_KEEP_DAYS",
        description="Days the file channel keeps a day's messages (they name people) before "
        "deleting them.",
    )
    retention_days: int = Field(
        default=180,
        ge=1,
        validation_alias="NOTIFICATION_RETENTION_DAYS",
        description="Days after it was created that a message done with (sent, delivered, "
        "failed, suppressed) loses its recipient and text; its status and history stay.",
    )
    retry_delays: Annotated[list[float], NoDecode] = Field(
        default=[30, 120, 600, 3600],
        validation_alias="NOTIFY_RETRY_DELAYS",
        description="Seconds before each retry of a transient failure (at most 4 tiers).",
    )
    quiet_hours: str = Field(
        default="21:00-07:00",
        validation_alias="NOTIFY_QUIET_HOURS",
        description="No SMS or Zalo in this window, Viet Nam time; held messages go out after it.",
    )
    rate_limits: str = Field(
        default="sms=60/60,zalo=60/60,email=120/60",
        validation_alias="NOTIFY_RATE_LIMITS",
        description="Per channel: at most N messages per S seconds (`sms=60/60`); `off` for none.",
    )
    smtp_host: str = Field(default="127.0.0.1", validation_alias="SMTP_HOST")
    smtp_port: int = Field(default=25, validation_alias="SMTP_PORT")
    smtp_user: str | None = Field(default=None, validation_alias="SMTP_USER")
    smtp_password: SecretStr | None = Field(default=None, validation_alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(
        default=True,
        validation_alias="SMTP_STARTTLS",
        description="Mail leaves encrypted; false only for a relay on the same host.",
    )
    smtp_from: str = Field(
        default="UBND xã Thiện Tân <ubnd@thientan.example.vn>", validation_alias="SMTP_FROM"
    )
    sms_gateway_url: str = Field(
        default="http://127.0.0.1:9501/sms", validation_alias="SMS_GATEWAY_URL"
    )
    sms_api_key: SecretStr = Field(default=SecretStr(""), validation_alias="SMS_API_KEY")
    sms_brand_name: str = Field(default="UBND THIEN TAN", validation_alias="SMS_BRAND_NAME")
    sms_diacritics: bool = Field(
        default=True,
        validation_alias="SMS_DIACRITICS",
        description="false sends the common no-diacritics form (GSM-7, 160 characters a segment).",
    )
    sms_max_segments: int = Field(default=6, ge=1, le=10, validation_alias="SMS_MAX_SEGMENTS")
    sms_provider: Literal["generic", "esms"] = Field(
        default="generic",
        validation_alias="SMS_PROVIDER",
        description="`generic`: the JSON gateway at SMS_GATEWAY_URL; `esms`: eSMS.vn's own API.",
    )
    esms_url: str = Field(
        default="https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/",
        validation_alias="ESMS_URL",
    )
    esms_api_key: SecretStr = Field(default=SecretStr(""), validation_alias="ESMS_API_KEY")
    esms_secret_key: SecretStr = Field(default=SecretStr(""), validation_alias="ESMS_SECRET_KEY")
    esms_sandbox: bool = Field(
        default=False,
        validation_alias="ESMS_SANDBOX",
        description="true: eSMS checks each request but sends and charges nothing (for trials).",
    )
    zalo_zns_url: str = Field(
        default="https://business.openapi.zalo.me/message/template",
        validation_alias="ZALO_ZNS_URL",
    )
    zalo_access_token: SecretStr = Field(
        default=SecretStr(""), validation_alias="ZALO_ACCESS_TOKEN"
    )
    zalo_template_ids: dict[str, str] = Field(
        default_factory=dict,
        validation_alias="ZALO_TEMPLATE_IDS",
        description="JSON: our template name -> the ZNS template id Zalo approved for it.",
    )
    report_token: SecretStr = Field(
        default=SecretStr(""),
        validation_alias="NOTIFY_REPORT_TOKEN",
        description="Providers' delivery reports must carry it in the X-Report-Token header; "
        "unset, no report is taken.",
    )
    provider_timeout: float = Field(default=10.0, gt=0, validation_alias="NOTIFY_PROVIDER_TIMEOUT")
    tick_seconds: float = Field(default=5.0, gt=0, validation_alias="TICK_SECONDS")

    @field_validator("channels", "retry_delays", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() == "none":
            return []  # no channel configured: nothing is sent, and /health says so
        if isinstance(value, str) and not value.strip().startswith("["):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("retry_delays")
    @classmethod
    def _tiers(cls, value: list[float]) -> list[float]:
        from shared.messaging.topology import RETRY_TIERS

        if len(value) > RETRY_TIERS or any(v <= 0 for v in value):
            raise ValueError(f"tối đa {RETRY_TIERS} khoảng chờ, mỗi khoảng > 0 giây")
        return value

    @field_validator("rate_limits")
    @classmethod
    def _rates(cls, value: str) -> str:
        _parse_rate(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        quiet_window(value)
        return value

    @property
    def rates(self) -> dict[str, tuple[int, int]]:
        return _parse_rate(self.rate_limits)

    @property
    def quiet(self) -> tuple[time, time] | None:
        return quiet_window(self.quiet_hours)

    @property
    def delays(self) -> list[timedelta]:
        return [timedelta(seconds=s) for s in self.retry_delays]


def quiet_window(text: str) -> tuple[time, time] | None:
    """`21:00-07:00` -> (21:00, 07:00); empty or `off` means no quiet hours."""
    if text.strip().lower() in ("", "off", "none"):
        return None
    start, sep, end = text.partition("-")
    try:
        if not sep:
            raise ValueError
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"giờ yên tĩnh không hợp lệ: {text!r} (dạng đúng: 21:00-07:00)") from None
