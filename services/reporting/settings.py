"""Reporting's settings: the shared ones with this service's defaults."""

from pydantic import Field

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    mongo_db: str = Field(default="nghedan_reporting", validation_alias="MONGO_DB")
    health_port: int = Field(default=8184, validation_alias="HEALTH_PORT")
