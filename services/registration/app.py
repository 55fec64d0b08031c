"""Composition root of the registration service: settings in, a runnable service out."""

from __future__ import annotations

from functools import partial

from services.registration import handlers, reactions, store
from services.registration.office_door import office_door
from services.registration.repository import Repository
from services.registration.settings import RegistrationSettings
from shared.clock import Clock
from shared.contracts.privacy import DataRequest
from shared.contracts.registration import SetVillageHead
from shared.service import Every, Infrastructure, Service, ServiceSpec


def create_service(settings: RegistrationSettings, clock: Clock | None = None) -> Service:
    infra = Infrastructure("registration", settings, clock)
    deps = handlers.Deps.of(
        infra,
        lambda db, cipher, tx: Repository(store.MongoStore(db, cipher, tx), infra.clock),
        reactions.lifecycle_of(infra.reference),
    )
    retention = handlers.retention(deps, settings.retention_days)
    commands = {
        "registration.create-session.v1": partial(handlers.create_session, deps),
        "registration.schedule-session.v1": partial(handlers.schedule_session, deps),
        "registration.register-delegate.v1": partial(handlers.register_delegate, deps),
        "registration.register-delegates.v1": partial(handlers.register_delegates, deps),
        "registration.cancel-registration.v1": partial(handlers.cancel_registration, deps),
        "registration.check-in.v1": partial(handlers.check_in, deps),
        "registration.conclude-session.v1": partial(handlers.conclude_session, deps),
        "registration.cancel-session.v1": partial(handlers.cancel_session, deps),
        "registration.attach-briefing.v1": partial(handlers.attach_briefing, deps),
        "registration.attach-agency-points.v1": partial(handlers.attach_agency_points, deps),
        "registration.data-request.v1": partial(handlers.data_request, deps),
        "registration.set-village-head.v1": partial(handlers.set_village_head, deps),
    }
    spec = ServiceSpec(
        name="registration",
        commands=commands,
        events={
            "intake.adhoc-request.threshold-reached.v1": partial(handlers.plan_adhoc_session, deps),
            "dialogue.results.published.v1": partial(handlers.announce_results, deps),
            "intake.agency-contact.changed.v1": partial(handlers.keep_agency_contact, deps),
        },
        periodic=[
            partial(handlers.remind_delegates, deps),
            partial(handlers.check_readiness, deps),
            partial(handlers.check_yearly_dialogue, deps),
            partial(handlers.check_results_deadline, deps),
            Every(settings.retention_check_seconds, retention),
        ],
        # Commands about one session change its counters: one at a time per instance spares
        # retries.
        ordering={key: _session_of for key in commands},
        office=office_door(
            store.MongoStore(infra.db, infra.cipher, None), infra.reference, infra.clock
        ),
        ensure_indexes=store.ensure_indexes,
        shown={"retention": retention.status},
    )
    return Service(spec, infra)


def _session_of(command: object) -> str:
    if isinstance(command, DataRequest):
        return f"data-request:{command.request_id}"
    if isinstance(command, SetVillageHead):
        return f"village-head:{command.village_code}"
    session_id = getattr(command, "session_id", None)
    if session_id:
        return str(session_id)
    return str(getattr(command, "registration_code", "")).rsplit("-", 2)[
        0
    ]  # <session>-<seq>-<check>
