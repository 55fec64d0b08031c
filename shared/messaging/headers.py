"""The headers a parked message carries (x-nghedan-*), which the operator's tool reads."""

from __future__ import annotations

DLQ_HEADER_PREFIX = "x-nghedan-"
SEALED = DLQ_HEADER_PREFIX + "sealed"
# How often an operator sent a message back, and whether its body is sealed, survive parking.
SENDER = DLQ_HEADER_PREFIX + "sender"  # a parked message's sender, for the operator to read
# Who sent a parked message, on which exchange and routing key, into which queue, with a hash of
# the body kept: sealed by the service that parked it, so a replay is believed only from it.
ORIGIN = DLQ_HEADER_PREFIX + "origin"
BODY_DROPPED = DLQ_HEADER_PREFIX + "body-dropped"  # an oversized body's size: the body is not kept
KEPT_WHEN_PARKED = (DLQ_HEADER_PREFIX + "replays", SEALED)
