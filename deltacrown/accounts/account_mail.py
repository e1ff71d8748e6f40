"""The e-mails of account recovery: a password-reset link and an address-verification link.

Each is rendered as plain text with the link to the front end's page, which sends the token
back to the API (`/api/auth/password-reset/confirm/`, `/api/auth/verify-email/confirm/`). The
pages' addresses are `PASSWORD_RESET_URL` and `EMAIL_VERIFICATION_URL` (with `{token}`), by
default `/reset-password?token=...` and `/verify-email?token=...` on PUBLIC_WEB_URL (or
PUBLIC_BASE_URL). Sending happens after the commit and outside any transaction; a message
that cannot be handed over is logged, and the person asks for a new link.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import current_app

from deltacrown.core import mail
from deltacrown.core.transaction import outside_transaction

log = logging.getLogger(__name__)


def link(setting: str, default_path: str, token: str) -> str:
    template = current_app.config.get(setting)
    if not template:
        base = current_app.config.get("PUBLIC_WEB_URL") or current_app.config.get("PUBLIC_BASE_URL")
        template = f"{str(base or '').rstrip('/')}{default_path}?token={{token}}"
    return str(template).replace("{token}", quote(token, safe=""))


def password_reset_message(to: str, username: str, token: str, minutes: int) -> mail.Message:
    url = link("PASSWORD_RESET_URL", "/reset-password", token)
    text = (
        f"Hello {username},\n\n"
        "Someone (hopefully you) asked to reset the password of your DeltaCrown account.\n"
        f"Choose a new password here within {minutes} minutes:\n\n{url}\n\n"
        "The link works once. If you did not ask for it, ignore this e-mail: your password "
        "stays as it is.\n"
    )
    return mail.Message(to=to, subject="Reset your DeltaCrown password", text=text)


def verification_message(to: str, username: str, token: str, hours: int) -> mail.Message:
    url = link("EMAIL_VERIFICATION_URL", "/verify-email", token)
    text = (
        f"Hello {username},\n\n"
        "Confirm that this is your e-mail address for your DeltaCrown account "
        f"(the link works for {hours} hours):\n\n{url}\n\n"
        "Paid tournaments and the shop need a confirmed address. If you did not create an "
        "account, ignore this e-mail.\n"
    )
    return mail.Message(to=to, subject="Confirm your DeltaCrown e-mail address", text=text)


def send_logged(message: mail.Message) -> None:
    with outside_transaction():
        try:
            mail.send(message)
        except mail.MailError:
            log.warning("account e-mail to %s could not be sent", message.to, exc_info=True)
