"""The pipeline's second stage: who a message is from, and whether it may come that way.

A message's origin is the broker-verified AMQP user, the exchange and the routing key it came
by; a dead letter the operator replays stands for its first sending only if this queue's service
sealed that origin when it parked the very same body. A command must come from a sender allowed
to send it, anything else from the service the topology says publishes it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

import aio_pika
from cryptography.exceptions import InvalidTag

from shared import vi
from shared.contracts.catalogue import CATALOGUE
from shared.crypto import FieldCipher
from shared.logging import get_logger
from shared.messaging.headers import ORIGIN
from shared.messaging.parse import problem
from shared.messaging.senders import Senders
from shared.messaging.topology import publishers_of

log = get_logger(__name__)


@dataclass(frozen=True)
class Origin:
    """Who sent a message (its broker-verified AMQP user_id), on which exchange, under which key."""

    sender: str | None
    exchange: str
    routing_key: str


@dataclass(frozen=True)
class Gate:
    """One queue's check of who sends what (`senders` None: no check, as in unit tests)."""

    queue: str
    cipher: FieldCipher | None
    senders: Senders | None

    @property
    def _origin_context(self) -> str:
        return f"dead-letter-origin:{self.queue}"

    def origin(self, raw: aio_pika.abc.AbstractIncomingMessage) -> Origin:
        """Who sent it and how, as the broker verified (AMQP user_id, exchange, routing key). A
        dead letter the operator replays stands for its first sending only if this queue's
        service sealed that origin when it parked the very same body: a header anyone may set
        is never believed."""
        told = Origin(raw.user_id, raw.exchange or "", raw.routing_key or "")
        kept = (raw.headers or {}).get(ORIGIN)
        if not (kept and self.cipher and self.senders and self.senders.may_replay(raw.user_id)):
            return told
        try:
            sealed = base64.b64decode(kept if isinstance(kept, bytes) else str(kept), validate=True)
            first = json.loads(self.cipher.unseal(sealed, context=self._origin_context))
        except (InvalidTag, ValueError, UnicodeError, binascii.Error):
            log.warning("dead_letter.origin_unverified")
            return told
        if first.get("body") != hashlib.sha256(raw.body).hexdigest():
            log.warning("dead_letter.origin_unverified")
            return told
        return Origin(first.get("sender"), first["exchange"], first["routing_key"])

    def sealed_origin(self, origin: Origin, body: bytes) -> str | None:
        if self.cipher is None:
            return None
        kept = {
            "sender": origin.sender,
            "exchange": origin.exchange,
            "routing_key": origin.routing_key,
            "body": hashlib.sha256(body).hexdigest(),
        }
        sealed = self.cipher.seal(json.dumps(kept).encode(), context=self._origin_context)
        return base64.b64encode(sealed).decode()

    def refusal(self, origin: Origin, key: str) -> dict[str, str] | None:
        """Why a message of this type may not come this way from this sender, or None. Its type
        must be the routing key it was published under, on the exchange that carries it; a
        command must come from a sender allowed to send it, anything else from the service the
        topology says publishes it (a service's user reaches every queue through the default
        exchange, which the broker cannot limit by routing key: this check does)."""
        if self.senders is None:
            return None
        spec = CATALOGUE[key]
        if (origin.exchange, origin.routing_key) != (spec.exchange, key):
            text = vi.WRONG_ROUTE.format(
                type=key,
                exchange=origin.exchange or vi.DEFAULT_EXCHANGE,
                routing_key=origin.routing_key,
                expected=spec.exchange,
            )
            return problem("type", "wrong_route", text)
        who = origin.sender
        if spec.kind == "command":
            if self.senders.allows(who, key):
                return None
            text = (vi.NOT_PERMITTED if who else vi.NO_USER_ID).format(user=who, type=key)
            return problem("user_id", "not_permitted", text)
        if self.senders.may_publish(who, spec.exchange, key):
            return None
        owners = ", ".join(sorted(publishers_of(spec.exchange, key))) or "—"
        return problem("user_id", "forged", vi.FORGED.format(user=who, type=key, owners=owners))
