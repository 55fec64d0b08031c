"""Intake's settings: the shared ones with this service's defaults."""

from pydantic import Field, SecretStr

from services.intake.open311 import DEFAULT_LIMITS, DEFAULT_MAX_BODY
from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    mongo_db: str = Field(default="nghedan_intake", validation_alias="MONGO_DB")
    health_port: int = Field(default=8182, validation_alias="HEALTH_PORT")
    open311_api_keys: SecretStr = Field(
        default=SecretStr(""),
        validation_alias="OPEN311_API_KEYS",
        description="The Open311 door's keys, `system:key,system:key` (OPEN311_API_KEYS_FILE as "
        "a secret); empty: the door reads but takes no request.",
    )
    open311_limits: str = Field(
        default=DEFAULT_LIMITS,
        validation_alias="OPEN311_LIMITS",
        description="The Open311 door's limits (the `limits` library's notation, a moving window): "
        "wrong keys per client address (past it, the client is refused unread), requests per "
        "key, receipts per phone number or email, reads without a key per client address. "
        "Counted in each intake process.",
    )
    open311_trusted_proxies: str = Field(
        default="",
        validation_alias="OPEN311_TRUSTED_PROXIES",
        description="Networks of the proxies in front of the Open311 door, comma-separated: "
        "from them, X-Forwarded-For names the client its limits count (none: the peer).",
    )
    open311_max_body_bytes: int = Field(
        default=DEFAULT_MAX_BODY,
        gt=1024,
        validation_alias="OPEN311_MAX_BODY_BYTES",
        description="The largest form the Open311 door reads (a 10,000-character description, "
        "URL-encoded, fits); a larger one is refused unread.",
    )

    agenda_redraft_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias="AGENDA_REDRAFT_SECONDS",
        description="How often the agendas of coming conferences are drafted again after new "
        "issues: once for all the issues of that interval.",
    )

    retention_days: int = Field(
        default=1826,
        ge=1,
        validation_alias="INTAKE_RETENTION_DAYS",
        description="Days after its receipt that an ended issue's person and texts, and an "
        "ad-hoc signer, are erased (a complaint or denunciation only once its own decision "
        "ended it). Default 5 years.",
    )

    @property
    def agenda_bytes(self) -> int:
        """What an agenda's message may take: the message limit, less room for its envelope."""
        return self.max_message_bytes - 8 * 1024

    def open311_keys(self) -> dict[str, str]:
        """key -> the system holding it."""
        keys = {}
        for entry in self.open311_api_keys.get_secret_value().replace("\n", ",").split(","):
            name, _, key = entry.strip().partition(":")
            if not entry.strip():
                continue
            if not name or len(key) < 16:
                raise ValueError(
                    f"OPEN311_API_KEYS: mục của {name or '?'} phải có dạng hệ-thống:khoá "
                    "(khoá dài ít nhất 16 ký tự)"
                )
            keys[key] = name
        return keys
