"""`python -m services.notification`: run the notification service."""

from services.notification.app import create_service
from services.notification.settings import NotificationSettings
from shared.logging import configure_logging
from shared.service import run


def main() -> None:
    settings = NotificationSettings()
    configure_logging(settings.service_name, settings.log_level)
    run(lambda: create_service(settings))


if __name__ == "__main__":
    main()
