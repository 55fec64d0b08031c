"""Registration's settings: the shared ones with this service's defaults."""

from pydantic import Field

from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    service_name: str = "registration"
    mongo_db: str = Field(default="nghedan_registration", validation_alias="MONGO_DB")
    health_port: int = Field(default=8181, validation_alias="HEALTH_PORT")
