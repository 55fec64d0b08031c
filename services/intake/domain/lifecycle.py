"""An issue after routing: answer proposed, concluded, followed up, resolved; or referred, refused.

Each step checks the state it starts from and says why when it may not. Complaints and
denunciations also run their legal clocks, which the dialogue's answer does not stop.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from services.intake import messages as msg
from services.intake.domain import events, notices
from services.intake.domain.issues import Change, Issue
from services.intake.domain.notices import Notice
from shared import vi
from shared.clock import local_date
from shared.contracts import intake as contract
from shared.contracts.common import OutcomeError, Rejected, error, reject_if
from shared.legal_days import LegalCalendar, limit_state
from shared.text import fmt, fmt_time

ANSWERABLE = ("assigned", "answer_proposed", "on_agenda")
FOLLOWED = ("concluded", "in_followup")
CASES = ("complaint", "denunciation")
# Law on Complaints 2011: accepted (thụ lý) within 10 days of receipt (Art. 27), settled within
# 30 days of acceptance, 45 when complex; 45 and 60 in remote, hard-to-reach areas (Art. 28).
COMPLAINT_ACCEPTANCE_DAYS = 10
COMPLAINT_SETTLEMENT_DAYS = {
    (False, False): 30,
    (True, False): 45,
    (False, True): 45,
    (True, True): 60,
}
# Law on Denunciations 2018: checked and accepted or not within 7 working days of receipt
# (Art. 24); settled within 30 days of acceptance (Art. 30).
DENUNCIATION_CHECK_WORKING_DAYS = 7
DENUNCIATION_SETTLEMENT_DAYS = 30
DENUNCIATION_CHECK_EXTENDED_WORKING_DAYS = 10  # Art. 24: "in necessary cases"
# Not competent: sent on to the competent authority, and the denouncer told, within 5 working days
# of receipt (Law on Denunciations 2018, Art. 24).
DENUNCIATION_TRANSFER_WORKING_DAYS = 5
# Accepted: the denouncer told, and the person denounced told what they are denounced for,
# within 5 working days of the acceptance decision (Law on Denunciations 2018, Art. 29).
DENUNCIATION_ACCEPTED_NOTICE_WORKING_DAYS = 5
# A complaint's settlement decision sent to the complainant, the superior, those with related
# rights and the body that transferred it within 3 working days (Law on Complaints 2011, Art. 31).
COMPLAINT_DECISION_WORKING_DAYS = 3
# The conclusion on a denunciation sent to the person denounced and notified to the denouncer
# (Art. 35), and made public without the denouncer (Art. 40). Assumed: 5 working days for each,
# the shortest reading of the texts (the safe side).
DENUNCIATION_CONCLUSION_WORKING_DAYS = 5
DENUNCIATION_PUBLISH_WORKING_DAYS = 5
# A suspension decision sent to the person (and the person denounced). Assumed: 3 working days,
# as a complaint's settlement decision (the texts give no number; the safe side).
SUSPENSION_NOTICE_WORKING_DAYS = 3
COMPLAINTS_LAW = "Luật Khiếu nại 2011"
DENUNCIATIONS_LAW = "Luật Tố cáo 2018"
# Law on Complaints 2011, Art. 11: what is not accepted for settlement, clause by clause.
REFUSAL_GROUNDS = {
    1: "quyết định, hành vi hành chính nội bộ, chỉ đạo điều hành, có chứa quy phạm pháp luật "
    "hoặc thuộc bí mật nhà nước",
    2: "quyết định, hành vi hành chính bị khiếu nại không liên quan trực tiếp đến quyền, lợi ích "
    "hợp pháp của người khiếu nại",
    3: "người khiếu nại không có năng lực hành vi dân sự đầy đủ mà không có người đại diện hợp pháp",
    4: "người đại diện không hợp pháp thực hiện khiếu nại",
    5: "đơn khiếu nại không có chữ ký hoặc điểm chỉ của người khiếu nại",
    6: "thời hiệu khiếu nại (90 ngày, Điều 9) đã hết mà không có lý do chính đáng",
    7: "khiếu nại đã có quyết định giải quyết khiếu nại lần hai",
    8: "có văn bản thông báo đình chỉ việc giải quyết khiếu nại mà sau 30 ngày người khiếu nại "
    "không tiếp tục khiếu nại",
    9: "việc khiếu nại đã được Tòa án thụ lý hoặc đã được giải quyết bằng bản án, quyết định "
    "của Tòa án",
}


def require(issue: Issue, allowed: tuple[str, ...], action: str) -> None:
    if issue.status not in allowed:
        raise Rejected(
            [
                error(
                    "data.tracking_code",
                    "invalid_transition",
                    msg.WRONG_STATE.format(
                        code=issue.tracking_code,
                        status=vi.ISSUE_STATUS.get(issue.status, issue.status),
                        action=msg.ACTIONS_VI[action],
                    ),
                )
            ]
        )


def propose_answer(issue: Issue, cmd: contract.RecordAnswer, now: datetime) -> None:
    require(issue, ANSWERABLE, "answer")
    if cmd.agency_code != issue.agency_code:
        raise Rejected(
            [
                error(
                    "data.agency_code",
                    "not_responsible",
                    msg.NOT_RESPONSIBLE.format(
                        agency=cmd.agency_code, code=issue.tracking_code, assigned=issue.agency_code
                    ),
                )
            ]
        )
    issue.answer, issue.answer_agency, issue.status = cmd.answer, cmd.agency_code, "answer_proposed"
    issue.history.append(Change(now, cmd.agency_code, "answer_proposed", None, cmd.agency_code))
    issue.public_texts.pop("answer", None)  # approved for another answer: approve this one anew
    # The answer's words stay in intake until an officer approves a public wording of them.
    issue.events.append(events.AnswerProposed(issue, cmd.agency_code, now))


def _conclusion_errors(
    issue: Issue,
    cmd: contract.RecordConclusion,
    conference: dict[str, Any] | None,
    agencies: set[str],
    now: datetime,
) -> list[OutcomeError]:
    """A conclusion needs a conference held, an agency known and a deadline still to come."""
    errors: list[OutcomeError] = []
    if conference is None:
        errors.append(
            error(
                "data.session_id",
                "unknown_session",
                msg.UNKNOWN_SESSION.format(session=cmd.session_id),
            )
        )
    elif conference.get("status") not in ("held", "concluded"):
        errors.append(
            error(
                "data.session_id",
                "session_not_held",
                msg.SESSION_NOT_HELD.format(
                    session=cmd.session_id, status=conference.get("status")
                ),
            )
        )
    if cmd.responsible_agency not in agencies:
        errors.append(
            error(
                "data.responsible_agency",
                "unknown_agency",
                msg.NOT_RESPONSIBLE.format(
                    agency=cmd.responsible_agency, code=issue.tracking_code, assigned="—"
                ),
            )
        )
    if cmd.deadline < local_date(now):
        errors.append(
            error(
                "data.deadline",
                "deadline_past",
                msg.DEADLINE_PAST.format(deadline=fmt(cmd.deadline)),
            )
        )
    return errors


def conclude(
    issue: Issue,
    cmd: contract.RecordConclusion,
    conference: dict[str, Any] | None,
    agencies: set[str],
    now: datetime,
) -> None:
    require(issue, ANSWERABLE, "conclude")
    errors = _conclusion_errors(issue, cmd, conference, agencies, now)
    reject_if(errors)
    issue.status = "concluded"
    issue.conclusion = {
        "session_id": cmd.session_id,
        "text": cmd.conclusion,
        "agency": cmd.responsible_agency,
        "deadline": cmd.deadline.isoformat(),
        "at": now,
    }
    issue.history.append(Change(now, "Chủ trì hội nghị", "concluded", None, cmd.session_id))
    issue.public_texts.pop("conclusion", None)  # its words public only once approved
    concluded = events.Concluded(issue, cmd.session_id, cmd.responsible_agency, cmd.deadline, now)
    issue.events.append(concluded)


def follow_up(issue: Issue, cmd: contract.UpdateFollowup, now: datetime) -> None:
    require(issue, FOLLOWED, "followup")
    concluded = conclusion_of(issue)["at"]
    if cmd.reported_at > now:  # a later date would put a conclusion done before its deadline
        text = msg.REPORTED_LATER.format(at=fmt_time(cmd.reported_at), now=fmt_time(now))
        raise Rejected([error("data.reported_at", "in_the_future", text)])
    if cmd.reported_at < concluded:
        text = msg.REPORTED_BEFORE_CONCLUSION.format(
            at=fmt_time(cmd.reported_at), concluded=fmt_time(concluded)
        )
        raise Rejected([error("data.reported_at", "before_conclusion", text)])
    before = issue.status
    issue.status = "resolved" if cmd.status == "resolved" else "in_followup"
    issue.history.append(
        Change(
            cmd.reported_at,
            issue.conclusion["agency"] if issue.conclusion else "",
            "followup",
            before,
            issue.status,
            None,
        )
    )
    issue.events.append(events.FollowupUpdated(issue, cmd.status, now))


def close(
    issue: Issue, cmd: contract.CloseIssue, now: datetime, calendar: LegalCalendar | None = None
) -> None:
    require(issue, ("received", "classified", *ANSWERABLE), "close")
    kind = vi.ISSUE_KIND.get(issue.handled_as, issue.handled_as)
    code = issue.tracking_code
    if cmd.outcome == "settled_in_village" and issue.handled_as in CASES:
        text = msg.NOT_FOR_THE_VILLAGE.format(code=code, handled_as=kind)
        raise Rejected([error("data.outcome", "not_for_the_village", text)])
    if issue.handled_as in CASES and issue.legal is not None:
        if issue.legal.get("accepted_on"):  # once accepted, only a decision ends it
            day = fmt(date.fromisoformat(issue.legal["accepted_on"]))
            text = msg.CLOSED_AFTER_ACCEPTANCE.format(code=code, handled_as=kind, day=day)
            raise Rejected([error("data.outcome", "already_accepted", text)])
        if cmd.outcome == "refused" and issue.handled_as == "complaint" and not cmd.refusal_ground:
            text = msg.REFUSAL_GROUND_REQUIRED.format(code=code)
            raise Rejected([error("data.refusal_ground", "ground_required", text)])
    before, issue.status = issue.status, cmd.outcome
    issue.closed = {
        "outcome": cmd.outcome,
        "reason": cmd.reason,
        "authority": cmd.authority,
        "at": now,
    }
    if issue.handled_as in CASES and calendar is not None:
        _case_closed(issue, cmd, now, calendar)
    issue.history.append(Change(now, cmd.officer, cmd.outcome, before, cmd.outcome, cmd.reason))
    for part in ("reason", "authority"):  # its words public only once approved
        issue.public_texts.pop(part, None)
    issue.events.append(events.Closed(issue, cmd.outcome, now))


def _case_closed(
    issue: Issue, cmd: contract.CloseIssue, now: datetime, calendar: LegalCalendar
) -> None:
    """A complaint or denunciation refused (not accepted) or sent on to the competent authority:
    the person is told, with the reasons (and, for a complaint refused, the clause of Art. 11),
    by the end of the check before acceptance; a denunciation sent on within 5 working days."""
    legal = legal_of(issue)
    received = local_date(issue.received_at)
    today = local_date(now)
    check_due = date.fromisoformat(legal["clocks"].get("acceptance", today.isoformat()))
    law = COMPLAINTS_LAW if issue.handled_as == "complaint" else DENUNCIATIONS_LAW
    params = {"reason": cmd.reason}
    if cmd.outcome == "refused":
        ground = cmd.refusal_ground
        if issue.handled_as == "complaint" and ground:
            issue.closed = {**(issue.closed or {}), "ground": ground}
            params["ground"] = f"khoản {ground} Điều 11 {law}: {REFUSAL_GROUNDS[ground]}"
        basis = f"Điều 27 {law}" if issue.handled_as == "complaint" else f"Điều 29 {law}"
        notices.require(issue, Notice("refused", "submitter", check_due, basis, params))
    elif cmd.outcome == "referred":
        if cmd.authority:
            params["authority"] = cmd.authority
        if issue.handled_as == "denunciation":
            due = calendar.working_days_after(received, DENUNCIATION_TRANSFER_WORKING_DAYS)
            legal["transferred"] = {
                "on": today.isoformat(),
                "due": due.isoformat(),
                "late_days": max((today - due).days, 0),
            }
            basis = f"Điều 24 {law}"
        else:
            due, basis = check_due, f"Điều 27 {law}"
        notices.require(issue, Notice("transferred", "submitter", due, basis, params))


def deadline_of(issue: Issue) -> date | None:
    return date.fromisoformat(issue.conclusion["deadline"]) if issue.conclusion else None


def conclusion_of(issue: Issue) -> dict[str, Any]:
    """The chair's conclusion (session_id, text, agency, deadline) of an issue concluded."""
    if issue.conclusion is None:
        raise ValueError(f"{issue.tracking_code} has no conclusion yet")
    return issue.conclusion


def due_of(issue: Issue) -> date:
    """The deadline of an issue's conclusion."""
    return date.fromisoformat(conclusion_of(issue)["deadline"])


def case_kind(issue: Issue) -> contract.CaseKind:
    """A case is a complaint or a denunciation (ValueError for anything else)."""
    if issue.handled_as == "complaint" or issue.handled_as == "denunciation":
        return issue.handled_as
    raise ValueError(f"{issue.tracking_code} is not a complaint or denunciation")


def legal_of(issue: Issue) -> dict[str, Any]:
    """A complaint's or denunciation's legal record: clocks, acceptance, extensions, decision."""
    if issue.legal is None:
        raise ValueError(f"{issue.tracking_code} is not a complaint or denunciation")
    return issue.legal


def days_overdue(issue: Issue, today: date) -> int:
    """How long past its deadline an open conclusion is (0 when it is not)."""
    deadline = deadline_of(issue)
    if deadline is None or issue.status not in FOLLOWED:
        return 0
    return max((today - deadline).days, 0)


# --- legal clocks of complaints and denunciations ---------------------------------------------


def start_clocks(issue: Issue, calendar: LegalCalendar, since: date | None = None) -> None:
    """The clocks that run from receipt (or `since`, the day it became a case): a complaint's
    acceptance (its settlement is counted from acceptance, so it is not started here), a
    denunciation's check before acceptance."""
    if issue.handled_as not in CASES:
        return
    received = since or local_date(issue.received_at)
    if issue.handled_as == "complaint":
        clocks = {"acceptance": calendar.days_after(received, COMPLAINT_ACCEPTANCE_DAYS)}
    else:
        due = calendar.working_days_after(received, DENUNCIATION_CHECK_WORKING_DAYS)
        clocks = {"acceptance": due}
    issue.legal = {
        "clocks": {k: v.isoformat() for k, v in clocks.items()},
        "accepted_on": None,
        "notified": [],
        "since": received.isoformat(),  # the day its clocks count from
    }


def _dated_between(
    field: str, day: date, earliest: date, today: date, says: tuple[str, str, str]
) -> None:
    """A date that decides a deadline is neither later than today nor earlier than the step it
    follows; `says` = (the sentence for a later day, for an earlier one, its code)."""
    later, earlier, code = says
    if day > today:
        text = later.format(day=fmt(day), today=fmt(today))
        raise Rejected([error(field, "in_the_future", text)])
    if day < earliest:
        raise Rejected([error(field, code, earlier.format(day=fmt(day), earliest=fmt(earliest)))])


def settlement_days(issue: Issue, complex_case: bool, remote: bool) -> int:
    if issue.handled_as == "complaint":
        return COMPLAINT_SETTLEMENT_DAYS[(complex_case, remote)]
    return DENUNCIATION_SETTLEMENT_DAYS


def accept(
    issue: Issue,
    cmd: contract.AcceptCase,
    now: datetime,
    calendar: LegalCalendar,
    remote: bool = False,
) -> None:
    """Accepted for settlement (thụ lý): the settlement clock runs from that day."""
    if issue.handled_as not in CASES or issue.legal is None:
        raise Rejected(
            [
                error(
                    "data.tracking_code",
                    "not_a_case",
                    msg.NOT_A_CASE.format(
                        code=issue.tracking_code,
                        handled_as=vi.ISSUE_KIND.get(issue.handled_as, issue.handled_as),
                    ),
                )
            ]
        )
    if issue.legal["accepted_on"]:
        raise Rejected(
            [
                error(
                    "data.tracking_code",
                    "already_accepted",
                    msg.ALREADY_ACCEPTED.format(
                        code=issue.tracking_code,
                        day=fmt(date.fromisoformat(issue.legal["accepted_on"])),
                    ),
                )
            ]
        )
    require(issue, ("received", "classified", *ANSWERABLE, *FOLLOWED), "accept")
    _dated_between(
        "data.accepted_on",
        cmd.accepted_on,
        local_date(issue.received_at),
        local_date(now),
        (msg.ACCEPTED_IN_FUTURE, msg.ACCEPTED_BEFORE_RECEIPT, "before_receipt"),
    )
    days = settlement_days(issue, cmd.complex, remote)
    issue.legal["accepted_on"] = cmd.accepted_on.isoformat()
    issue.legal["settlement_days"] = days  # the limit the law gives this case, as decided
    check_due = issue.legal["clocks"].pop("acceptance", None)
    settlement_due = calendar.days_after(cmd.accepted_on, days)
    issue.legal["clocks"]["settlement"] = settlement_due.isoformat()
    issue.history.append(Change(now, cmd.officer, "accepted", None, cmd.accepted_on.isoformat()))
    _acceptance_notices(issue, cmd.accepted_on, check_due, settlement_due, days, calendar)


def _acceptance_notices(
    issue: Issue,
    accepted_on: date,
    check_due: str | None,
    settlement_due: date,
    days: int,
    calendar: LegalCalendar,
) -> None:
    """Who is told of an acceptance, and by when."""
    params = {  # for the person's message, which writes the days as people read them
        "accepted_on": accepted_on.isoformat(),
        "settlement_due": settlement_due.isoformat(),
        "days": str(days),
    }
    if issue.handled_as == "complaint":
        # In writing to the complainant, the body that transferred it and the inspectorate of the
        # same level, within the 10 days of the check (Art. 27).
        by = date.fromisoformat(check_due) if check_due else accepted_on
        basis = f"Điều 27 {COMPLAINTS_LAW}"
        parties: list[notices.Party] = ["submitter", "inspectorate"]
    else:
        # The denouncer, and the person denounced of what they are denounced for (Art. 29).
        by = calendar.working_days_after(accepted_on, DENUNCIATION_ACCEPTED_NOTICE_WORKING_DAYS)
        basis = f"Điều 29 {DENUNCIATIONS_LAW}"
        parties = ["submitter", "denounced"]
    if issue.channel == "external_system":
        parties.append("transferring_body")
    notices.require(issue, *(Notice("accepted", p, by, basis, params) for p in parties))


def extend(issue: Issue, cmd: contract.ExtendCase, now: datetime, calendar: LegalCalendar) -> date:
    """A recorded decision extends a denunciation's limit; the new last day."""
    code = issue.tracking_code
    if issue.handled_as != "denunciation" or issue.legal is None:
        text = msg.NOT_A_DENUNCIATION.format(
            code=code, handled_as=vi.ISSUE_KIND.get(issue.handled_as, issue.handled_as)
        )
        raise Rejected([error("data.tracking_code", "not_a_denunciation", text)])
    require(issue, ("received", "classified", *ANSWERABLE, *FOLLOWED), "extend")
    legal = issue.legal
    accepted_on = legal["accepted_on"]
    done = [e for e in legal.setdefault("extensions", []) if e["clock"] == cmd.clock]
    allowed = 1 if cmd.clock == "acceptance" or not cmd.especially_complex else 2
    if cmd.clock == "acceptance" and accepted_on:
        day = fmt(date.fromisoformat(accepted_on))
        text = msg.ACCEPTANCE_CLOSED.format(code=code, day=day)
        raise Rejected([error("data.clock", "already_accepted", text)])
    if cmd.clock == "settlement" and not accepted_on:
        raise Rejected(
            [error("data.clock", "not_accepted", msg.NOT_YET_ACCEPTED.format(code=code))]
        )
    if len(done) >= allowed:
        text = msg.ALREADY_EXTENDED.format(
            clock=CLOCK_VI[cmd.clock], code=code, times=len(done), allowed=allowed
        )
        raise Rejected([error("data.clock", "extensions_used", text)])
    today = local_date(now)
    decided_on = cmd.decided_on or today
    old_due = date.fromisoformat(legal["clocks"][cmd.clock])
    if decided_on > today:
        text = msg.DECIDED_IN_FUTURE.format(day=fmt(decided_on), today=fmt(today))
        raise Rejected([error("data.decided_on", "in_the_future", text)])
    if decided_on > old_due:  # a limit that has run out cannot be extended afterwards
        text = msg.EXTENDED_TOO_LATE.format(
            code=code, clock=CLOCK_VI[cmd.clock], due=fmt(old_due), day=fmt(decided_on)
        )
        raise Rejected([error("data.decided_on", "limit_passed", text)])
    if cmd.clock == "acceptance":
        received = local_date(issue.received_at)
        due = calendar.working_days_after(received, DENUNCIATION_CHECK_EXTENDED_WORKING_DAYS)
    else:
        due = calendar.days_after(date.fromisoformat(legal["clocks"]["settlement"]), cmd.days)
    legal["clocks"][cmd.clock] = due.isoformat()
    legal["extensions"].append(
        {
            "clock": cmd.clock,
            "days": cmd.days,
            "decision": cmd.decision,
            "decided_on": decided_on.isoformat(),
            "due": due.isoformat(),
        }
    )
    issue.history.append(Change(now, cmd.officer, "extended", None, due.isoformat(), cmd.decision))
    # In writing to the denouncer and the person denounced (Art. 30(2)), before the old limit.
    params = {"clock": CLOCK_VI[cmd.clock], "due": fmt(due), "decision": cmd.decision}
    basis = f"Điều 30 {DENUNCIATIONS_LAW}"
    parties: tuple[notices.Party, ...] = ("submitter", "denounced")
    notices.require(issue, *(Notice("extended", p, old_due, basis, params) for p in parties))
    return due


def settle(
    issue: Issue,
    cmd: contract.RecordSettlement,
    now: datetime,
    calendar: LegalCalendar | None = None,
) -> None:
    """The decision that settles the case: its clocks stop (the dialogue's follow-up does not)."""
    code = issue.tracking_code
    legal = _open_case(issue, "settle")
    if not legal["accepted_on"]:
        raise Rejected(
            [error("data.tracking_code", "not_accepted", msg.NOT_ACCEPTED_YET.format(code=code))]
        )
    _dated_between(
        "data.decided_on",
        cmd.decided_on,
        date.fromisoformat(legal["accepted_on"]),
        local_date(now),
        (msg.DECIDED_IN_FUTURE, msg.DECIDED_BEFORE_ACCEPTANCE, "before_acceptance"),
    )
    due = date.fromisoformat(legal["clocks"]["settlement"])
    legal["settled"] = {
        "decided_on": cmd.decided_on.isoformat(),
        "decision": cmd.decision,
        "late_days": max((cmd.decided_on - due).days, 0),
    }
    issue.history.append(
        Change(now, cmd.officer, "settled", None, cmd.decided_on.isoformat(), cmd.decision)
    )
    if calendar is not None:
        _decision_notices(issue, cmd, calendar)


def _decision_notices(
    issue: Issue, cmd: contract.RecordSettlement, calendar: LegalCalendar
) -> None:
    """Who the decision goes to, and by when: a complaint's to the complainant, the superior,
    those with related rights and the body that transferred it (Law on Complaints 2011, Art. 31);
    a denunciation's conclusion to the person denounced, notified to the denouncer (Art. 35) and
    made public without the denouncer (Art. 40)."""
    params = {"decision": cmd.decision, "decided_on": fmt(cmd.decided_on)}
    if issue.handled_as == "complaint":
        by = calendar.working_days_after(cmd.decided_on, COMPLAINT_DECISION_WORKING_DAYS)
        parties: list[notices.Party] = ["submitter", "superior", "related"]
        if issue.channel == "external_system":
            parties.append("transferring_body")
        basis = f"Điều 31 {COMPLAINTS_LAW}"
        notices.require(issue, *(Notice("decision", p, by, basis, params) for p in parties))
        return
    by = calendar.working_days_after(cmd.decided_on, DENUNCIATION_CONCLUSION_WORKING_DAYS)
    basis = f"Điều 35 {DENUNCIATIONS_LAW}"
    published = calendar.working_days_after(cmd.decided_on, DENUNCIATION_PUBLISH_WORKING_DAYS)
    notices.require(
        issue,
        Notice("conclusion", "denounced", by, basis, params),
        Notice("conclusion", "submitter", by, basis, params),
        Notice("publish", "public", published, f"Điều 40 {DENUNCIATIONS_LAW}", params),
    )


def withdraw(issue: Issue, cmd: contract.WithdrawCase, now: datetime) -> None:
    """The person withdrew the complaint or denunciation: recorded; its clocks run on until the
    suspension decision (a denunciation may still be settled, Art. 33)."""
    code = issue.tracking_code
    legal = _open_case(issue, "withdraw")
    if legal.get("withdrawn_on"):
        day = fmt(date.fromisoformat(legal["withdrawn_on"]))
        text = msg.ALREADY_WITHDRAWN.format(code=code, day=day)
        raise Rejected([error("data.tracking_code", "already_withdrawn", text)])
    _dated_between(
        "data.withdrawn_on",
        cmd.withdrawn_on,
        local_date(issue.received_at),
        local_date(now),
        (msg.WITHDRAWN_IN_FUTURE, msg.WITHDRAWN_BEFORE_RECEIPT, "before_receipt"),
    )
    legal["withdrawn_on"] = cmd.withdrawn_on.isoformat()
    issue.history.append(Change(now, cmd.officer, "withdrawn", None, cmd.withdrawn_on.isoformat()))


def suspend(
    issue: Issue, cmd: contract.SuspendCase, now: datetime, calendar: LegalCalendar
) -> None:
    """The decision that ends the settlement of a withdrawn case: its clocks stop on that day and
    the person (and the person denounced) are sent it."""
    code = issue.tracking_code
    legal = _open_case(issue, "suspend")
    if not legal.get("withdrawn_on"):
        raise Rejected(
            [error("data.tracking_code", "not_withdrawn", msg.NOT_WITHDRAWN.format(code=code))]
        )
    _dated_between(
        "data.decided_on",
        cmd.decided_on,
        date.fromisoformat(legal["withdrawn_on"]),
        local_date(now),
        (msg.DECIDED_IN_FUTURE, msg.SUSPENDED_BEFORE_WITHDRAWAL, "before_withdrawal"),
    )
    legal["suspended"] = {"decided_on": cmd.decided_on.isoformat(), "decision": cmd.decision}
    before, issue.status = issue.status, "withdrawn"
    issue.closed = {"outcome": "withdrawn", "reason": cmd.decision, "authority": None, "at": now}
    issue.history.append(Change(now, cmd.officer, "suspended", before, "withdrawn", cmd.decision))
    issue.events.append(events.Closed(issue, "withdrawn", now))
    by = calendar.working_days_after(cmd.decided_on, SUSPENSION_NOTICE_WORKING_DAYS)
    law = COMPLAINTS_LAW if issue.handled_as == "complaint" else DENUNCIATIONS_LAW
    basis = f"Điều 10 {law}" if issue.handled_as == "complaint" else f"Điều 34 {law}"
    params = {"decision": cmd.decision, "decided_on": fmt(cmd.decided_on)}
    parties: list[notices.Party] = ["submitter"]
    if issue.handled_as == "denunciation":
        parties.append("denounced")
    notices.require(issue, *(Notice("suspended", p, by, basis, params) for p in parties))


def _open_case(issue: Issue, action: str) -> dict[str, Any]:
    """The legal record of a complaint or denunciation not yet settled nor suspended."""
    code = issue.tracking_code
    if issue.handled_as not in CASES or issue.legal is None:
        text = msg.NOT_A_CASE.format(
            code=code, handled_as=vi.ISSUE_KIND.get(issue.handled_as, issue.handled_as)
        )
        raise Rejected([error("data.tracking_code", "not_a_case", text)])
    legal = issue.legal
    if legal.get("settled"):
        day = fmt(date.fromisoformat(legal["settled"]["decided_on"]))
        text = msg.ALREADY_SETTLED.format(code=code, decision=legal["settled"]["decision"], day=day)
        raise Rejected([error("data.tracking_code", "already_settled", text)])
    _not_suspended(issue)  # said before the state it left the case in
    require(issue, ("received", "classified", *ANSWERABLE, *FOLLOWED, "resolved"), action)
    return legal


def _not_suspended(issue: Issue) -> None:
    suspended = (issue.legal or {}).get("suspended")
    if suspended:
        day = fmt(date.fromisoformat(suspended["decided_on"]))
        text = msg.ALREADY_SUSPENDED.format(
            code=issue.tracking_code, decision=suspended["decision"], day=day
        )
        raise Rejected([error("data.tracking_code", "already_suspended", text)])


def clocks_running(issue: Issue) -> bool:
    """A case's clocks run until its own decision: settled, or closed as referred, refused or
    merged; a dialogue's follow-up marked resolved does not stop them."""
    if issue.legal is None or issue.legal.get("settled") or issue.legal.get("suspended"):
        return False
    return issue.status not in ("referred", "refused", "merged", "withdrawn")


def case_clocks(issue: Issue) -> contract.CaseClocks | None:
    """What the rest of the platform may know of a case's limits after a change: no person, no
    words; None for what is not a complaint or denunciation."""
    legal = issue.legal
    if legal is None or issue.handled_as not in CASES:
        return None
    settled = legal.get("settled")
    suspended = legal.get("suspended")
    return contract.CaseClocks(
        tracking_code=issue.tracking_code,
        handled_as=case_kind(issue),
        village_code=issue.village_code,
        agency_code=issue.agency_code,
        received_on=local_date(issue.received_at),
        accepted_on=legal["accepted_on"],
        clocks={
            clock: date.fromisoformat(legal["clocks"][clock])
            for clock in ("acceptance", "settlement")
            if clock in legal["clocks"]
        },
        extensions=len(legal.get("extensions", [])),
        running=clocks_running(issue),
        settled_on=settled["decided_on"] if settled else None,
        suspended_on=suspended["decided_on"] if suspended else None,
        revision=len(issue.history),
    )


CLOCK_VI = {"acceptance": "kiểm tra, thụ lý", "settlement": "giải quyết"}
CLOCKS: tuple[contract.CaseClock, ...] = ("acceptance", "settlement")
ALARM_KINDS: dict[str, Literal["due-soon", "expired"]] = {
    "due_soon": "due-soon",
    "expired": "expired",
}


def clock_alarms(issue: Issue, today: date) -> list[events.LegalClock]:
    """An alarm for each limit due soon or run out and not yet told; marks them told."""
    legal = issue.legal
    if legal is None or not clocks_running(issue):
        return []
    alarms: list[events.LegalClock] = []
    for clock in CLOCKS:
        if clock not in legal["clocks"]:
            continue
        due_iso = legal["clocks"][clock]
        due = date.fromisoformat(due_iso)
        left = (due - today).days
        kind = ALARM_KINDS.get(limit_state(left))
        mark = f"{clock}:{due_iso}:{kind}"
        if kind and mark not in legal["notified"]:
            legal["notified"].append(mark)
            alarms.append(events.LegalClock(issue, kind, clock, due, left))
    issue.events += alarms
    return alarms


def mark_overdue(issue: Issue, today: date, now: datetime) -> bool:
    """A conclusion past its deadline is marked overdue, once; True when it was marked now."""
    late = days_overdue(issue, today)
    if issue.overdue or not late:
        return False
    issue.overdue = True
    issue.history.append(Change(now, msg.SYSTEM, "overdue", None, str(deadline_of(issue))))
    issue.events.append(events.Overdue(issue, late))
    return True


def kind_corrected(
    issue: Issue, cmd: contract.CorrectKind, calendar: LegalCalendar, now: datetime
) -> None:
    """A submission now handled as a complaint or denunciation starts its clocks from the day
    the law counts: a complaint from its receipt (it was a complaint when received: the safe
    side); a denunciation from the day the denouncer gave a name and an address (assumed: before
    that it was not a denunciation, Law on Denunciations 2018, Art. 25)."""
    if issue.handled_as == "complaint":
        start_clocks(issue, calendar)
    elif issue.handled_as == "denunciation":
        start_clocks(issue, calendar, since=cmd.identified_on or local_date(now))
