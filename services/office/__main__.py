"""`python -m services.office`: run the office's web application."""

from services.office.app import create_service
from services.office.settings import OfficeSettings
from shared.service import main

if __name__ == "__main__":
    main(OfficeSettings, create_service)
