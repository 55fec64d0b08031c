"""The office's settings: the shared ones with this service's defaults."""

from pydantic import Field

from shared.settings import ServiceSettings


class OfficeSettings(ServiceSettings):
    service_name: str = "office"
    mongo_db: str = Field(default="nghedan_office", validation_alias="MONGO_DB")
    health_port: int = Field(default=8185, validation_alias="HEALTH_PORT")
    session_hours: float = Field(
        default=9,
        gt=0,
        le=24,
        validation_alias="OFFICE_SESSION_HOURS",
        description="How long a login lasts (a working day); past it, the next form asks for the "
        "password again and keeps what was typed.",
    )
    cookie_secure: bool = Field(
        default=True,
        validation_alias="OFFICE_COOKIE_SECURE",
        description="Session cookies only over HTTPS (browsers treat http://127.0.0.1 as secure "
        "too); off only behind a proxy that is itself plain HTTP on a trusted network.",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1/32,::1/128",
        validation_alias="OFFICE_TRUSTED_PROXIES",
        description="Networks whose X-Forwarded-For is believed: the client whose failed logins "
        "are counted.",
    )
    outcome_seconds: float = Field(
        default=30,
        gt=0,
        validation_alias="OFFICE_OUTCOME_SECONDS",
        description="How long a page waits for the owning service's outcome before it says the "
        "command is still pending (sending the form again then shows how it ended).",
    )
    intake_url: str = Field(
        default="http://127.0.0.1:8182",
        validation_alias="NGHEDAN_INTAKE_URL",
        description="Intake's web app, whose /office/ door the queue reads (with "
        "NGHEDAN_OFFICE_TOKEN).",
    )
    registration_url: str = Field(
        default="http://127.0.0.1:8181",
        validation_alias="NGHEDAN_REGISTRATION_URL",
        description="Registration's web app, whose /office/ door the conference pages read.",
    )
    notification_url: str = Field(
        default="http://127.0.0.1:8183",
        validation_alias="NGHEDAN_NOTIFICATION_URL",
        description="Notification's web app, whose /office/ door says who a results "
        "announcement was sent to and whether it arrived.",
    )
    reporting_url: str = Field(
        default="http://127.0.0.1:8184",
        validation_alias="NGHEDAN_REPORTING_URL",
        description="Reporting's web app: the conference notice and the results announcement, "
        "asked for as its login proxy (DASHBOARD_AUTH=proxy, the office's address trusted).",
    )
