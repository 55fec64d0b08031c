"""Prometheus metrics of every service, served at /metrics beside /health (prometheus_client).

Counters move as work finishes; the outbox backlog, consumer lag and the dependencies' state are
read when Prometheus scrapes. Labels carry names of queues, types, channels and states only —
never an id, a person or a text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Handling a message: a few milliseconds to the database's slow seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

MESSAGES = Counter(
    "nghedan_messages",
    "Messages a consumer finished with, by result: accepted, duplicate or rejected (commands), "
    "applied or duplicate (events), done (tasks), parked (kept in the dead-letter queue with its "
    "reason), retried (a failure that will be tried again).",
    ["service", "queue", "type", "result"],
)
HANDLER_SECONDS = Histogram(
    "nghedan_handler_seconds",
    "Time from taking a message off its queue to acknowledging it.",
    ["service", "queue"],
    buckets=BUCKETS,
)
OUTBOX_PENDING = Gauge(
    "nghedan_outbox_pending", "Messages committed but not yet published.", ["service"]
)
QUEUE_WAITING = Gauge(
    "nghedan_queue_waiting", "Messages waiting in the service's queue.", ["service", "queue"]
)
QUEUE_IN_FLIGHT = Gauge(
    "nghedan_queue_in_flight", "Messages being handled now.", ["service", "queue"]
)
QUEUE_OLDEST = Gauge(
    "nghedan_queue_oldest_unapplied_seconds",
    "Age of the oldest message taken but not yet applied (consumer lag in time).",
    ["service", "queue"],
)
UP = Gauge("nghedan_up", "1 when the service reaches its dependency.", ["service", "dependency"])
NOTIFICATIONS = Counter(
    "nghedan_notification_messages",
    "Messages notification moved to a state (queued, held, retrying, sent, delivered, failed, "
    "suppressed), by channel and template.",
    ["channel", "template", "status"],
)

LOGINS = Counter(
    "nghedan_logins",
    "Logins to a page a person opens, by outcome: ok, wrong (name or password), locked (refused "
    "unchecked during a lockout), busy (too many checks waiting).",
    ["outcome"],
)


def observe_probe(service: str, probe: Mapping[str, Any]) -> None:
    """The scrape-time gauges, from the same probe /health answers with."""
    UP.labels(service, "broker").set(1 if probe.get("broker") else 0)
    UP.labels(service, "database").set(1 if probe.get("database") else 0)
    if probe.get("outbox_pending") is not None:
        OUTBOX_PENDING.labels(service).set(probe["outbox_pending"])
    consumers: Iterable[Mapping[str, Any]] = probe.get("consumers") or []
    for lag in consumers:
        QUEUE_WAITING.labels(service, lag["queue"]).set(lag["waiting"])
        QUEUE_IN_FLIGHT.labels(service, lag["queue"]).set(lag["in_flight"])
        QUEUE_OLDEST.labels(service, lag["queue"]).set(lag["oldest_seconds"])


def exposition() -> bytes:
    return _generate(REGISTRY)
