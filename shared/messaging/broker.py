"""The broker factory: bounded prefetch, publisher confirms, unroutable publishes raise, our logger."""

from __future__ import annotations

import logging

from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.annotations import RabbitMessage as InjectedMessage
from faststream.rabbit.message import RabbitMessage

from shared.messaging.consumer import Pipeline


def make_broker(url: str, *, service: str, prefetch: int) -> RabbitBroker:
    return RabbitBroker(
        url,
        app_id=f"nghedan-{service}",
        default_channel=Channel(
            prefetch_count=prefetch, publisher_confirms=True, on_return_raises=True
        ),
        graceful_timeout=10.0,
        logger=logging.getLogger(f"nghedan.{service}.broker"),
        log_level=logging.DEBUG,
    )


async def _keep_raw(message: RabbitMessage) -> bytes:
    """The pipeline parses bodies itself, so a broken body reaches it instead of failing earlier."""
    return message.body


def subscribe(broker: RabbitBroker, pipeline: Pipeline) -> None:
    """Consume one queue with the pipeline; acknowledgement is the pipeline's own decision."""

    @broker.subscriber(
        pipeline.queue.rabbit_queue(),
        ack_policy=AckPolicy.MANUAL,
        decoder=_keep_raw,
        no_reply=True,
        title=pipeline.queue.name,
    )
    async def consume(body: bytes, message: InjectedMessage) -> None:
        await pipeline(message)
