"""`python -m services.registration`: run the registration service."""

from services.registration.app import create_service
from services.registration.settings import RegistrationSettings
from shared.service import main

if __name__ == "__main__":
    main(RegistrationSettings, create_service)
