"""Each event the domain records, as the contract message registration publishes for it."""

from __future__ import annotations

from typing import Any

from services.registration.domain import events
from services.registration.domain.model import Conference, Registration, held_on, placed, starts
from shared.contracts import registration as contract
from shared.messaging.outbox import Message


def _sittings(conference: Conference) -> list[contract.SittingInfo]:
    return [
        contract.SittingInfo(code=s.code, villages=s.villages, venue=s.venue, starts_at=s.starts_at)
        for s in conference.sittings
    ]


def _delegate(reg: Registration) -> dict[str, Any]:
    """What every delegate event says of a registration: never who the person is."""
    return {
        "session_id": reg.session_id,
        "registration_code": reg.code,
        "village_code": reg.village_code,
        "category": reg.category,
    }


def _planned(c: Conference) -> contract.SessionPlanned:
    return contract.SessionPlanned(
        session_id=c.id,
        commune_code=c.commune_code,
        kind=c.kind,
        year=c.year,
        period=c.period,
        title=c.title,
        venue=c.venue,
        format=c.format,
        capacity_min=c.capacity_min,
        capacity_max=c.capacity_max,
        topics=c.topics,
        representatives_per_village=c.representatives_per_village,
        sittings=_sittings(c),
        organisers=[contract.OrganiserInfo(**o) for o in c.organisers],
    )


def _scheduled(e: events.Scheduled) -> contract.SessionScheduled:
    c = e.conference
    return contract.SessionScheduled(
        session_id=c.id,
        commune_code=c.commune_code,
        kind=c.kind,
        starts_at=starts(c),
        ends_at=c.ends_at,
        venue=c.venue,
        format=c.format,
        online_url=c.online_url,
        agenda_summary=c.agenda_summary,
        sittings=_sittings(c),
        announce_deadline=e.announce_deadline,
        previous_starts_at=e.previous_starts_at,
    )


def _concluded(e: events.Concluded) -> contract.SessionConcluded:
    c = e.conference
    return contract.SessionConcluded(
        session_id=c.id,
        commune_code=c.commune_code,
        held_on=held_on(c),
        concluded_at=e.at,
        results_deadline=e.results_deadline,
        attendance=e.attendance,
        summary=e.summary,
        chaired_by=c.chaired_by,
        concluded_by=c.concluded_by,
    )


def message(event: events.Event) -> Message:
    """The routing key, the contract's data and the subject (the conference) of one event."""
    match event:
        case events.Planned(conference=c):
            return Message("registration.session.planned.v1", _planned(c), c.id)
        case events.Scheduled(conference=c):
            return Message("registration.session.scheduled.v1", _scheduled(event), c.id)
        case events.Held(conference=c):
            held = contract.SessionHeld(
                session_id=c.id, commune_code=c.commune_code, held_on=held_on(c)
            )
            return Message("registration.session.held.v1", held, c.id)
        case events.Concluded(conference=c):
            return Message("registration.session.concluded.v1", _concluded(event), c.id)
        case events.BriefingAttached(conference=c):
            briefing = contract.BriefingAttached(
                session_id=c.id,
                commune_code=c.commune_code,
                title=event.title,
                summary=event.summary,
                presented_by=event.presented_by,
                at=event.at,
            )
            return Message("registration.session.briefing-attached.v1", briefing, c.id)
        case events.AgencyPointsAttached(conference=c):
            points = contract.AgencyPointsAttached(
                session_id=c.id,
                commune_code=c.commune_code,
                agency_code=event.agency_code,
                points=event.points,
                presented_by=event.presented_by,
                at=event.at,
            )
            return Message("registration.session.agency-points-attached.v1", points, c.id)
        case events.Cancelled(conference=c):
            cancelled = contract.SessionCancelled(
                session_id=c.id,
                commune_code=c.commune_code,
                reason=event.reason,
                previous_status=event.previous_status,
            )
            return Message("registration.session.cancelled.v1", cancelled, c.id)
        case events.Registered(registration=r):
            registered = contract.DelegateRegistered(
                **_delegate(r),
                status=placed(r),
                waiting_position=event.waiting_position,
                sitting_code=r.sitting_code,
            )
            return Message("registration.delegate.registered.v1", registered, r.session_id)
        case events.RegistrationCancelled(registration=r):
            gone = contract.DelegateCancelled(**_delegate(r), previous_status=event.previous_status)
            return Message("registration.delegate.cancelled.v1", gone, r.session_id)
        case events.Promoted(registration=r):
            promoted = contract.DelegatePromoted(**_delegate(r))
            return Message("registration.delegate.promoted.v1", promoted, r.session_id)
        case events.CheckedIn(registration=r):
            checked = contract.DelegateCheckedIn(**_delegate(r), checked_in_at=event.at)
            return Message("registration.delegate.checked-in.v1", checked, r.session_id)
    raise TypeError(f"no message for {type(event).__name__}")  # a new event needs its mapping
