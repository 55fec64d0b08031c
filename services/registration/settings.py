"""Registration's settings: the shared ones with this service's defaults."""

from pydantic import Field

from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    service_name: str = "registration"
    mongo_db: str = Field(default="nghedan_registration", validation_alias="MONGO_DB")
    health_port: int = Field(default=8181, validation_alias="HEALTH_PORT")
    retention_days: int = Field(
        default=365,
        ge=1,
        validation_alias="REGISTRATION_RETENTION_DAYS",
        description="Days after its conference was concluded or cancelled that a delegate's "
        "personal data is erased (place, village, role and attendance stay).",
    )
