"""Sending one digest by SMTP (the province's mail relay): STARTTLS when the relay offers
it, a timeout, retries with back-off; the standard library only (``smtplib``)."""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class Relay:
    """Where and how to send (from the settings)."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    timeout_s: float = 10.0
    attempts: int = 3
    backoff_s: float = 2.0


def message(relay: Relay, to: list[str], subject: str, text: str, html: str,
            message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = relay.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id  # the same on a resend: a relay or client can drop a copy
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def message_id(relay: Relay, outbox_id: int, created: str) -> str:
    domain = relay.sender.rsplit("@", 1)[-1] or "localhost"
    return make_msgid(idstring=f"zones-alert-{outbox_id}-{created}", domain=domain)


def send_once(relay: Relay, msg: EmailMessage) -> None:
    """One SMTP dialogue: EHLO, STARTTLS when offered, LOGIN when a user is set, send."""
    with smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout_s) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if relay.user:
            smtp.login(relay.user, relay.password)
        smtp.send_message(msg)


#: failures worth another try (the relay busy or unreachable for a moment)
TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout,
             ConnectionError, OSError)


def send(relay: Relay, msg: EmailMessage, sleep: Callable[[float], None] = time.sleep) -> None:
    """Send with retries: ``attempts`` tries, waiting ``backoff_s``, then twice as long…
    A refusal the relay gives for good (5xx, bad login, refused recipients) is not
    retried. The last failure is raised."""
    wait = relay.backoff_s
    for attempt in range(1, relay.attempts + 1):
        try:
            send_once(relay, msg)
            return
        except smtplib.SMTPResponseException as err:
            if err.smtp_code >= 500 or attempt == relay.attempts:
                raise
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPNotSupportedError, ssl.SSLError):
            raise
        except TRANSIENT:
            if attempt == relay.attempts:
                raise
        sleep(wait)
        wait *= 2


def describe(err: BaseException) -> str:
    """A failure as the outbox keeps it (no secret: never the password)."""
    if isinstance(err, smtplib.SMTPResponseException):
        detail = err.smtp_error.decode("utf-8", "replace") if isinstance(
            err.smtp_error, bytes) else str(err.smtp_error)
        return f"SMTP {err.smtp_code}: {detail}"[:500]
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "SMTP: " + ", ".join(f"{k} {v[0]}" for k, v in err.recipients.items())[:500]
    return f"{type(err).__name__}: {err}"[:500]
