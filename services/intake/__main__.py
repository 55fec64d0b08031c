"""`python -m services.intake`: run the intake service."""

from services.intake.app import create_service
from services.intake.settings import IntakeSettings
from shared.logging import configure_logging
from shared.service import run


def main() -> None:
    settings = IntakeSettings()
    configure_logging(settings.service_name, settings.log_level)
    run(lambda: create_service(settings))


if __name__ == "__main__":
    main()
