"""Outgoing e-mail: one small adapter with three backends, chosen by `MAIL_BACKEND`.

* `console` (the embedded default): the message is written to the `deltacrown.mail` log, so
  a developer sees every e-mail without a mail server.
* `smtp` (server mode): `smtplib` with the `MAIL_*` settings (`MAIL_SERVER`, `MAIL_PORT`,
  `MAIL_USE_TLS` for STARTTLS, `MAIL_USE_SSL`, `MAIL_USERNAME`, `MAIL_PASSWORD`,
  `MAIL_TIMEOUT`); `MAIL_DEFAULT_SENDER` is the From address.
* `memory` (tests): messages are kept in `outbox()`.

`send(message)` raises `MailError` when the message could not be handed over; callers that
retry (a Celery task or a sweep) catch it. Sending is slow network work: call it outside a
database transaction (`core.transaction.outside_transaction`), after the commit.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Protocol

from flask import Flask, current_app

log = logging.getLogger("deltacrown.mail")

EXTENSION = "deltacrown_mail"


class MailError(RuntimeError):
    """The message could not be handed to the mail server (retry later)."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    language: str = "en"


class Backend(Protocol):
    def send(self, message: Message, sender: str) -> None: ...


class ConsoleBackend:
    """Logs each message (recipient, subject and text body)."""

    def send(self, message: Message, sender: str) -> None:
        log.info(
            "e-mail to %s from %s: %s\n%s",
            message.to,
            sender,
            message.subject,
            message.text,
            extra={"mail_to": message.to, "mail_subject": message.subject},
        )


class MemoryBackend:
    """Keeps every message (tests read `outbox`); `fail_next` makes the next sends fail."""

    def __init__(self) -> None:
        self.outbox: list[Message] = []
        self.fail_next = 0

    def send(self, message: Message, sender: str) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise MailError("the test mail backend was told to fail")
        self.outbox.append(message)


class SMTPBackend:
    """Hands each message to an SMTP server (one connection per message)."""

    def __init__(self, config: Any) -> None:
        self.host = str(config.get("MAIL_SERVER") or "localhost")
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config.get("MAIL_TIMEOUT") or 10)

    def send(self, message: Message, sender: str) -> None:
        email = build_email(message, sender)
        try:
            if self.use_ssl:
                context = ssl.create_default_context()
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.use_tls and not self.use_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(str(self.username), str(self.password or ""))
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}") from exc


def build_email(message: Message, sender: str) -> EmailMessage:
    """A MIME message: the text part, and the HTML part as its alternative when given."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    email["Content-Language"] = message.language  # after the body: set_content clears it
    return email


BACKENDS = ("console", "smtp", "memory")


def init_app(app: Flask) -> None:
    """Bind the backend `MAIL_BACKEND` names to the app."""
    name = str(app.config.get("MAIL_BACKEND") or "console")
    backend: Backend
    if name == "smtp":
        backend = SMTPBackend(app.config)
    elif name == "memory":
        backend = MemoryBackend()
    elif name == "console":
        backend = ConsoleBackend()
    else:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, got {name!r}")
    app.extensions[EXTENSION] = backend


def backend() -> Backend:
    found: Backend = current_app.extensions[EXTENSION]
    return found


def default_sender() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "DeltaCrown <noreply@localhost>"
    if isinstance(sender, tuple | list):
        return formataddr((str(sender[0]), str(sender[1])))
    return str(sender)


def send(message: Message) -> None:
    """Hand `message` to the configured backend; MailError when it could not."""
    backend().send(message, default_sender())


def outbox() -> list[Message]:
    """The messages the memory backend kept (tests)."""
    found = backend()
    if not isinstance(found, MemoryBackend):
        raise RuntimeError("outbox() needs MAIL_BACKEND = 'memory'")
    return found.outbox
