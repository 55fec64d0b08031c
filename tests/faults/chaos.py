"""The whole platform under a steady stream of commands while faults hit it, and the checks that
nothing was lost, nothing applied or sent twice and no consumer stopped (the test and the soak).

Vocabulary of RabbitMQ's own Jepsen checker: a command the broker confirmed is *accepted*; one
with no effect is *lost*; one with two is *applied twice*.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import aio_pika
import httpx
from pymongo import AsyncMongoClient

from deploy.cli.embedded import EmbeddedMongo
from deploy.cli.platform import FLOW_SERVICES as SERVICES
from deploy.cli.platform import Platform
from shared.clock import Clock
from shared.messaging.senders import amqp_user
from shared.messaging.topology import QUEUES
from tests.helpers import citizen
from tests.waits import at_rest, motion, until
from tests.when import run_clock_from, vn

NFT_TABLE = "nghedan_fault"
RABBIT_PORT = 5672
PREFETCH = 32  # each service's, set by the test: unacknowledged messages per consumer at most
HEARTBEAT = 5  # seconds: the services' AMQP heartbeat in the fault runs (the drop lasts 30)
CONSUMER_GAP_LIMIT = 90.0  # seconds a queue may go without a consumer (a restart, a reconnect)
RSS_LIMIT_MB = 600  # far above what a service needs (about 120 MB): a leak or a hoard shows


# ---- the platform under test ------------------------------------------------------------------


BEGIN = vn(2026, 10, 6)  # the platform's clock runs from here (a Tuesday, 09:00 in Viet Nam)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_platform(
    amqp_url: str, work: Path, provider_url: str, db_prefix: str, smtp_port: int
) -> tuple[Platform, EmbeddedMongo, Path]:
    """The four services as processes, on a database server of their own (so it can be
    restarted), sending SMS to `provider_url` and mail to the SMTP server on `smtp_port`, each
    with its fault switch folder."""
    mongo = EmbeddedMongo(work / "mongo" / "data", free_port())
    mongo.start()
    triggers = work / "triggers"
    platform = Platform(
        home=work / "home",
        amqp_url=amqp_url,
        mongo_url=mongo.url,
        health_ports={name: free_port() for name in SERVICES},
        extra_env={
            name: {
                # a heartbeat shorter than the network drop, so the drop breaks the connection;
                # named, so the broker's list shows which connections were replaced
                "AMQP_URL": f"{amqp_url}?heartbeat={HEARTBEAT}&name=nghedan-{name}",
                "MONGO_DB": f"{db_prefix}{name}",
                "OUTBOX_POLL_SECONDS": "0.2",
                "LOG_LEVEL": "INFO",
                "PREFETCH": str(PREFETCH),
                "NOTIFY_CHANNELS": "sms,email",
                "SMTP_PORT": str(smtp_port),
                "SMTP_STARTTLS": "false",
                "NOTIFY_QUIET_HOURS": "off",
                "NOTIFY_RATE_LIMITS": "off",
                "NOTIFY_RETRY_DELAYS": "0.5,1,2",
                "SMS_GATEWAY_URL": f"{provider_url}/sms",
                "NGHEDAN_FAULT_TRIGGERS": str(triggers / name),
            }
            for name in SERVICES
        },
    )
    for name in SERVICES:
        (triggers / name).mkdir(parents=True, exist_ok=True)
    platform.home.mkdir(parents=True, exist_ok=True)
    run_clock_from(platform.clock_file, BEGIN)
    platform.start_services(120)
    return platform, mongo, triggers


def stop_platform(platform: Platform, mongo: EmbeddedMongo) -> None:
    clear_network_faults()
    for process in platform.processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a frozen process cannot stop
    platform.stop(stop_rabbit=False)
    mongo.stop()


async def open_session(amqp_url: str) -> str:
    """A conference ten days ahead, with room for everyone: each delegate registered is invited."""
    from tests.helpers import RawClient, session_data

    async with RawClient(amqp_url) as client:
        data = session_data(year=2026, period="2026-Q4", capacity_max=100_000)
        created = await client.send("registration.create-session.v1", data)
        session_id = str(created["result"]["session_id"])
        scheduled = await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": conference_start()},
        )
        if scheduled["status"] != "accepted":
            raise RuntimeError(f"the conference could not be scheduled: {scheduled}")
    return session_id


# ---- the stream ---------------------------------------------------------------------------------


@dataclass
class Command:
    id: str
    key: str
    data: dict[str, Any]
    sent_at: float = 0.0


@dataclass
class Stream:
    """Commands as another system sends them, at `rate` per second, through every fault: a publish
    the broker did not confirm is sent again with the same id once it is reachable (a duplicate
    the inbox must drop); some are sent twice on purpose, later and out of order."""

    amqp_url: str
    session_id: str
    rate: float
    rng: random.Random
    clock: Clock  # the platform's own (its clock file): submissions are received in its time
    resend_share: float = 0.05
    commands: dict[str, Command] = field(default_factory=dict)
    confirmed: set[str] = field(default_factory=set)
    resent: int = 0  # sent again after a failed publish
    duplicated: int = 0  # sent again on purpose
    seconds: float = 0.0  # how long it ran
    _connection: aio_pika.abc.AbstractConnection | None = None
    _exchange: aio_pika.abc.AbstractExchange | None = None

    def next_command(self, n: int) -> Command:
        command_id = str(uuid.uuid4())
        if n % 2:
            data = {
                "session_id": self.session_id,
                "full_name": f"Đại Biểu Thử {n}",
                **citizen(n),
                "village_code": "LL",
                "category": "official",
                "phone": f"097{n:07d}",
            }
            return Command(command_id, "registration.register-delegate.v1", data)
        data = {
            "kind": "recommendation",
            "channel": "village_head",
            "content": f"Kiến nghị thử số {n} về sửa đường thôn",
            "village_code": self.rng.choice(["LL", "T02", "T03", "T04"]),
            "received_at": self.clock.now().isoformat(),
            "topic_hint": self.rng.choice(["socio_economic", "social_policy", "land_dispute"]),
            "external_reference": command_id,
            "submitter": {"full_name": f"Người Dân {n}", **self.contact(n)},
        }
        return Command(command_id, "intake.submit-issue.v1", data)

    def contact(self, n: int) -> dict[str, str]:
        """Every other submitter left an email instead of a phone: the mail channel is tried too."""
        if n % 4 == 0:
            return {"email": f"nguoi.dan.{n}@example.vn"}
        return {"phone": f"098{n:07d}"}

    async def _connect(self) -> aio_pika.abc.AbstractExchange:
        if self._exchange is None:
            self._connection = await aio_pika.connect(self.amqp_url, timeout=5)
            channel = await self._connection.channel(publisher_confirms=True)
            self._exchange = await channel.get_exchange("nghedan.inbound")
        return self._exchange

    async def _drop_connection(self) -> None:
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), 2)
            except Exception:
                pass

    async def publish(self, command: Command) -> None:
        """Until the broker confirms it (or the stream is stopped)."""
        event = {
            "specversion": "1.0",
            "id": command.id,
            "source": "/tests/chaos",
            "type": f"vn.nghedan.{command.key}",
            "datacontenttype": "application/json",
            "data": command.data,
        }
        body = json.dumps(event, ensure_ascii=False).encode()
        while True:
            try:
                exchange = await self._connect()
                message = aio_pika.Message(
                    body,
                    user_id=amqp_user(self.amqp_url),  # the broker checks it; commands need it
                    message_id=command.id,
                    content_type="application/cloudevents+json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                await asyncio.wait_for(exchange.publish(message, command.key, mandatory=True), 10)
                self.confirmed.add(command.id)
                return
            except Exception:
                await self._drop_connection()
                await asyncio.sleep(0.5)
                self.resent += 1

    async def run(self, until: asyncio.Event, first: int = 1, limit: int | None = None) -> None:
        """Until `until` is set (or `limit` commands were sent); then what was kept to send
        again goes too."""
        started = time.monotonic()
        n = first
        later: list[Command] = []
        while not until.is_set() and (limit is None or n - first < limit):
            command = self.next_command(n)
            command.sent_at = time.monotonic() - started
            self.commands[command.id] = command
            await self.publish(command)
            if self.rng.random() < self.resend_share:
                later.append(command)
            if len(later) >= 5:  # a handful again, shuffled: duplicates, out of order
                self.rng.shuffle(later)
                for again in later:
                    await self.publish(again)
                    self.duplicated += 1
                later.clear()
            n += 1
            await asyncio.sleep(self.rng.expovariate(self.rate))
        for again in later:
            await self.publish(again)
            self.duplicated += 1
        self.seconds = time.monotonic() - started
        await self._drop_connection()

    def of(self, key: str) -> list[Command]:
        return [c for c in self.commands.values() if c.key == key]


# ---- the faults ---------------------------------------------------------------------------------


@dataclass
class Faults:
    """What hits the platform, each kind counted, each one logged with when it happened."""

    platform: Platform
    mongo: EmbeddedMongo
    rng: random.Random
    triggers: Path
    provider: Any = None  # the SMS gateway, to slow down
    log: list[tuple[float, str]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    replayed: int = 0  # events published again
    replays_refused: float = 0.0  # of them, taken as repeats by the consumers (their metrics)
    connections_seen: int = 0  # the services' broker connections before a network drop
    connections_broken: int = 0  # of them, gone after it (replaced by new ones)

    def _note(self, kind: str) -> None:
        self.log.append((round(time.monotonic() - self.started, 1), kind))
        print(f"  [{self.log[-1][0]:>5}s] {kind}", flush=True)

    def counts(self) -> Counter[str]:
        return Counter(kind.split(":")[0] for _, kind in self.log)

    async def alive(self, name: str) -> bool:
        """Whether the target is up before a fault hits it. One that died by itself is a finding,
        not a fault of ours: it is noted as such and started again for the run to go on."""
        if self.platform.processes[name].poll() is None:
            return True
        self._note(f"dead-before:{name}")
        await self.restart(name)
        return False

    async def restart(self, name: str) -> None:
        self.platform.start_service(name)
        await asyncio.to_thread(self.platform.wait_healthy, 120, [name])

    async def kill(self, name: str) -> None:
        if not await self.alive(name):
            return
        self._note(f"kill:{name}")
        self.platform.processes[name].send_signal(signal.SIGKILL)
        self.platform.processes[name].wait()
        await asyncio.sleep(self.rng.uniform(0.5, 2))
        await self.restart(name)

    async def crash_after_commit(self, name: str) -> None:
        """The service's next commit ends the process before it publishes (NGHEDAN_FAULT_TRIGGERS)."""
        if not await self.alive(name):
            return
        self._note(f"crash-after-commit:{name}")
        trigger = self.triggers / name / "crash-after-commit"
        trigger.touch()
        process = self.platform.processes[name]
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            pass
        if process.poll() is None:  # nothing committed for a minute: the switch is taken back
            trigger.unlink(missing_ok=True)
            self.log[-1] = (self.log[-1][0], f"crash-after-commit-unused:{name}")
            return
        await asyncio.sleep(0.5)
        await self.restart(name)

    async def freeze(self, name: str, seconds: float = 20) -> None:
        """SIGSTOP past the 15 s lease on the rows it was publishing, then SIGCONT."""
        if not await self.alive(name):
            return
        self._note(f"freeze:{name}")
        process = self.platform.processes[name]
        process.send_signal(signal.SIGSTOP)
        await asyncio.sleep(seconds)
        process.send_signal(signal.SIGCONT)

    async def broker_restart(self) -> None:
        self._note("broker-restart")
        await asyncio.to_thread(_rabbitmqctl, "stop_app")
        await asyncio.sleep(self.rng.uniform(1, 3))
        await asyncio.to_thread(_rabbitmqctl, "start_app")
        await asyncio.to_thread(_rabbitmqctl, "await_startup")

    async def database_restart(self) -> None:
        self._note("database-restart")
        await asyncio.to_thread(self.mongo.stop)
        await asyncio.sleep(self.rng.uniform(1, 3))
        await asyncio.to_thread(self.mongo.start, 120)

    async def network_drop(self, seconds: float = 30) -> None:
        """Every packet to and from the broker's port dropped (nftables), then let through again.
        The services' heartbeat (HEARTBEAT s) is shorter than the drop: their connections break,
        and the connections the broker holds for them afterwards are new ones (counted)."""
        self._note("network-drop")
        before = await service_connections(self.platform.amqp_url)
        nft(
            f"add table inet {NFT_TABLE}",
            f"add chain inet {NFT_TABLE} out {{ type filter hook output priority 0 ; }}",
            f"add rule inet {NFT_TABLE} out tcp dport {RABBIT_PORT} drop",
            f"add rule inet {NFT_TABLE} out tcp sport {RABBIT_PORT} drop",
        )
        try:
            await asyncio.sleep(seconds)
        finally:
            clear_network_faults()
        await self.reconnected()
        after = await service_connections(self.platform.amqp_url)
        self.connections_broken += len(before - after)
        self.connections_seen += len(before)

    async def slow_gateway(self, seconds: float = 20) -> None:
        """The SMS gateway answers after 12 s, past notification's 10 s timeout: deliveries fall
        behind the requests (memory must stay bounded, prefetch honoured) and are tried again
        with the same key, which the gateway accepted already and takes once."""
        if self.provider is None:
            return
        self._note("slow-gateway")
        self.provider.delay = 12.0
        try:
            await asyncio.sleep(seconds)
        finally:
            self.provider.delay = 0.0

    async def replay_events(self, count: int = 40) -> None:
        """Events already delivered, published again with their own ids, shuffled: a duplicate
        for every service that consumes them, out of order."""
        self._note("replay-events")
        duplicates = await self.duplicates_seen()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.mongo.url, tz_aware=True)
        try:
            log = client[self.platform.extra_env["reporting"]["MONGO_DB"]]["event_log"]
            rows = [row async for row in log.find({}).sort("_id", -1).limit(count)]
        finally:
            await client.close()
        self.rng.shuffle(rows)
        connection = await aio_pika.connect(self.platform.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange("nghedan.events")
            for row in rows:
                key = row["type"].removeprefix("vn.nghedan.")
                event = {k: row[k] for k in ("id", "source", "type", "subject") if row.get(k)}
                event |= {"specversion": "1.0", "datacontenttype": "application/json"}
                event["data"] = row["data"]
                if row.get("time"):
                    event["time"] = row["time"].isoformat()
                body = json.dumps(event, ensure_ascii=False, default=str).encode()
                message = aio_pika.Message(
                    body,
                    content_type="application/cloudevents+json",
                    message_id=row["id"],
                    user_id=amqp_user(self.platform.amqp_url),  # in the owning service's place
                )
                await exchange.publish(message, routing_key=key)
        self.replayed += len(rows)

        async def taken() -> float:  # the stream goes on meanwhile: no rest to wait for
            seen = await self.duplicates_seen() - duplicates
            return seen if seen >= len(rows) else 0.0

        try:
            found = await until(taken, "the replayed events taken as repeats", still=180)
            self.replays_refused += found
        except AssertionError:
            self.replays_refused += await self.duplicates_seen() - duplicates  # fewer: judged

    async def reconnected(self) -> None:
        """Until every service answers that it has its broker and its database again."""

        async def all_ok() -> bool:
            async with httpx.AsyncClient(timeout=5) as http:
                healths = await platform_health(http, self.platform)
            return all(h.get("status") == "ok" and h.get("consumers") for h in healths.values())

        await until(all_ok, "every service back on the broker after the drop", still=180)

    async def duplicates_seen(self) -> float:
        """Events the services' consumers took as repeats, so far (their /metrics)."""
        from prometheus_client.parser import text_string_to_metric_families

        total = 0.0
        async with httpx.AsyncClient(timeout=10) as http:
            for port in self.platform.health_ports.values():
                text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                for family in text_string_to_metric_families(text):
                    total += sum(
                        sample.value
                        for sample in family.samples
                        if family.name == "nghedan_messages"
                        and sample.name.endswith("_total")
                        and sample.labels.get("result") == "duplicate"
                        and sample.labels.get("queue", "").endswith(".events")
                    )
        return total

    def plan(
        self, seconds: float, names: tuple[str, ...] = SERVICES
    ) -> list[Callable[[], Awaitable[None]]]:
        """Every kind at least once, in a random order: each service killed, crashed between a
        commit and its publish, one frozen; the broker and the database restarted; the network
        to the broker dropped."""
        faults: list[Callable[[], Awaitable[None]]] = []
        for name in names:
            faults.append(lambda name=name: self.kill(name))
        for name in ("registration", "intake"):
            faults.append(lambda name=name: self.crash_after_commit(name))
        faults.append(lambda: self.freeze(self.rng.choice(["registration", "intake", "reporting"])))
        faults += [self.broker_restart, self.database_restart, self.network_drop]
        faults += [self.replay_events, self.replay_events, self.slow_gateway]
        self.rng.shuffle(faults)
        return faults

    async def run(self, seconds: float, faults: list[Callable[[], Awaitable[None]]]) -> None:
        """The faults one after another, at random moments spread over `seconds`."""
        gap = max(seconds / (len(faults) + 1), 1)
        for fault in faults:
            await asyncio.sleep(self.rng.uniform(0.3 * gap, gap))
            await fault()


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=180)


def nft(*commands: str) -> None:
    subprocess.run(["nft", "-f", "-"], input="\n".join(commands) + "\n", text=True, check=True)


def clear_network_faults() -> None:
    subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], capture_output=True, check=False)


# ---- what is watched meanwhile ------------------------------------------------------------------


@dataclass
class Watch:
    """Memory of each service and depth of each queue, every `every` seconds."""

    platform: Platform
    vhost: str
    every: float = 2.0
    samples: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(auth=("guest", "guest"), timeout=5) as http:
            while not stop.is_set():
                sample: dict[str, Any] = {"t": round(time.monotonic() - self.started, 1)}
                sample["rss_mb"] = {
                    name: rss_mb(process.pid)
                    for name, process in self.platform.processes.items()
                    if process.poll() is None
                }
                sample["queues"] = await queue_stats(http, self.vhost)
                self.samples.append(sample)
                try:
                    await asyncio.wait_for(stop.wait(), self.every)
                except TimeoutError:
                    pass

    def peak_rss(self) -> dict[str, float]:
        peaks: dict[str, float] = {}
        for sample in self.samples:
            for name, mb in sample["rss_mb"].items():
                peaks[name] = max(peaks.get(name, 0.0), mb)
        return peaks

    def peak_unacked(self) -> dict[str, int]:
        peaks: dict[str, int] = {}
        for sample in self.samples:
            for name, queue in sample["queues"].items():
                peaks[name] = max(peaks.get(name, 0), queue["unacked"])
        return peaks


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


async def queue_stats(http: httpx.AsyncClient, vhost: str) -> dict[str, dict[str, int]]:
    """Each queue's ready and unacknowledged messages and consumers (management API); {} while
    the broker is away."""
    try:
        answer = await http.get(f"http://127.0.0.1:15672/api/queues/{quote(vhost, safe='')}")
        answer.raise_for_status()
    except (httpx.HTTPError, ValueError):
        return {}
    return {
        q["name"]: {
            "ready": int(q.get("messages_ready", 0)),
            "unacked": int(q.get("messages_unacknowledged", 0)),
            "consumers": int(q.get("consumers", 0)),
        }
        for q in answer.json()
    }


async def service_connections(amqp_url: str) -> set[str]:
    """The broker's connections on this vhost that the services opened (by name and start)."""
    vhost = quote(vhost_of(amqp_url), safe="")
    async with httpx.AsyncClient(auth=("guest", "guest"), timeout=10) as http:
        found = (await http.get(f"http://127.0.0.1:15672/api/vhosts/{vhost}/connections")).json()
    return {
        f"{c.get('client_properties', {}).get('connection_name', '')}@{c.get('connected_at')}"
        for c in found
        if str(c.get("client_properties", {}).get("connection_name", "")).startswith("nghedan-")
    }


def vhost_of(amqp_url: str) -> str:
    return unquote(urlparse(amqp_url).path.lstrip("/")) or "/"


def conference_start() -> str:
    """Ten days after the platform's clock starts, 8 o'clock in Viet Nam: past the 7 days' notice."""
    return (BEGIN + timedelta(days=10)).replace(hour=8).isoformat()


# ---- the checks: what each service holds against what was sent ---------------------------------


async def settled(
    platform: Any,
    mongo: EmbeddedMongo,
    stream: Stream,
    session_id: str,
    vhost: str,
    settle_seconds: float,
    providers: tuple[Any, Any],
) -> dict[str, Any]:
    """Wait until every accepted command has its effect everywhere, or `settle_seconds` pass;
    say how far behind the platform is meanwhile. Returns what was found."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settle_seconds
    said, before = "", None
    async with httpx.AsyncClient(auth=("guest", "guest"), timeout=5) as http:
        while True:
            healths = await platform_health(http, platform)
            moved = {name: motion(h) for name, h in healths.items()}
            found = await census(platform, mongo, stream, session_id, providers)
            queues = await queue_stats(http, vhost)
            waiting = sum(
                q["ready"] + q["unacked"] for n, q in queues.items() if not n.endswith(".dlq")
            )
            found["in_transit"] = found["outbox_pending"] + waiting
            behind = (
                f"chưa áp dụng {len(found['lost'])} lệnh; "
                f"{len(found['untold'])} người chưa nhận tin; "
                f"{found['outbox_pending']} sự kiện chưa phát; {waiting} tin trong hàng đợi; "
                f"{len(found['differ'])} số liệu báo cáo lệch"
            )
            if behind != said:
                print(f"  [{int(loop.time() - deadline + settle_seconds):>3}s] {behind}")
                said = behind
            # At rest by every service's own word, nothing moved since the last look: what is
            # missing now is lost, not late.
            resting = all(at_rest(h) for h in healths.values()) and moved == before
            if (resting and not found["in_transit"]) or loop.time() > deadline:
                found["at_rest"] = resting
                return found
            before = moved
            await asyncio.sleep(1)


async def platform_health(http: httpx.AsyncClient, platform: Any) -> dict[str, dict[str, Any]]:
    """Each service's /health ({} for one that does not answer)."""
    found = {}
    for name, port in platform.health_ports.items():
        try:
            found[name] = (await http.get(f"http://127.0.0.1:{port}/health")).json()
        except (httpx.HTTPError, ValueError):
            found[name] = {}
    return found


def person_of(command: Command) -> str:
    """How registration knows the person of a registration command (its keyed hash)."""
    from tests.keys import cipher_of

    return cipher_of("registration").keyed_hash(command.data["citizen_id"], purpose="citizen_id")


def contact_of(command: Command) -> str:
    """Where the person behind a command is told: the gateway's number, or the email address."""
    person = command.data.get("submitter") or command.data
    if person.get("email"):
        return str(person["email"])
    return "84" + str(person["phone"])[1:]


def told(providers: tuple[Any, Any]) -> dict[str, set[str]]:
    """What reached each person, as the SMS gateway and the mail server saw it: the distinct
    messages (the gateway takes a request_id once, mail systems a Message-ID once)."""
    provider, smtp = providers
    found: dict[str, set[str]] = {}
    for sms in provider.of("sms"):
        found.setdefault(str(sms["to"]), set()).add(str(sms["request_id"]))
    for mail in smtp.received:
        for address in mail.to:
            found.setdefault(address, set()).add(mail.message_id)
    return found


async def census(
    platform, mongo, stream: Stream, session_id: str, providers: tuple[Any, Any]
) -> dict[str, Any]:
    """What each service holds of the stream, and what reached each person, against what was
    sent."""
    accepted = [stream.commands[i] for i in stream.confirmed]
    registers = [c for c in accepted if c.key == "registration.register-delegate.v1"]
    submits = [c for c in accepted if c.key == "intake.submit-issue.v1"]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo.url, tz_aware=True)
    try:
        names = {n: platform.extra_env[n]["MONGO_DB"] for n in platform.extra_env}
        reg, intake = client[names["registration"]], client[names["intake"]]
        notify, report = client[names["notification"]], client[names["reporting"]]
        inbox = {d["id"]: d async for d in reg["inbox"].find({"type": {"$regex": "register"}})}
        # A command's effect where it is owned: the person's registration (by the keyed hash of
        # their citizen id, as registration finds them), the issue (by the sender's reference).
        people: Counter[str] = Counter()
        async for d in reg["registrations"].find({"session_id": session_id}, {"citizen_hash": 1}):
            people[d["citizen_hash"]] += 1
        issues: Counter[str] = Counter()
        async for d in intake["issues"].find({}, {"external_reference": 1}):
            issues[d.get("external_reference")] += 1
        effects = {c.id: people[person_of(c)] for c in registers}
        effects |= {c.id: issues[c.id] for c in submits}
        lost = [i for i, n in effects.items() if n == 0]
        twice = [i for i, n in effects.items() if n > 1]
        refused = [
            i for i, d in inbox.items() if (d.get("outcome") or {}).get("status") != "accepted"
        ]
        wanted_causes = {
            f"invitation:{d['code']}"
            async for d in reg["registrations"].find({"session_id": session_id}, {"code": 1})
        }
        wanted_causes |= {
            f"receipt:{d['_id']}" async for d in intake["issues"].find({}, {"_id": 1})
        }
        messages = [
            m
            async for m in notify["messages"].find(
                {}, {"cause_id": 1, "status": 1, "template": 1, "channel": 1}
            )
        ]
        sent = {m["cause_id"] for m in messages if m["status"] in ("sent", "delivered")}
        per_cause = Counter(m["cause_id"] for m in messages)
        pending = sum(
            [await db["outbox"].count_documents({}) for db in (reg, intake, notify, report)]
        )
        truth_figures, seen_figures = await reporting_against_owners(
            reg, intake, messages, report, session_id
        )
        differ = {
            k: (v, seen_figures.get(k))
            for k, v in truth_figures.items()
            if seen_figures.get(k) != v
        }
        reached = told(providers)
        # Each accepted command tells one person once (an invitation, a receipt); a command lost
        # tells nobody, and is counted as lost already.
        applied = [c for c in registers + submits if effects[c.id]]
        untold = [c.id for c in applied if not reached.get(contact_of(c))]
        told_twice = [c.id for c in applied if len(reached.get(contact_of(c), ())) > 1]
        return {
            "lost": lost,
            "twice": twice,
            "refused": refused,
            "untold": untold,
            "told_twice": told_twice,
            "wanted_causes": wanted_causes,
            "messages_unsent": len(wanted_causes - sent),
            "messages_per_cause": per_cause,
            "messages": messages,
            "outbox_pending": pending,
            "differ": differ,
        }
    finally:
        await client.close()


async def reporting_against_owners(
    reg: Any, intake: Any, messages: list[dict[str, Any]], report: Any, session_id: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Reporting's figures beside the truth its sources hold: the registrations, the issues (a
    repeated matter merged into the first counts as one more voice on it), the messages."""
    confirmed = await reg["registrations"].count_documents(
        {"session_id": session_id, "status": "confirmed"}
    )
    issues = [i async for i in intake["issues"].find({}, {"status": 1, "village_code": 1})]
    kept = [i for i in issues if i["status"] != "merged"]
    truth = {
        "session total confirmed": confirmed,
        "issues": len(kept),
        "voices (raised_by)": len(issues),
        "merged": len(issues) - len(kept),
        **{f"village {v}": n for v, n in Counter(i["village_code"] for i in kept).items()},
    }
    figures = {d["_id"]: d.get("c", {}) async for d in report["r_figures"].find({})}
    period = next((v for k, v in figures.items() if k.startswith("period:")), {})
    seen = {
        "session total confirmed": figures.get(f"session:{session_id}", {})
        .get("total", {})
        .get("confirmed", 0),
        "issues": period.get("issues", 0),
        "voices (raised_by)": period.get("raised_by", 0),
        "merged": period.get("state", {}).get("merged", 0),
        **{
            k: period.get("village", {}).get(k.split()[1], 0)
            for k in truth
            if k.startswith("village ")
        },
    }
    statuses = Counter(m["status"] for m in messages)
    delivery = figures.get("delivery", {}).get("status", {})
    for status in ("sent", "failed", "suppressed"):
        truth[f"messages {status}"] = statuses.get(status, 0)
        seen[f"messages {status}"] = delivery.get(status, 0)
    return truth, seen


def consumer_gaps(watch: Watch) -> dict[str, float]:
    """For each consumed queue, the longest time in the run it had no consumer (read from every
    sample the broker answered, not the last one only); a queue without one at the end counts
    from then to the end of the run."""
    consumed = {spec.name for spec in QUEUES}  # the delay queues have no consumer, by design
    gaps: dict[str, float] = dict.fromkeys(consumed, 0.0)
    since: dict[str, float] = {}
    for sample in watch.samples:
        for name in consumed & set(sample["queues"]):
            if sample["queues"][name]["consumers"]:
                since.pop(name, None)
                continue
            since.setdefault(name, sample["t"])
            gaps[name] = max(gaps[name], sample["t"] - since[name])
    last = watch.samples[-1]["t"] if watch.samples else 0.0
    for name, t in since.items():
        gaps[name] = max(gaps[name], last - t, CONSUMER_GAP_LIMIT + 1)  # none at the end
    return gaps


def judge(
    platform: Platform,
    stream: Stream,
    faults: Faults,
    watch: Watch,
    providers: tuple[Any, Any],
    truth: dict[str, Any],
    seed: int,
) -> dict[str, Any]:
    """The figures of this run (the README's table): commands judged by their effect in the
    service that owns them, messages by what the gateway and the mail server received."""
    queues = watch.samples[-1]["queues"] if watch.samples else {}
    gaps = consumer_gaps(watch)
    stopped = [n for n, gap in gaps.items() if gap > CONSUMER_GAP_LIMIT]
    stopped += [n for n, p in platform.processes.items() if p.poll() is not None]
    provider, smtp = providers
    raw_sms = Counter(r["request_id"] for r in provider.requests if r.get("kind") == "sms")
    mails = Counter(r.message_id for r in smtp.received)
    over_prefetch = [
        n
        for s in watch.samples
        for n, q in s["queues"].items()
        if q["consumers"] and q["unacked"] > PREFETCH * q["consumers"]
    ]
    counts = faults.counts()
    injected = {k: n for k, n in counts.items() if k not in ("dead-before",)}
    return {
        "seed": seed,
        "seconds of stream": round(stream.seconds),
        "commands sent": len(stream.commands),
        "commands accepted (confirmed by the broker)": len(stream.confirmed),
        "sent again after a failed publish": stream.resent,
        "commands sent twice on purpose (duplicates, out of order)": stream.duplicated,
        "events published again (duplicates, out of order)": faults.replayed,
        "of them, taken as repeats by the consumers (their metrics)": round(faults.replays_refused),
        **{f"faults: {kind}": n for kind, n in sorted(injected.items())},
        "faults injected": sum(injected.values()),
        "faults while the stream ran": sum(t <= stream.seconds for t, _ in faults.log),
        "services found dead before a fault": counts.get("dead-before", 0),
        "services' broker connections broken by the network drop": (
            f"{faults.connections_broken} of {faults.connections_seen}"
        ),
        "platform at rest when judged": truth.get("at_rest", False),
        "commands lost (no effect in the owning service)": len(truth["lost"]),
        "commands applied twice (two effects in the owning service)": len(truth["twice"]),
        "commands refused": len(truth["refused"]),
        "people to tell (one per command applied)": len(stream.confirmed) - len(truth["lost"]),
        "people told nothing (gateway, mail server)": len(truth["untold"]),
        "people told twice (two distinct messages at the gateway or mail server)": len(
            truth["told_twice"]
        ),
        "provider calls repeated with the same key (de-duplicated by the gateway)": sum(
            n - 1 for n in raw_sms.values() if n > 1
        ),
        "emails delivered again with the same Message-ID (email's known window)": sum(
            n - 1 for n in mails.values() if n > 1
        ),
        "reporting figures that differ from the truth": len(truth["differ"]),
        "messages parked in dead-letter queues": sum(
            q["ready"] for n, q in queues.items() if n.endswith(".dlq")
        ),
        "longest time a queue had no consumer (s)": round(max(gaps.values(), default=0.0)),
        "consumers stopped": len(stopped),
        "services over the memory bound": sum(
            mb > RSS_LIMIT_MB for mb in watch.peak_rss().values()
        ),
        "peak memory (MB)": {n: round(mb) for n, mb in sorted(watch.peak_rss().items())},
        "queues past their prefetch": len(set(over_prefetch)),
        "fault log": faults.log,
    }


FAULT_KINDS = {
    "kill",
    "crash-after-commit",
    "freeze",
    "broker-restart",
    "database-restart",
    "network-drop",
    "replay-events",
    "slow-gateway",
}


def verdict(figures: dict[str, Any], watch: Watch, kinds: set[str] = FAULT_KINDS) -> list[str]:
    """Every way the run failed, in words (empty: it passed). The fault test and the soak both
    fail on this list."""
    zero = [
        "services found dead before a fault",
        "commands lost (no effect in the owning service)",
        "commands applied twice (two effects in the owning service)",
        "commands refused",
        "people told nothing (gateway, mail server)",
        "people told twice (two distinct messages at the gateway or mail server)",
        "reporting figures that differ from the truth",
        "messages parked in dead-letter queues",  # every message of the stream is valid
        "consumers stopped",
        "services over the memory bound",
        "queues past their prefetch",
    ]
    failed = [f"{k}: {figures[k]}" for k in zero if figures[k]]
    if not watch.samples or not watch.samples[-1]["queues"]:
        failed.append("the broker's management API was never read")
    if not figures["platform at rest when judged"]:
        failed.append("the platform was not at rest when the time to settle ran out")
    faults = {k.removeprefix("faults: ") for k, n in figures.items() if k.startswith("faults: ")}
    if missing := kinds - faults:
        failed.append(f"faults never injected: {sorted(missing)}")
    if figures["faults while the stream ran"] < figures["faults injected"]:
        failed.append("a fault came after the stream stopped")
    broken, _, seen = figures["services' broker connections broken by the network drop"].split()
    if figures.get("faults: network-drop") and (int(seen) == 0 or int(broken) == 0):
        failed.append("the network drop broke no connection")
    replayed = figures["events published again (duplicates, out of order)"]
    if (
        replayed
        and figures["of them, taken as repeats by the consumers (their metrics)"] < replayed
    ):
        failed.append("events published again were not all taken as repeats")
    return failed


def write_figures(artifacts: Path, figures: dict[str, Any]) -> None:
    (artifacts / "fault-figures.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    (artifacts / "fault-figures.md").write_text(table(figures), encoding="utf-8")


def table(figures: dict[str, Any]) -> str:
    rows = [f"| {k} | {v} |" for k, v in figures.items() if k != "fault log"]
    return "\n".join(["| figure | value |", "|---|---|", *rows]) + "\n"
