"""What registration's events cause besides their message, and its unit of work's life cycle.

When a unit of work commits, the conferences and registrations its handler changed are saved, each
event their rules recorded is published (outgoing.message), then each reaction listed here runs,
in the same transaction: a handler only loads, applies a rule and says what came of it.
"""

from __future__ import annotations

from functools import partial

from services.registration import notices, outgoing
from services.registration.domain import events
from services.registration.domain.model import Conference, starts
from services.registration.repository import Repository
from shared.clock import local_date
from shared.contracts.templates import RegistrationWithdrawn
from shared.lifecycle import LifeCycle, Reaction
from shared.messaging.outbox import UnitOfWork
from shared.reference import ReferenceData


async def _conference_of(repo: Repository, session_id: str) -> Conference:
    conference = await repo.conference(session_id)
    if conference is None:  # an event about a registration always has its conference loaded
        raise RuntimeError(f"no conference {session_id} in this unit of work")
    return conference


async def registered(repo: Repository, uow: UnitOfWork, event: events.Registered) -> None:
    """Confirmed: the invitation once the date is fixed; waiting: the waiting-list notice."""
    reg = event.registration
    conference = await _conference_of(repo, reg.session_id)
    await notices.on_registered(repo.store, uow, conference, [reg])


async def promoted(repo: Repository, uow: UnitOfWork, event: events.Promoted) -> None:
    """A place freed and given: the delegate hears it (once the date is fixed)."""
    reg = event.registration
    conference = await _conference_of(repo, reg.session_id)
    await notices.on_registered(repo.store, uow, conference, [reg], promoted=True)


async def withdrawn(repo: Repository, uow: UnitOfWork, event: events.RegistrationCancelled) -> None:
    """Taken off the list for being under 18 on the conference's new, earlier day: the person is
    told why (Election Law 2015, Art. 30). A cancellation they asked for needs no notice."""
    if event.why != "under_age":
        return
    reg = event.registration
    conference = await _conference_of(repo, reg.session_id)
    day = local_date(starts(conference))
    for code, recipient in (await repo.store.contacts([reg.code])).items():
        withdrawn = RegistrationWithdrawn(
            session_id=conference.id, date=day, registration_code=code
        )
        uow.notify(
            f"under-age:{conference.id}:{day.isoformat()}:{code}",
            recipient,
            withdrawn,
            required=True,
        )


async def scheduled(
    ref: ReferenceData, repo: Repository, uow: UnitOfWork, event: events.Scheduled
) -> None:
    """A date fixed or moved: invitations, the change, and the announcement to village heads."""
    await notices.on_scheduled(repo.store, uow, ref, event.conference, event.previous_starts_at)


async def cancelled(
    ref: ReferenceData, repo: Repository, uow: UnitOfWork, event: events.Cancelled
) -> None:
    """Called off: everyone registered and every village head hear it."""
    await notices.on_cancelled(repo.store, uow, ref, event.conference, event.reason)


def reactions(ref: ReferenceData) -> dict[type, list[Reaction[Repository]]]:
    """Each kind of event, and what it causes (in this order) once its unit of work commits."""
    return {
        events.Registered: [registered],
        events.Promoted: [promoted],
        events.RegistrationCancelled: [withdrawn],
        events.Scheduled: [partial(scheduled, ref)],
        events.Cancelled: [partial(cancelled, ref)],
    }


def lifecycle_of(ref: ReferenceData) -> LifeCycle[Repository]:
    return LifeCycle(save=Repository.save, message=outgoing.message, reactions=reactions(ref))
