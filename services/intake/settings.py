"""Intake's settings: the shared ones with this service's defaults."""

from pydantic import Field, SecretStr

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
