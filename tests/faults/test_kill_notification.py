"""SIGKILL the notification service mid-send, with every request arriving twice: one message each."""

import asyncio
import signal
import uuid
from collections import Counter

from pymongo import MongoClient

from tests.helpers import forget_leftover_outboxes, platform_for_tests, request_notifications
from tests.waits import platform_settled, until

PER_CHANNEL = 20
OURS = {"cause_id": {"$regex": "^receipt:TT-2030-"}}  # the database is shared with other tests


def request(n: int) -> dict:
    """Odd numbers have only a phone (SMS), even ones only an email."""
    recipient = {"name": f"Người nhận {n}"}
    if n % 2:
        recipient["phone"] = f"0913{n:06d}"
    else:
        recipient["email"] = f"nguoi.nhan.{n}@example.vn"
    return {
        "cause_id": f"receipt:TT-2030-{n:05d}",
        "template": "issue_receipt",
        "recipient": recipient,
        "params": {"tracking_code": f"TT-2030-{n:05d}", "received_on": "15/09/2030"},
    }


async def test_a_killed_notification_service_sends_each_message_once(
    infra, home, purge_queues, smtp, provider
):
    platform = platform_for_tests(
        infra,
        home,
        NOTIFY_CHANNELS="sms,email",
        NOTIFY_QUIET_HOURS="off",
        NOTIFY_RATE_LIMITS="off",
        NOTIFY_RETRY_DELAYS="0.5,1,2",
        SMTP_PORT=str(smtp.port),
        SMTP_STARTTLS="false",
        SMS_GATEWAY_URL=f"{provider.url}/sms",
    )
    platform.start_service("notification")
    platform.wait_healthy(60, ["notification"])
    try:
        total = 2 * PER_CHANNEL
        # Each request three times: once, again with the same id (a redelivery), and once more
        # with a new id (the sender repeating itself).
        ids = [str(uuid.uuid4()) for _ in range(total)]
        batch = [(ids[n - 1], request(n)) for n in range(1, total + 1)]
        batch += [(ids[n - 1], request(n)) for n in range(1, total + 1)]
        batch += [(None, request(n)) for n in range(1, total + 1)]
        await request_notifications(infra.amqp_url, batch)

        async def a_quarter_sent() -> bool:
            return len(provider.of("sms")) + len(smtp.received) >= total // 4

        await until(a_quarter_sent, "a quarter of the messages at the gateway and the mail server")
        platform.stop_service("notification", signal.SIGKILL)
        sent_before_kill = len(provider.of("sms")) + len(smtp.distinct())
        platform.start_service("notification")
        # In a thread: the providers live in this event loop and must keep answering meanwhile.
        await asyncio.to_thread(platform.wait_healthy, 60, ["notification"])
        # Requests whose transaction died with the process wait until the database reaps it
        # (60 s, as mongod's transactionLifetimeLimitSeconds): a longer stillness is allowed.
        ports = {"notification": platform.health_ports["notification"]}
        await platform_settled(ports, still=150)  # anything sent twice has been sent by now
        with MongoClient(infra.mongo_url) as mongo:
            docs = list(mongo[infra.db_name("notification")]["messages"].find(OURS))
    finally:
        platform.stop(stop_rabbit=False)
        forget_leftover_outboxes(infra)

    assert 0 < sent_before_kill < total
    assert len(docs) == total  # one message per (cause, recipient, channel)
    assert Counter(d["status"] for d in docs) == {"sent": total}
    # Exactly one message reached each person: the gateway de-duplicates on request_id, mail
    # systems on Message-ID; the raw counts show what crossed the wire.
    assert len(provider.of("sms")) == PER_CHANNEL
    assert len(smtp.distinct()) == PER_CHANNEL
    assert sorted(r["to"] for r in provider.of("sms")) == sorted(
        f"84913{n:06d}" for n in range(1, total + 1, 2)
    )
    raw_sms, raw_mail = len(provider.raw("sms")), len(smtp.received)
    in_flight = raw_sms + raw_mail - total  # at most the attempts cut short by the kill
    print(f"raw sms {raw_sms}, raw mail {raw_mail}, sent again after the kill {in_flight}")
    assert 0 <= in_flight <= 32  # PREFETCH: no more attempts than were in flight
