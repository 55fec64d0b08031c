"""`python -m services.intake`: run the intake service."""

from services.intake.app import create_service
from services.intake.settings import IntakeSettings
from shared.service import main

if __name__ == "__main__":
    main(IntakeSettings, create_service)
