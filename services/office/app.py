"""Composition root of the office: settings in, a runnable service out. The office owns no
command of the bus: it sends the other services' commands for the people logged in to it."""

from __future__ import annotations

from services.office.admin import admin_app
from services.office.imports import Imports
from services.office.people import People
from services.office.reads import Reads
from services.office.settings import OfficeSettings
from services.office.store import OfficeStore
from services.office.tasks import accounts, conferences, contacts, delegates, queue, reception
from services.office.web import Office, office_app
from shared.clock import Clock
from shared.login import networks
from shared.messaging.commands import CommandClient
from shared.messaging.outbox import source_of
from shared.service import Infrastructure, JobContext, Service, ServiceSpec


def create_service(settings: OfficeSettings, clock: Clock | None = None) -> Service:
    infra = Infrastructure("office", settings, clock)
    store = OfficeStore(infra.db, infra.cipher)
    people = People(store)
    client = CommandClient(settings.amqp_url, source=source_of("office"))
    token = settings.office_token.get_secret_value() if settings.office_token else None
    reads = Reads(
        settings.intake_url,
        settings.registration_url,
        settings.reporting_url,
        settings.notification_url,
        token,
    )
    office = Office(
        store=store,
        people=people,
        client=client,
        reads=reads,
        clock=infra.clock,
        ref=infra.reference,
        session_hours=settings.session_hours,
        cookie_secure=settings.cookie_secure,
        trusted_proxies=networks(settings.trusted_proxies),
        outcome_seconds=settings.outcome_seconds,
    )

    imports = Imports(infra.db, infra.cipher, client, infra.reference)

    async def begin() -> None:
        await store.ensure_indexes()
        await people.load()
        if settings.development:
            await people.seed_development(infra.reference, infra.clock.now())
        await imports.resume()

    async def forget_expired(job: JobContext) -> None:
        """Logins and kept drafts past their time, on the platform's clock."""
        await store.forget_expired(job.clock.now())

    spec = ServiceSpec(
        name="office",
        web=office_app(
            office,
            [
                *reception.routes(office),
                *queue.routes(office),
                *delegates.routes(office, imports),  # before a conference's /<step> pages
                *conferences.routes(office),
                *contacts.routes(office),
                *accounts.routes(office),
            ],
        ),
        admin=admin_app(people, infra.reference, infra.clock),
        on_start=[begin],
        periodic=[forget_expired],
        on_stop=[imports.close, client.close, reads.close],
        shown={"logins": people.guard.status},
    )
    return Service(spec, infra)
