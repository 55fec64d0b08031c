"""`python -m services.notification`: run the notification service."""

from services.notification.app import create_service
from services.notification.settings import NotificationSettings
from shared.service import main

if __name__ == "__main__":
    main(NotificationSettings, create_service)
