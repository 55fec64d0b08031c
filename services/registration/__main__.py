"""`python -m services.registration`: run the registration service."""

from services.registration.app import create_service
from services.registration.settings import RegistrationSettings
from shared.logging import configure_logging
from shared.service import run


def main() -> None:
    settings = RegistrationSettings()
    configure_logging(settings.service_name, settings.log_level)
    run(lambda: create_service(settings))


if __name__ == "__main__":
    main()
