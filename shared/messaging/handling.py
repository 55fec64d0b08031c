"""What a service's handlers are given and may use: the message's context, the handlers'
types, and a batch command's rows applied one by one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from shared.clock import Clock
from shared.contracts.catalogue import CATALOGUE
from shared.contracts.common import Outcome, OutcomeError, Rejected
from shared.contracts.envelope import (
    ACTED_BY,
    CloudEvent,
    EnvelopeError,
    routing_key_of,
    validate_data,
)
from shared.messaging.outbox import UnitOfWork
from shared.storage import Session

ANY_EVENT = "*"  # an event handler under this key takes every catalogued event its queue receives


@dataclass
class HandlerContext:
    uow: UnitOfWork
    event: CloudEvent[Any]
    clock: Clock
    sender: str | None = None  # a command's broker-verified sender

    @property
    def session(self) -> Session:
        return self.uow.session

    @property
    def actor(self) -> str | None:
        """The person a command was sent for (`actedby`), as its broker-verified sender says:
        `office: Nguyễn Văn An (vp-an)`; None when the sender named nobody."""
        named = (self.event.model_extra or {}).get(ACTED_BY)
        if not isinstance(named, str) or not named.strip():
            return None
        return f"{self.sender or self.event.source}: {named.strip()[:200]}"


CommandHandler = Callable[[Any, HandlerContext], Awaitable[dict[str, Any]]]
EventHandler = Callable[[Any, HandlerContext], Awaitable[None]]
# A task does work outside any transaction (a call to a provider) and commits by itself; it must be
# idempotent through its own state, since no inbox stands in front of it.
TaskHandler = Callable[[Any, CloudEvent[Any]], Awaitable[None]]
OrderingKey = Callable[[Any], str | None]  # None: no order needed


async def apply_rows(
    ctx: HandlerContext,
    rows: list[tuple[str, dict[str, Any]]],
    row_type: str,
    handler: CommandHandler,
) -> dict[str, Any]:
    """A batch command's rows, each as the command `row_type` would be, in their order and in the
    batch's transaction: one outcome per row (`accepted`, `duplicate` of its first outcome, or
    `rejected` with its reasons), each row kept in the inbox as that command, so sending a row
    again, alone or in another batch, is a duplicate. `handler` must refuse a row (Rejected)
    before it writes anything, so a refused row leaves nothing behind."""
    source = ctx.event.source
    seen = await ctx.uow.db.inbox_entries(ctx.session, ctx.sender, source, [i for i, _ in rows])
    answers: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for row_id, row_data in rows:
        if row_id in seen:
            first = Outcome.model_validate(seen[row_id]["outcome"])
            outcome = first.again(row_id, row_type)
        else:
            outcome, judged = await _judge_row(ctx, row_id, row_type, row_data, handler)
            # A row that fails its schema is judged again when sent again, as a parked command
            # is: only what was judged against the rules is remembered.
            if judged:
                entry = {"sender": ctx.sender, "source": source, "id": row_id, "type": row_type}
                seen[row_id] = entry | {"outcome": outcome.model_dump(mode="json")}
                claims.append(seen[row_id])
        answers.append(outcome.model_dump(mode="json", exclude_none=True))
    await ctx.uow.db.claim_inbox_many(ctx.session, claims)
    counts = {status: sum(a["status"] == status for a in answers) for status in STATUSES}
    return {"rows": answers, **counts}


STATUSES = ("accepted", "duplicate", "rejected")


async def _judge_row(
    ctx: HandlerContext,
    row_id: str,
    row_type: str,
    row_data: dict[str, Any],
    handler: CommandHandler,
) -> tuple[Outcome, bool]:
    """One row's outcome, and whether it was judged against the rules (not refused by schema)."""
    try:
        data = validate_data(CATALOGUE[routing_key_of(row_type)].model, row_data)
    except EnvelopeError as bad:
        errors = [OutcomeError(**e) for e in bad.errors]
        return Outcome(
            command_id=row_id, command_type=row_type, status="rejected", errors=errors
        ), False
    try:
        result = await handler(data, ctx)
    except Rejected as refused:
        return Outcome(
            command_id=row_id, command_type=row_type, status="rejected", errors=refused.errors
        ), True
    return Outcome(command_id=row_id, command_type=row_type, status="accepted", result=result), True
