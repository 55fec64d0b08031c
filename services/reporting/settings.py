"""Reporting's settings: the shared ones with this service's defaults."""

from typing import Literal

from pydantic import Field, SecretStr

from services.reporting.access import Access, parse_users
from shared.login import networks
from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    mongo_db: str = Field(default="nghedan_reporting", validation_alias="MONGO_DB")
    health_port: int = Field(default=8184, validation_alias="HEALTH_PORT")
    dashboard_auth: Literal["basic", "proxy", "none"] | None = Field(
        default=None,
        validation_alias="DASHBOARD_AUTH",
        description="basic: DASHBOARD_USERS log in; proxy: a login proxy (OIDC…) names the user "
        "and role in headers; none: open (default only with NGHEDAN_DEVELOPMENT=1).",
    )
    dashboard_users: SecretStr = Field(
        default=SecretStr(""),
        validation_alias="DASHBOARD_USERS",
        description="name:role:scrypt-hash, comma-separated; roles viewer (pages) and api (JSON).",
    )
    dashboard_user_header: str = Field(
        default="X-Forwarded-User", validation_alias="DASHBOARD_USER_HEADER"
    )
    dashboard_role_header: str = Field(
        default="X-Forwarded-Groups", validation_alias="DASHBOARD_ROLE_HEADER"
    )
    dashboard_trusted_proxies: str = Field(
        default="127.0.0.1/32,::1/128",
        validation_alias="DASHBOARD_TRUSTED_PROXIES",
        description="Networks whose proxy headers are believed: the user and role (proxy "
        "mode), X-Forwarded-For for the client whose failed logins are counted (basic mode).",
    )

    def access(self) -> Access:
        users = parse_users(self.dashboard_users.get_secret_value())
        mode = self.dashboard_auth or ("none" if self.development and not users else "basic")
        return Access(
            mode=mode,
            users=users,
            user_header=self.dashboard_user_header.lower(),
            role_header=self.dashboard_role_header.lower(),
            trusted_proxies=networks(self.dashboard_trusted_proxies),
        )
