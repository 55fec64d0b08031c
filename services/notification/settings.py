"""Notification's settings: the shared ones with this service's defaults."""

from pydantic import Field

from shared.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    service_name: str = "notification"
    mongo_db: str = Field(default="nghedan_notification", validation_alias="MONGO_DB")
    health_port: int = Field(default=8183, validation_alias="HEALTH_PORT")
