"""Runs one service: database, broker, queues and pipelines, outbox relay and health endpoint."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import aio_pika
import uvicorn
from faststream.rabbit import QueueType, RabbitQueue

from shared import metrics
from shared.clock import Clock, make_clock
from shared.crypto import DataKeyError, FieldCipher
from shared.health import admin_token_of, health_app
from shared.lifecycle import LifeCycle
from shared.logging import get_logger
from shared.login import networks
from shared.messaging.broker import make_broker, subscribe
from shared.messaging.consumer import Pipeline
from shared.messaging.dispatch import KeyedLocks
from shared.messaging.handling import CommandHandler, EventHandler, OrderingKey, TaskHandler
from shared.messaging.outbox import OutboxRelay, UnitOfWork, commit
from shared.messaging.senders import amqp_user, load_senders
from shared.messaging.topology import DELAY_QUEUES, declare_all, queues_of
from shared.reference import ReferenceData, load_reference_data
from shared.settings import ServiceSettings, cipher_for
from shared.storage import Database, Session, connect

log = get_logger(__name__)
T = TypeVar("T")


@dataclass
class JobContext:
    """What a periodic job gets: the database, the clock, and transactions with an outbox."""

    service: Service

    @property
    def clock(self) -> Clock:
        return self.service.clock

    async def commit(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        return await self.service.commit(work)


StoreT = TypeVar("StoreT")


@dataclass(frozen=True)
class HandlerDeps(Generic[StoreT]):
    """What a service's handlers are given: its store (bound to a transaction when asked for one),
    its reference data and its keys."""

    stores: Callable[[Session | None], StoreT]
    ref: ReferenceData
    cipher: FieldCipher
    lifecycle: LifeCycle[StoreT] | None = None  # what its unit of work does when it commits

    def store(self, uow: UnitOfWork | None = None) -> StoreT:
        """The service's storage, in the unit of work's transaction (None: outside any). With a
        life cycle, it is one repository per unit of work, settled when the unit commits."""
        if uow is None or self.lifecycle is None:
            return self.stores(uow.session if uow else None)
        return self.lifecycle.bind(uow, lambda: self.stores(uow.session))

    @classmethod
    def of(
        cls,
        infra: Infrastructure,
        store: Callable[[Database, FieldCipher, Session | None], StoreT],
        lifecycle: LifeCycle[StoreT] | None = None,
    ) -> HandlerDeps[StoreT]:
        """The service's own: `store` on its database, with its keys and its reference data."""
        return cls(
            lambda session: store(infra.db, infra.cipher, session),
            infra.reference,
            infra.cipher,
            lifecycle,
        )


PeriodicJob = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class Every:
    """A periodic job on its own interval instead of the service's TICK_SECONDS."""

    seconds: float
    job: PeriodicJob


@dataclass(frozen=True)
class QueueLag:
    queue: str
    waiting: int  # ready in the queue
    in_flight: int  # delivered, being handled
    oldest_seconds: float  # since the oldest message being handled was sent (0: none)
    settled: int = 0  # deliveries this process has finished with since it started (only grows)

    @property
    def behind(self) -> int:
        return self.waiting + self.in_flight

    def said(self) -> str:
        """In Vietnamese, for an outcome or the CLI."""
        if not self.behind:
            return f"{self.queue}: đã áp dụng hết"
        return (
            f"{self.queue}: còn {self.behind} thông điệp chưa áp dụng, "
            f"cũ nhất gửi cách đây {self.oldest_seconds:.0f} giây"
        )


@dataclass
class ServiceSpec:
    """What makes one service itself: its name, handlers and collections."""

    name: str
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    events: Mapping[str, EventHandler] = field(default_factory=dict)
    tasks: Mapping[str, TaskHandler] = field(default_factory=dict)
    ordering: Mapping[str, OrderingKey] = field(default_factory=dict)
    periodic: Sequence[PeriodicJob | Every] = ()
    on_start: Sequence[Callable[[], Awaitable[None]]] = ()  # after its indexes, before the broker
    on_stop: Sequence[Callable[[], Awaitable[None]]] = ()  # close clients the handlers use
    web: Any = None  # an ASGI app served beside /health (delivery reports, the dashboard)
    admin: Any = None  # the operator CLI's door, under /admin/ and behind NGHEDAN_ADMIN_TOKEN
    office: Any = None  # what the office's pages read, under /office/, behind NGHEDAN_OFFICE_TOKEN
    seal_dead_letters: bool = True  # parked bodies may carry personal data: sealed by default
    ensure_indexes: Callable[[Database], Awaitable[None]] | None = None
    # work accepted and not done yet, outside any queue (intake's agendas to draft again):
    # shown in /health and counted by whoever waits for the service to catch up
    owed: Mapping[str, Callable[[], Awaitable[int]]] = field(default_factory=dict)
    # more the operator sees in /health (the login door's lockouts), by name
    shown: Mapping[str, Callable[[], Any]] = field(default_factory=dict)


async def declare_topology(amqp_url: str, service: str | None = None) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        await declare_all(connection, service)


class Infrastructure:
    """What a service stands on, built before its routes: its clock, database, broker, keys,
    outbox relay, the senders file and the reference data. A composition root builds this, then
    the routes from it, then the `Service` from both — nothing is filled in afterwards."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        clock: Clock | None = None,
        database: Database | None = None,
    ) -> None:
        self.name, self.settings = name, settings
        self.clock = clock or make_clock(settings.clock_file)
        self.client = connect(settings.mongo_url, app_name=f"nghedan-{name}")
        self.db = database or Database(self.client, settings.mongo_db)
        self.broker = make_broker(settings.amqp_url, service=name, prefetch=settings.prefetch)
        self.cipher = cipher_for(settings, name)
        self.senders = load_senders(
            settings.senders,
            development=settings.development,
            service_users=settings.service_users,
        )
        self.relay = OutboxRelay(
            self.db,
            self.broker,
            poll_seconds=settings.outbox_poll_seconds,
            cipher=self.cipher,
            user_id=amqp_user(settings.amqp_url),
        )
        if settings.fault_triggers is not None:
            self.relay.crash_trigger = settings.fault_triggers / "crash-after-commit"
        self.pipelines: list[Pipeline] = []  # one per queue of the service, made when it starts

    @property
    def reference(self) -> ReferenceData:
        """The commune's reference data, from NGHEDAN_REFERENCE_DATA (read once, then cached)."""
        return load_reference_data(self.settings.reference_data)

    async def commit(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """A transaction of this service's own, with its outgoing messages (see outbox.commit)."""
        return await commit(self.db, self.relay, self.name, self.clock, work)

    def pipeline(self, queue: str) -> Pipeline:
        """The pipeline of one of the service's queues (the service must have started)."""
        return next(p for p in self.pipelines if p.queue.name == queue)

    async def lag(self) -> list[QueueLag]:
        """How far behind each of this service's queues is: messages waiting, being handled, and
        the age of the oldest not yet applied."""
        found = []
        now = datetime.now(UTC)
        for pipeline in self.pipelines:
            queue = await self.broker.declare_queue(pipeline.queue.rabbit_queue())
            declared = await queue.declare()  # passive: the current count, not a cached one
            oldest = pipeline.oldest_unapplied()
            found.append(
                QueueLag(
                    queue=pipeline.queue.name,
                    waiting=declared.message_count or 0,
                    in_flight=len(pipeline.in_flight),
                    oldest_seconds=round((now - oldest).total_seconds(), 1) if oldest else 0.0,
                    settled=pipeline.settled,
                )
            )
        return found

    async def retrying(self) -> int:
        """Messages of this service waiting out a retry delay (in no consumed queue meanwhile)."""
        waiting = 0
        for delay in DELAY_QUEUES:
            if delay.service == self.name:
                spec = RabbitQueue(
                    delay.name, queue_type=QueueType.QUORUM, durable=True, declare=False
                )
                declared = await (await self.broker.declare_queue(spec)).declare()
                waiting += declared.message_count or 0
        return waiting


class Service:
    def __init__(self, spec: ServiceSpec, infra: Infrastructure) -> None:
        self.spec, self.infra, self.settings = spec, infra, infra.settings
        self.clock, self.client, self.db = infra.clock, infra.client, infra.db
        self.broker, self.cipher, self.senders = infra.broker, infra.cipher, infra.senders
        self.relay, self.pipelines = infra.relay, infra.pipelines
        self._tickers: list[asyncio.Task[None]] = []
        # Rounds of the periodic jobs finished, per ticker: whoever waits for "a few more ticks
        # changed nothing" counts rounds, not seconds (shown in /health as `periodic_rounds`).
        self.rounds: list[int] = []
        self._wake: list[asyncio.Event] = []

    async def commit(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """A transaction of this service's own, with its outgoing messages (see outbox.commit)."""
        return await self.infra.commit(work)

    def _subscribe(self) -> None:
        locks = KeyedLocks()
        for queue in queues_of(self.spec.name):
            is_commands = queue.name.endswith(".commands")
            self.pipelines.append(
                Pipeline(
                    service=self.spec.name,
                    queue=queue,
                    db=self.db,
                    broker=self.broker,
                    clock=self.clock,
                    relay=self.relay,
                    max_attempts=self.settings.max_attempts,
                    max_message_bytes=self.settings.max_message_bytes,
                    commands=self.spec.commands if is_commands else {},
                    events={} if is_commands else self.spec.events,
                    tasks={} if is_commands else self.spec.tasks,
                    ordering=self.spec.ordering,
                    locks=locks,
                    cipher=self.cipher,
                    seal_dead_letters=self.spec.seal_dead_letters,
                    senders=self.senders,
                    batch_size=self.settings.event_batch_size,
                    batch_linger=self.settings.event_batch_linger_ms / 1000,
                )
            )
            subscribe(self.broker, self.pipelines[-1])

    async def start(self) -> None:
        self._subscribe()
        await self.db.ensure_indexes()
        if self.spec.ensure_indexes:
            await self.spec.ensure_indexes(self.db)
        for begin in self.spec.on_start:
            await begin()
        own = self.spec.name if self.settings.declare_topology == "own" else None
        await declare_topology(self.settings.amqp_url, own)
        await self.broker.start()
        self.relay.start()
        plain = [job for job in self.spec.periodic if not isinstance(job, Every)]
        timed = [job for job in self.spec.periodic if isinstance(job, Every)]
        schedules = [(plain, self.settings.tick_seconds)] + [([j.job], j.seconds) for j in timed]
        schedules = [(jobs, seconds) for jobs, seconds in schedules if jobs]
        self.rounds = [0] * len(schedules)
        self._wake = [asyncio.Event() for _ in schedules]
        self._tickers = [
            asyncio.create_task(self._tick(index, jobs, seconds), name="periodic-jobs")
            for index, (jobs, seconds) in enumerate(schedules)
        ]
        log.info("service.started", queues=[q.name for q in queues_of(self.spec.name)])
        if self.settings.development:
            log.warning(
                "settings.development_mode",
                hint="NGHEDAN_DEVELOPMENT=1: chỉ để thử trên máy mình, không dùng với dữ liệu thật",
            )

    @property
    def reference(self) -> ReferenceData:
        return self.infra.reference

    async def _tick(self, index: int, jobs: Sequence[PeriodicJob], seconds: float) -> None:
        """Time-driven rules (deadlines passed) checked against the shared clock, never slept on."""
        context = JobContext(self)
        while True:
            for job in jobs:
                try:
                    await job(context)
                except Exception as exc:  # a failing job is retried on the next tick
                    log.warning("periodic.failed", job=job_name(job), error=str(exc))
            self.rounds[index] += 1
            with contextlib.suppress(TimeoutError):  # the interval, or sooner when woken
                await asyncio.wait_for(self._wake[index].wait(), seconds)
            self._wake[index].clear()

    def wake(self) -> None:
        """Run every periodic job's next round now instead of at the end of its interval."""
        for event in self._wake:
            event.set()

    async def stop(self) -> None:
        for ticker in self._tickers:
            ticker.cancel()
        await asyncio.gather(*self._tickers, return_exceptions=True)
        await self.broker.stop()  # in-flight handlers finish or go back to the queue
        await self.relay.stop()
        for close in self.spec.on_stop:
            await close()
        await self.client.close()
        log.info("service.stopped")

    async def lag(self) -> list[QueueLag]:
        return await self.infra.lag()

    async def probe(self) -> dict[str, Any]:
        broker_ok = await self.broker.ping(timeout=3.0)
        database_ok = await self.db.ping()
        pending = await self.db.count_pending() if database_ok else None
        return {
            "service": self.spec.name,
            "status": "ok" if broker_ok and database_ok else "degraded",
            "broker": broker_ok,
            "database": database_ok,
            "outbox_pending": pending,
            "outbox_published": self.relay.published,
            "periodic_rounds": min(self.rounds, default=0),
            "owed": {name: await count() for name, count in self.spec.owed.items()}
            if database_ok
            else {},
            "consumers": [asdict(q) | {"behind": q.behind} for q in await self.lag()]
            if broker_ok
            else [],
            "retrying": await self.infra.retrying() if broker_ok else None,
            **{name: show() for name, show in self.spec.shown.items()},
        }

    async def metrics(self) -> bytes:
        """Prometheus' view: the counters as they stand, the backlog and lag read now."""
        metrics.observe_probe(self.spec.name, await self.probe())
        return metrics.exposition()


def job_name(job: Callable[..., Any]) -> str:
    """A job's function name: never its repr, which would show what it was bound to."""
    func = getattr(job, "func", job)  # functools.partial
    return (
        f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', type(func).__name__)}"
    )


async def serve(service: Service) -> None:
    """Start, answer health checks until SIGINT/SIGTERM, then stop cleanly."""
    await service.start()
    settings = service.settings
    config = uvicorn.Config(
        health_app(
            service.probe,
            service.spec.web,
            service.metrics,
            service.spec.admin,
            admin_token_of(settings),
            service.spec.office,
            admin_token_of(settings, "office_token"),
            networks(settings.published_from),
        ),
        host=settings.health_host,
        port=settings.health_port,
        log_config=None,
        lifespan="off",
        access_log=False,
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await service.stop()


def main(settings_class: type[ServiceSettings], create_service: Callable[[Any], Service]) -> None:
    """A service's process: settings from the environment, logging, then serve until stopped."""
    from shared.logging import configure_logging

    settings = settings_class()
    configure_logging(settings.service_name, settings.log_level)
    try:
        service = create_service(settings)
    except DataKeyError as exc:
        log.error("settings.refused", error=str(exc))
        raise SystemExit(f"{settings.service_name}: {exc}") from None
    asyncio.run(serve(service))
