"""Intake's settings: the shared ones with this service's defaults."""

from pydantic import Field

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    mongo_db: str = Field(default="nghedan_intake", validation_alias="MONGO_DB")
    health_port: int = Field(default=8182, validation_alias="HEALTH_PORT")
