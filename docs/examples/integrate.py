"""An integrating system's side of Nghe Dân, from the AsyncAPI document alone.

It knows nothing of the platform's code: exchanges, routing keys, example payloads and where
outcomes go all come from `docs/asyncapi.yaml`. Plain aio-pika and PyYAML, nothing else.

    python docs/examples/integrate.py --amqp amqps://mot_cua:…@amqp.xa.example.vn:5671/nghedan \
        --ca rabbitmq_tls_ca.pem send intake.submit-issue.v1
    python docs/examples/integrate.py --amqp amqps://province:…@amqp.xa.example.vn:5671/nghedan \
        --ca rabbitmq_tls_ca.pem listen --count 1

A deployment takes other systems over TLS only (port 5671, vhost `nghedan`, a certificate of the
CA the deployment made: `--ca`); `make up` on a developer's machine is plain
`amqp://…@127.0.0.1:5672/` with vhost `/`.

`send` publishes the document's example of a command (a new id and time, `data` changed with
`--set field=value`) and prints its one outcome; `listen` binds a queue of its own to every
result the document lists on the province's exchange and prints what arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import yaml

DOCUMENT = Path(__file__).parents[1] / "asyncapi.yaml"
SOURCE = "/examples/integrate"  # with the id, what makes a command one (CloudEvents)


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def operation_for(document: dict[str, Any], message_name: str) -> dict[str, Any]:
    """The operation through which the platform receives this message."""
    for operation in document["operations"].values():
        message = resolve(document, operation["messages"][0]["$ref"])
        if "$ref" in message:
            message = resolve(document, message["$ref"])
        if message["name"] == message_name:
            return operation
    raise SystemExit(f"{message_name}: not in {DOCUMENT.name}")


def connect(url: str, ca: Path | None = None) -> Any:
    """The broker: over TLS (amqps://) checked against the deployment's own CA when one is given."""
    context = ssl.create_default_context(cafile=str(ca)) if ca else None
    return aio_pika.connect(url, ssl_context=context) if context else aio_pika.connect(url)


async def send(
    url: str,
    document: dict[str, Any],
    name: str,
    changes: list[str],
    ca: Path | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    operation = operation_for(document, name)
    if operation["action"] != "receive":
        raise SystemExit(f"{name} is not a command the platform receives")
    channel = resolve(document, operation["channel"]["$ref"])
    exchange = channel["bindings"]["amqp"]["exchange"]["name"]
    message = resolve(document, operation["messages"][0]["$ref"])
    message = resolve(document, message["$ref"]) if "$ref" in message else message
    event = dict(message["examples"][0]["payload"])
    event["id"], event["time"] = event_id or str(uuid.uuid4()), datetime.now(UTC).isoformat()
    event["source"] = SOURCE
    data = dict(event["data"])
    for change in changes:
        field, _, value = change.partition("=")
        data[field] = json.loads(value) if value[:1] in '[{"0123456789tfn' else value
    event["data"] = data
    connection = await connect(url, ca)
    async with connection:
        ch = await connection.channel(publisher_confirms=True)
        replies = await ch.declare_queue(exclusive=True)  # server-named: a reply queue
        outcome: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        async def on_reply(reply: aio_pika.abc.AbstractIncomingMessage) -> None:
            if reply.correlation_id == event["id"] and not outcome.done():
                outcome.set_result(json.loads(reply.body)["data"])

        await replies.consume(on_reply, no_ack=True)
        target = await ch.get_exchange(exchange)
        await target.publish(
            aio_pika.Message(
                json.dumps(event, ensure_ascii=False).encode(),
                content_type=document["defaultContentType"],
                message_id=event["id"],
                correlation_id=event["id"],
                reply_to=replies.name,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                user_id=unquote(urlsplit(url).username or "guest"),  # the broker checks it
            ),
            routing_key=channel["address"],
        )
        return await asyncio.wait_for(outcome, 60)


async def listen(
    url: str, document: dict[str, Any], count: int, queue_name: str, ca: Path | None = None
) -> list[dict[str, Any]]:
    results = [
        c
        for c in document["channels"].values()
        if c.get("bindings", {}).get("amqp", {}).get("exchange", {}).get("name")
        == "nghedan.provincial"
    ]
    connection = await connect(url, ca)
    got: list[dict[str, Any]] = []
    async with connection:
        ch = await connection.channel()
        queue = await ch.declare_queue(queue_name, durable=True)
        for channel in results:
            await queue.bind(channel["bindings"]["amqp"]["exchange"]["name"], channel["address"])
        print(f"listening on {queue_name}: {', '.join(c['address'] for c in results)}", flush=True)
        seen = 0
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process():
                    event = json.loads(message.body)
                    print(json.dumps(event, ensure_ascii=False), flush=True)
                    got.append(event)
                    seen += 1
                    if seen >= count:
                        return got
    return got


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--amqp", required=True, help="amqps://user:password@host:5671/nghedan (a deployment)"
    )
    parser.add_argument("--ca", type=Path, help="the deployment's CA (rabbitmq_tls_ca.pem)")
    parser.add_argument("--document", type=Path, default=DOCUMENT)
    sub = parser.add_subparsers(dest="what", required=True)
    to_send = sub.add_parser("send", help="send a command (the document's example) and wait")
    to_send.add_argument("message", help="e.g. intake.submit-issue.v1")
    to_send.add_argument("--set", action="append", default=[], help="field=value in data")
    to_listen = sub.add_parser("listen", help="bind a queue to the province's results")
    to_listen.add_argument("--count", type=int, default=1)
    to_listen.add_argument("--queue", default="province.results")
    args = parser.parse_args(argv)
    document = load(args.document)
    if args.what == "send":
        outcome = asyncio.run(send(args.amqp, document, args.message, args.set, args.ca))
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
        return 0 if outcome["status"] != "rejected" else 1
    asyncio.run(listen(args.amqp, document, args.count, args.queue, args.ca))
    return 0


if __name__ == "__main__":
    sys.exit(main())
