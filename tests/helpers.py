"""What the tests share: a raw AMQP client like another system's, an event spy, service starters."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from services.registration.app import create_service as create_registration
from services.registration.settings import RegistrationSettings
from shared.clock import Clock
from shared.messaging.senders import amqp_user
from shared.service import Service


@dataclass
class RawClient:
    """Publishes commands as another system would: plain aio-pika, the contract's format."""

    url: str
    source: str = "/tests/other-system"
    outcomes: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    late: list[dict[str, Any]] = field(default_factory=list)

    async def __aenter__(self) -> RawClient:
        self.connection = await aio_pika.connect(self.url)
        self.channel = await self.connection.channel(publisher_confirms=True)
        self.replies = await self.channel.declare_queue(exclusive=True)
        await self.replies.consume(self._on_reply, no_ack=True)
        self.inbound = await self.channel.get_exchange("nghedan.inbound")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        body = json.loads(message.body)
        assert body["type"] == "vn.nghedan.outcome.v1"
        future = self.outcomes.get(message.correlation_id or "")
        if future is None or future.done():
            self.late.append(body["data"])
        else:
            future.set_result(body["data"])

    async def publish(
        self,
        key: str,
        data: Any = None,
        *,
        command_id: str | None = None,
        body: bytes | None = None,
        binary: bool = False,
        reply: bool = True,
        content_type: str | None = None,
        message_id: str | None = None,
        anonymous: bool = False,
        headers: dict[str, Any] | None = None,
    ) -> str:
        command_id = command_id or str(uuid.uuid4())
        event = {
            "specversion": "1.0",
            "id": command_id,
            "source": self.source,
            "type": f"vn.nghedan.{key}",
            "datacontenttype": "application/json",
            "data": data,
        }
        if binary:
            payload, ctype = json.dumps(data).encode(), "application/json"
            attributes = {k: v for k, v in event.items() if k not in ("data", "datacontenttype")}
            default_headers = {f"ce-{k}": v for k, v in attributes.items()}
        else:
            payload = json.dumps(event, ensure_ascii=False).encode()
            ctype, default_headers = "application/cloudevents+json", {}
        # `headers`, `body`, `content_type`: a message built elsewhere, e.g. by the CloudEvents SDK
        headers = default_headers if headers is None else headers
        correlation = message_id or command_id
        self.outcomes[correlation] = asyncio.get_running_loop().create_future()
        await self.inbound.publish(
            aio_pika.Message(
                body if body is not None else payload,
                headers=headers,
                content_type=content_type or ctype,
                message_id=correlation,
                correlation_id=correlation,
                reply_to=self.replies.name if reply else None,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                user_id=None if anonymous else amqp_user(self.url),
            ),
            routing_key=key,
        )
        return correlation

    async def outcome(self, correlation: str, timeout: float = 30) -> dict[str, Any]:
        return await asyncio.wait_for(asyncio.shield(self.outcomes[correlation]), timeout)

    async def send(
        self, key: str, data: Any = None, *, timeout: float = 30, **kwargs: Any
    ) -> dict[str, Any]:
        return await self.outcome(await self.publish(key, data, **kwargs), timeout)


@dataclass
class EventSpy:
    """A queue of our own bound to every domain event, as a new consumer would bind one."""

    url: str
    binding: str = "#"
    exchange: str = "nghedan.events"
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[AbstractIncomingMessage] = field(default_factory=list)

    markers: dict[str, asyncio.Event] = field(default_factory=dict)

    async def __aenter__(self) -> EventSpy:
        self.connection = await aio_pika.connect(self.url)
        self.channel = await self.connection.channel(publisher_confirms=True)
        self.queue = await self.channel.declare_queue(exclusive=True)
        await self.queue.bind(self.exchange, self.binding)
        await self.queue.consume(self._on_message, no_ack=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        if message.message_id in self.markers:
            self.markers[message.message_id].set()
            return
        self.messages.append(message)
        self.events.append(json.loads(message.body))

    async def flush(self, timeout: float = 60) -> None:
        """Until everything in the spy's queue so far has been received: a marker sent behind it
        comes back last (one queue, one consumer, in order). After the sender's confirms, what
        has not arrived by then was never sent."""
        marker = f"marker-{uuid.uuid4()}"
        self.markers[marker] = asyncio.Event()
        message = aio_pika.Message(b"{}", message_id=marker)
        await self.channel.default_exchange.publish(message, routing_key=self.queue.name)
        await asyncio.wait_for(self.markers[marker].wait(), timeout)

    def of_type(self, key: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == f"vn.nghedan.{key}"]

    async def wait_for(self, key: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.of_type(key)) < count:
            if loop.time() > deadline:
                raise AssertionError(f"{len(self.of_type(key))} of {count} {key} events seen")
            await asyncio.sleep(0.05)
        return self.of_type(key)


def settings_for(settings_class: type[Any], infra: Any, service: str, **overrides: Any) -> Any:
    """A service's settings on the test broker and database, quick to poll."""
    return settings_class(
        **{
            "AMQP_URL": infra.amqp_url,
            "MONGO_URL": infra.mongo_url,
            "MONGO_DB": infra.db_name(service),
            "OUTBOX_POLL_SECONDS": 0.2,
            "HEALTH_PORT": 0,
            **overrides,
        }
    )


def registration_settings(infra: Any, **overrides: Any) -> RegistrationSettings:
    return settings_for(RegistrationSettings, infra, "registration", **overrides)


@asynccontextmanager
async def running(service: Service) -> AsyncIterator[Service]:
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def registration_service(infra: Any, clock: Clock, **overrides: Any) -> Service:
    return create_registration(registration_settings(infra, **overrides), clock)


def session_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "periodic",
        "year": 2026,
        "period": "2026-Q3",
        "venue": "Nhà văn hoá xã",
        "capacity_min": 1,
        "capacity_max": 150,
    }
    data.update(overrides)
    return data


def citizen(seq: int, year: int = 1985, gender: str = "male") -> dict[str, str]:
    """A made-up but well-formed citizen id for the given birth year."""
    century = (year - 1900) // 100 * 2 + (1 if gender == "female" else 0)
    return {
        "citizen_id": f"020{century}{year % 100:02d}{seq:06d}",
        "date_of_birth": f"{year}-03-15",
        "gender": gender,
    }


def delegate(session_id: str, seq: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "session_id": session_id,
        "full_name": f"Người Thử Số {seq}",
        **citizen(seq),
        "village_code": "LL",
        "category": "official",
        "phone": f"09{seq:08d}",
        "email": f"nguoi{seq}@example.vn",
    }
    data.update(overrides)
    return data


def platform_for_tests(infra: Any, home: Any, **env: str) -> Any:
    """The four services as separate processes on the test broker and database."""
    from deploy.cli.platform import SERVICES, Platform
    from tests.conftest import free_port

    return Platform(
        home=home,
        amqp_url=infra.amqp_url,
        mongo_url=infra.mongo_url,
        health_ports={name: free_port() for name in SERVICES},
        extra_env={
            name: {
                "MONGO_DB": infra.db_name(name),
                "OUTBOX_POLL_SECONDS": "0.2",
                "LOG_LEVEL": "INFO",
                **env,
            }
            for name in SERVICES
        },
    )


def intake_service(infra: Any, clock: Clock, **overrides: Any) -> Service:
    from services.intake.app import create_service
    from services.intake.settings import IntakeSettings

    return create_service(settings_for(IntakeSettings, infra, "intake", **overrides), clock)


def notification_service(infra: Any, clock: Clock, **overrides: Any) -> Service:
    from services.notification.app import create_service
    from services.notification.settings import NotificationSettings

    quick = {"TICK_SECONDS": 0.2, "NOTIFY_RETRY_DELAYS": "0.3,0.6,0.9"}
    settings = settings_for(NotificationSettings, infra, "notification", **(quick | overrides))
    return create_service(settings, clock)


def reporting_service(infra: Any, clock: Clock, **overrides: Any) -> Service:
    from services.reporting.app import create_service
    from services.reporting.settings import ReportingSettings

    return create_service(settings_for(ReportingSettings, infra, "reporting", **overrides), clock)


async def request_notification(url: str, *, event_id: str | None = None, **data: Any) -> str:
    """Publish `notification.send.v1` on nghedan.notify, as registration or intake does."""
    (sent,) = await request_notifications(url, [(event_id, data)])
    return sent


async def publish_cloud_events(
    url: str, exchange: str, messages: list[tuple[str, dict[str, Any]]]
) -> None:
    """Publish CloudEvents (structured mode), in order, on one connection with confirms, as
    another system or a service would: (routing key, event); exchange "" is the default one."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange) if exchange else channel.default_exchange
        for routing_key, event in messages:
            body = json.dumps(event, ensure_ascii=False, default=str).encode()
            await target.publish(
                aio_pika.Message(
                    body,
                    content_type="application/cloudevents+json",
                    message_id=event["id"],
                    user_id=amqp_user(url),  # in the owning service's place: its user
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=routing_key,
            )


async def request_notifications(
    url: str, requests: list[tuple[str | None, dict[str, Any]]]
) -> list[str]:
    """Publish several requests, in order, on one connection: (event id or None, data)."""
    events = [
        {
            "specversion": "1.0",
            "id": event_id or str(uuid.uuid4()),
            "source": "/nghedan/tests",
            "type": "vn.nghedan.notification.send.v1",
            "datacontenttype": "application/json",
            "data": data,
        }
        for event_id, data in requests
    ]
    await publish_cloud_events(url, "nghedan.notify", [("notification.send.v1", e) for e in events])
    return [e["id"] for e in events]


async def publish_event(
    url: str, key: str, data: dict[str, Any], source: str = "/nghedan/tests"
) -> None:
    """Publish a domain event on nghedan.events, in the place of the service that owns it."""
    event = {
        "specversion": "1.0",
        "id": f"{key}-{data['session_id']}",
        "source": source,
        "type": f"vn.nghedan.{key}",
        "data": data,
    }
    await publish_cloud_events(url, "nghedan.events", [(key, event)])


def forget_leftover_outboxes(infra: Any) -> None:
    """After a test that killed a process: rows it published but had not yet deleted would be
    sent again (same ids, as designed) by the next service on the shared databases, into another
    test's spies. That test has checked what it wanted; the next one starts clean."""
    from pymongo import MongoClient

    from deploy.cli.platform import SERVICES

    with MongoClient(infra.mongo_url) as mongo:
        for name in SERVICES:
            mongo[infra.db_name(name)]["outbox"].delete_many({})


def office_service(infra: Any, clock: Clock, **overrides: Any) -> Service:
    from services.office.app import create_service
    from services.office.settings import OfficeSettings

    return create_service(settings_for(OfficeSettings, infra, "office", **overrides), clock)
