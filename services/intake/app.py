"""Composition root of intake: settings in, a runnable service out."""

from __future__ import annotations

from functools import partial
from typing import Any

from services.intake import handlers, reactions, store
from services.intake.office_door import office_door
from services.intake.open311 import Limits, open311_app
from services.intake.repository import Repository
from services.intake.settings import IntakeSettings
from shared.agency_contacts import AgencyContacts
from shared.clock import Clock
from shared.messaging.handling import CommandHandler, HandlerContext, OrderingKey
from shared.service import Every, Infrastructure, Service, ServiceSpec

SESSION_STATES = ("planned", "scheduled", "held", "concluded", "cancelled")


async def _marks(deps: handlers.Deps) -> int:
    return sum(len(marks) for marks in (await deps.store().store.agenda_marks()).values())


def _acting(deps: handlers.Deps, handler: CommandHandler) -> CommandHandler:
    """The handler, with the person the command was sent for named on every change it makes."""

    async def run(cmd: Any, ctx: HandlerContext) -> dict[str, Any]:
        deps.store(ctx.uow).actor = ctx.actor
        return await handler(cmd, ctx)

    return run


def _commands(deps: handlers.Deps) -> dict[str, CommandHandler]:
    """Each command intake takes, and the handler that applies it."""
    return {
        key: _acting(deps, handler) if key != "intake.data-request.v1" else handler
        for key, handler in _handlers(deps).items()
    }


def _handlers(deps: handlers.Deps) -> dict[str, CommandHandler]:
    return {
        "intake.submit-issue.v1": partial(handlers.submit_issue, deps),
        "intake.reclassify-issue.v1": partial(handlers.reclassify_issue, deps),
        "intake.record-answer.v1": partial(handlers.record_answer, deps),
        "intake.record-conclusion.v1": partial(handlers.record_conclusion, deps),
        "intake.update-followup.v1": partial(handlers.update_followup, deps),
        "intake.close-issue.v1": partial(handlers.close_issue, deps),
        "intake.approve-summary.v1": partial(handlers.approve_summary, deps),
        "intake.set-agency-contact.v1": partial(handlers.set_agency_contact, deps),
        "intake.accept-case.v1": partial(handlers.accept_case, deps),
        "intake.extend-case.v1": partial(handlers.extend_case, deps),
        "intake.record-settlement.v1": partial(handlers.record_settlement, deps),
        "intake.withdraw-case.v1": partial(handlers.withdraw_case, deps),
        "intake.suspend-case.v1": partial(handlers.suspend_case, deps),
        "intake.correct-kind.v1": partial(handlers.correct_kind, deps),
        "intake.data-request.v1": partial(handlers.data_request, deps),
        "intake.sign-adhoc-request.v1": partial(handlers.sign_adhoc_request, deps),
    }


def create_service(settings: IntakeSettings, clock: Clock | None = None) -> Service:
    infra = Infrastructure("intake", settings, clock)
    deps = handlers.Deps.of(
        infra,
        lambda db, cipher, tx: Repository(store.MongoStore(db, cipher, tx)),
        reactions.lifecycle_of(infra.reference),
    )
    retention = handlers.retention(deps, settings.retention_days)
    commands = _commands(deps)
    # An issue's commands one at a time per instance; submissions share the tracking counter.
    ordering: dict[str, OrderingKey] = {
        "intake.submit-issue.v1": lambda _: "tracking-counter",
        "intake.data-request.v1": lambda cmd: f"data-request:{cmd.request_id}",
        "intake.sign-adhoc-request.v1": lambda cmd: f"adhoc:{cmd.request_code}",
        "intake.set-agency-contact.v1": lambda cmd: f"agency-contact:{cmd.agency_code}",
    }
    for key in commands:
        ordering.setdefault(key, lambda cmd: cmd.tracking_code)
    spec = ServiceSpec(
        name="intake",
        commands=commands,
        events={
            f"registration.session.{state}.v1": handlers.follow_session(
                deps, state, settings.agenda_bytes
            )
            for state in SESSION_STATES
        },
        periodic=[
            handlers.overdue_sweep(deps),
            handlers.due_soon_sweep(deps),
            handlers.legal_clock_sweep(deps),
            Every(
                settings.agenda_redraft_seconds,
                handlers.agenda_redraft(deps, settings.agenda_bytes),
            ),
            Every(settings.retention_check_seconds, retention),
        ],
        ordering=ordering,
        web=open311_app(
            deps.store().store,
            infra.reference,
            lambda: infra.pipeline("intake.commands"),
            settings.open311_keys(),
            Limits.parse(
                settings.open311_limits,
                settings.open311_max_body_bytes,
                settings.open311_trusted_proxies,
            ),
        ),
        office=office_door(deps.store(), infra.reference, AgencyContacts(infra.db, None)),
        ensure_indexes=store.ensure_indexes,
        owed={"agenda_redrafts": lambda: _marks(deps)},
        shown={"retention": retention.status},
    )
    return Service(spec, infra)
