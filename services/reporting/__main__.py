"""`python -m services.reporting`: run the reporting service."""

from services.reporting.app import create_service
from services.reporting.settings import ReportingSettings
from shared.logging import configure_logging
from shared.service import run


def main() -> None:
    settings = ReportingSettings()
    configure_logging(settings.service_name, settings.log_level)
    run(lambda: create_service(settings))


if __name__ == "__main__":
    main()
