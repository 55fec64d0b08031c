"""The channels, each behind one small interface: email (SMTP), SMS (HTTP gateway), Zalo ZNS, file.

A channel says whether it can reach a recipient, and sends one message with an idempotency key.
It answers sent (or delivered), transient (try again later) or permanent (do not retry).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Literal, Protocol

import aiosmtplib
import httpx

from services.notification import messages as msg
from services.notification import sms
from services.notification.render import Attachment
from services.notification.settings import NotificationSettings
from shared.citizen import mobile_number
from shared.clock import local_date
from shared.contracts.notification import Channel as ChannelName
from shared.contracts.notification import Recipient
from shared.text import fmt_time

Result = Literal["sent", "delivered", "transient", "permanent"]


@dataclass(frozen=True)
class Outgoing:
    key: str  # the idempotency key: the same message sent twice carries the same key
    template: str
    recipient: Recipient
    subject: str
    short: str
    body: str
    params: dict[str, str]
    at: datetime
    attachments: tuple[Attachment, ...] = ()  # the email's files; the file channel's beside it


@dataclass(frozen=True)
class SendResult:
    result: Result
    reason: str | None = None
    provider_ref: str | None = None
    segments: int | None = None


class Channel(Protocol):
    name: str
    quiet: bool  # held during quiet hours

    def address(self, recipient: Recipient) -> str | None: ...

    async def send(self, message: Outgoing) -> SendResult: ...


def email_address(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    return text.lower() if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) else None


def contact_keys(recipient: Recipient) -> list[str]:
    """The normalised contacts of a recipient: what opt-outs and message keys are made from."""
    keys = [mobile_number(recipient.phone), email_address(recipient.email)]
    return [k for k in keys if k]


@dataclass
class EmailChannel:
    settings: NotificationSettings
    name: str = "email"
    quiet: bool = False

    def address(self, recipient: Recipient) -> str | None:
        return email_address(recipient.email)

    async def send(self, message: Outgoing) -> SendResult:
        s = self.settings
        mail = EmailMessage()
        mail["From"] = s.smtp_from
        mail["To"] = self.address(message.recipient)
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(message.at.timestamp(), localtime=False)
        # The same message keeps its Message-ID when it must be sent again after a crash, so a
        # receiving system that de-duplicates on it shows it once.
        mail["Message-ID"] = f"<{message.key}@nghedan>"
        mail.set_content(message.body, charset="utf-8")
        for attached in message.attachments:
            maintype, subtype = attached.mime.split("/", 1)
            mail.add_attachment(
                attached.data, maintype=maintype, subtype=subtype, filename=attached.filename
            )
        try:
            response = await aiosmtplib.send(
                mail,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls,
                timeout=s.provider_timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            kind: Result = "permanent" if all(c >= 500 for c in codes) else "transient"
            return SendResult(kind, msg.MAIL_REFUSED.format(codes=codes))
        except aiosmtplib.SMTPResponseException as exc:
            kind = "permanent" if exc.code >= 500 else "transient"
            return SendResult(kind, msg.MAIL_ANSWER.format(code=exc.code, text=exc.message))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            return SendResult("transient", msg.MAIL_UNREACHABLE.format(error=error))
        return SendResult("sent", provider_ref=message.key, reason=str(response[1])[:200])


def _provider_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:200]
    return str(body)[:200]


@dataclass
class _Sms:
    """What every SMS provider shares: a mobile number, the text planned in segments (at most
    SMS_MAX_SEGMENTS), held in quiet hours."""

    settings: NotificationSettings
    client: httpx.AsyncClient
    name: str = "sms"
    quiet: bool = True

    def address(self, recipient: Recipient) -> str | None:
        return mobile_number(recipient.phone)

    def planned(self, message: Outgoing) -> tuple[sms.SmsText, SendResult | None]:
        """The text in segments, or the refusal of one too long."""
        s = self.settings
        text = sms.plan(message.short, diacritics=s.sms_diacritics)
        if text.segments <= s.sms_max_segments:
            return text, None
        reason = msg.TOO_LONG.format(segments=text.segments, limit=s.sms_max_segments)
        return text, SendResult("permanent", reason, segments=text.segments)


@dataclass
class SmsChannel(_Sms):
    """An SMS gateway over HTTP (JSON). The gateway de-duplicates on `request_id`.

    Request: POST {SMS_GATEWAY_URL} with `Authorization: Bearer {SMS_API_KEY}` and
    {"request_id", "to", "brandname", "text", "parts", "encoding", "segments"}.
    Answer: 2xx {"id", "status": "accepted"|"delivered"}; 4xx a permanent refusal (bad number,
    bad sender name); 429 and 5xx are transient.
    """

    async def send(self, message: Outgoing) -> SendResult:
        s = self.settings
        text, refused = self.planned(message)
        if refused:
            return refused
        payload = {
            "request_id": message.key,
            "to": self.address(message.recipient),
            "brandname": s.sms_brand_name,
            "text": text.text,
            "parts": text.parts,
            "encoding": text.encoding,
            "segments": text.segments,
        }
        key = s.sms_api_key.get_secret_value()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            response = await self.client.post(
                s.sms_gateway_url, json=payload, headers=headers, timeout=s.provider_timeout
            )
        except httpx.HTTPError as exc:
            return SendResult("transient", msg.SMS_UNREACHABLE.format(error=type(exc).__name__))
        if response.status_code == 429 or response.status_code >= 500:
            reason = msg.SMS_ANSWER.format(
                status=response.status_code, text=_provider_error(response)
            )
            return SendResult("transient", reason, segments=text.segments)
        if response.status_code >= 400:
            reason = msg.SMS_REFUSED.format(
                status=response.status_code, text=_provider_error(response)
            )
            return SendResult("permanent", reason, segments=text.segments)
        body = response.json()
        result: Result = "delivered" if body.get("status") == "delivered" else "sent"
        return SendResult(result, provider_ref=str(body.get("id")), segments=text.segments)


# eSMS's CodeResult: "100" accepted; "99" an unknown error on its side, worth another try; every
# other code a refusal of this request (wrong keys, no balance, brandname not registered …),
# named with eSMS's own ErrorMessage.
ESMS_ACCEPTED, ESMS_TRANSIENT = "100", {"99"}


@dataclass
class EsmsChannel(_Sms):
    """eSMS.vn's documented JSON API (SendMultipleMessage_V4_post_json): a customer-care message
    (SmsType 2) under the commune's registered brandname; eSMS answers HTTP 200 with `CodeResult`
    "100" on success and another code on error, and blocks a repeated `RequestId` for 24 hours."""

    async def send(self, message: Outgoing) -> SendResult:
        s = self.settings
        text, refused = self.planned(message)
        if refused:
            return refused
        payload = {
            "ApiKey": s.esms_api_key.get_secret_value(),
            "SecretKey": s.esms_secret_key.get_secret_value(),
            "Phone": self.address(message.recipient),
            "Content": text.text,
            "Brandname": s.sms_brand_name,
            "SmsType": "2",
            "IsUnicode": "1" if text.encoding == "UCS-2" else "0",
            "Sandbox": "1" if s.esms_sandbox else "0",
            "RequestId": message.key,
            "campaignid": message.template,
        }
        try:
            response = await self.client.post(s.esms_url, json=payload, timeout=s.provider_timeout)
        except httpx.HTTPError as exc:
            return SendResult("transient", msg.ESMS_UNREACHABLE.format(error=type(exc).__name__))
        if response.status_code != 200:
            kind: Result = (
                "transient"
                if response.status_code == 429 or response.status_code >= 500
                else "permanent"
            )
            reason = msg.ESMS_HTTP.format(status=response.status_code, text=response.text[:200])
            return SendResult(kind, reason, segments=text.segments)
        try:
            body = response.json()
            code = str(body["CodeResult"])
        except (ValueError, KeyError, TypeError):
            unread = msg.ESMS_UNREADABLE.format(text=response.text[:200])
            return SendResult("transient", unread)
        if code == ESMS_ACCEPTED:
            return SendResult("sent", provider_ref=str(body.get("SMSID")), segments=text.segments)
        reason = msg.ESMS_REFUSED.format(code=code, text=body.get("ErrorMessage") or msg.NO_REASON)
        kind = "transient" if code in ESMS_TRANSIENT else "permanent"
        return SendResult(kind, reason[:300], segments=text.segments)


# ZNS error codes worth another try later; every other non-zero code is final for this message.
ZNS_TRANSIENT = msg.ZNS_TRANSIENT


@dataclass
class ZaloChannel:
    """Zalo Notification Service: a template Zalo approved, filled with our parameters.

    POST {ZALO_ZNS_URL} with header `access_token` and {"phone", "template_id", "template_data",
    "tracking_id"}; Zalo answers {"error": 0, "data": {"msg_id"}} or a negative error code.
    """

    settings: NotificationSettings
    client: httpx.AsyncClient
    name: str = "zalo"
    quiet: bool = True

    def address(self, recipient: Recipient) -> str | None:
        return mobile_number(recipient.phone)

    async def send(self, message: Outgoing) -> SendResult:
        s = self.settings
        template_id = s.zalo_template_ids.get(message.template)
        if not template_id:
            refused = msg.ZNS_NO_TEMPLATE.format(template=message.template)
            return SendResult("permanent", refused)
        data = {**message.params}
        if message.recipient.name:
            data["customer_name"] = message.recipient.name
        payload = {
            "phone": self.address(message.recipient),
            "template_id": template_id,
            "template_data": data,
            "tracking_id": message.key,
        }
        try:
            response = await self.client.post(
                s.zalo_zns_url,
                json=payload,
                headers={"access_token": s.zalo_access_token.get_secret_value() or "-"},
                timeout=s.provider_timeout,
            )
        except httpx.HTTPError as exc:
            return SendResult("transient", msg.ZALO_UNREACHABLE.format(error=type(exc).__name__))
        if response.status_code >= 500 or response.status_code == 429:
            return SendResult("transient", msg.ZALO_ANSWER.format(status=response.status_code))
        try:
            body = response.json()
            code = int(body.get("error", -1))
        except (ValueError, TypeError, AttributeError):
            unread = msg.ZALO_UNREADABLE.format(status=response.status_code)
            return SendResult("transient", unread)
        if code == 0:
            return SendResult("sent", provider_ref=str((body.get("data") or {}).get("msg_id")))
        text = body.get("message") or ZNS_TRANSIENT.get(code, "")
        reason = msg.ZALO_ERROR.format(code=code, text=text).strip()
        return SendResult("transient" if code in ZNS_TRANSIENT else "permanent", reason)


@dataclass
class FileChannel:
    """Writes each message as a text file: the embedded default, so anyone can read what was sent."""

    settings: NotificationSettings
    name: str = "file"
    quiet: bool = False
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def address(self, recipient: Recipient) -> str | None:
        return recipient.email or recipient.phone or recipient.name or msg.NO_ADDRESS_ON_FILE

    def path_for(self, message: Outgoing) -> Path:
        day = local_date(message.at).isoformat()
        return self.settings.file_dir / day / f"{message.template}-{message.key}.txt"

    async def send(self, message: Outgoing) -> SendResult:
        path = self.path_for(message)
        if path.exists():  # written before a crash: the same message, not a second one
            return SendResult("delivered", provider_ref=str(path))
        plan = sms.plan(message.short, diacritics=self.settings.sms_diacritics)
        recipient = message.recipient
        header = {
            msg.FILE_TO: " · ".join(
                filter(None, [recipient.name, recipient.phone, recipient.email])
            ),
            msg.FILE_SUBJECT: message.subject,
            msg.FILE_AT: fmt_time(message.at),
            msg.FILE_TEMPLATE: message.template,
            msg.FILE_KEY: message.key,
        }
        if message.attachments:
            header[msg.FILE_ATTACHED] = ", ".join(
                self.attached_path(path, a).name for a in message.attachments
            )
        text = "\n".join(f"{k}: {v}" for k, v in header.items())
        text += (
            f"\n\n{message.body}\n"
            + msg.FILE_SHORT.format(encoding=plan.encoding, segments=plan.segments)
            + "\n"
        )
        text += "\n".join(plan.parts) + "\n"
        async with self._lock:
            for attached in message.attachments:  # before the text, whose presence means sent
                await asyncio.to_thread(
                    _write_atomically, self.attached_path(path, attached), attached.data
                )
            await asyncio.to_thread(_write_atomically, path, text)
        return SendResult("delivered", provider_ref=str(path), segments=plan.segments)

    @staticmethod
    def attached_path(path: Path, attached: Attachment) -> Path:
        return path.with_name(f"{path.stem}-{attached.filename}")


def _write_atomically(path: Path, content: str | bytes) -> None:
    """Readable by the service's own user only: a message names a person and their contact."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    data = content.encode("utf-8") if isinstance(content, str) else content
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def remove_old_files(directory: Path, today: date, keep_days: int) -> list[Path]:
    """The file channel's days older than `keep_days` (folders named YYYY-MM-DD), deleted."""
    removed = []
    for day_dir in sorted(directory.glob("????-??-??")) if directory.is_dir() else []:
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError:
            continue
        if (today - day).days > keep_days:
            shutil.rmtree(day_dir, ignore_errors=True)
            removed.append(day_dir)
    return removed


def build_channels(
    settings: NotificationSettings, client: httpx.AsyncClient
) -> dict[ChannelName, Channel]:
    every: dict[ChannelName, Channel] = {
        "email": EmailChannel(settings),
        "sms": EsmsChannel(settings, client)
        if settings.sms_provider == "esms"
        else SmsChannel(settings, client),
        "zalo": ZaloChannel(settings, client),
        "file": FileChannel(settings),
    }
    return {name: every[name] for name in dict.fromkeys(settings.channels) if name in every}
