"""`python -m services.reporting`: run the reporting service."""

from services.reporting.app import create_service
from services.reporting.settings import ReportingSettings
from shared.service import main

if __name__ == "__main__":
    main(ReportingSettings, create_service)
