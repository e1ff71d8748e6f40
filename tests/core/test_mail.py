"""The kernel mail adapter: console logging, the memory outbox, SMTP failures as MailError."""

from __future__ import annotations

import logging
import socket

import pytest

from deltacrown.core import mail

MESSAGE = mail.Message(to="ana@example.test", subject="Hello", text="Body", html="<p>Body</p>")


def test_the_console_backend_logs_the_message(caplog):
    with caplog.at_level(logging.INFO, logger="deltacrown.mail"):
        mail.ConsoleBackend().send(MESSAGE, "DeltaCrown <noreply@example.test>")
    assert "ana@example.test" in caplog.text and "Hello" in caplog.text and "Body" in caplog.text


def test_an_unreachable_smtp_server_is_a_mail_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = mail.SMTPBackend({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 2})
    with pytest.raises(mail.MailError):
        backend.send(MESSAGE, "noreply@example.test")


def test_a_message_has_text_and_html_alternatives():
    email = mail.build_email(MESSAGE, "DeltaCrown <noreply@example.test>")
    assert email["To"] == "ana@example.test" and email["Subject"] == "Hello"
    assert email.get_body(("plain",)).get_content().strip() == "Body"
    assert email.get_body(("html",)).get_content().strip() == "<p>Body</p>"


def test_an_unknown_backend_is_refused_at_start():
    from deltacrown.app import create_app

    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", MAIL_BACKEND="pigeon")
