"""Composition root of intake: settings in, a runnable service out."""

from __future__ import annotations

from functools import partial

from services.intake import handlers, store
from services.intake.open311 import open311_app
from services.intake.settings import IntakeSettings
from shared.clock import Clock
from shared.service import Service, ServiceSpec

SESSION_STATES = ("planned", "scheduled", "held", "concluded", "cancelled")


def create_service(settings: IntakeSettings, clock: Clock | None = None) -> Service:
    service = Service(
        ServiceSpec(name="intake", ensure_indexes=store.ensure_indexes), settings, clock
    )
    deps = handlers.Deps(db=service.db, ref=service.reference, cipher=service.cipher)
    service.spec.commands = {
        "intake.submit-issue.v1": partial(handlers.submit_issue, deps),
        "intake.reclassify-issue.v1": partial(handlers.reclassify_issue, deps),
        "intake.record-answer.v1": partial(handlers.record_answer, deps),
        "intake.record-conclusion.v1": partial(handlers.record_conclusion, deps),
        "intake.update-followup.v1": partial(handlers.update_followup, deps),
        "intake.close-issue.v1": partial(handlers.close_issue, deps),
        "intake.approve-summary.v1": partial(handlers.approve_summary, deps),
        "intake.accept-case.v1": partial(handlers.accept_case, deps),
        "intake.extend-case.v1": partial(handlers.extend_case, deps),
        "intake.record-settlement.v1": partial(handlers.record_settlement, deps),
        "intake.sign-adhoc-request.v1": partial(handlers.sign_adhoc_request, deps),
    }
    service.spec.periodic = [
        handlers.overdue_sweep(deps),
        handlers.due_soon_sweep(deps),
        handlers.legal_clock_sweep(deps),
    ]
    service.spec.web = open311_app(
        service.db,
        service.reference,
        service.cipher,
        lambda: next(p for p in service.pipelines if p.queue.name == "intake.commands"),
        settings.open311_keys(),
    )
    service.spec.events = {
        f"registration.session.{state}.v1": handlers.follow_session(deps, state)
        for state in SESSION_STATES
    }
    # An issue's commands one at a time per instance; submissions share the tracking counter.
    service.spec.ordering = {
        "intake.submit-issue.v1": lambda _: "tracking-counter",
        "intake.sign-adhoc-request.v1": lambda cmd: f"adhoc:{cmd.request_code}",
        **{
            key: (lambda cmd: cmd.tracking_code)
            for key in service.spec.commands
            if key not in ("intake.submit-issue.v1", "intake.sign-adhoc-request.v1")
        },
    }
    return service
