"""Shared by the password-reset, verification and OAuth tests: the mail outbox and the token
in a link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from deltacrown.core import mail

LINK_TOKEN = re.compile(r"token=([A-Za-z0-9_.%-]+)")


@pytest.fixture
def outbox(app: Any) -> Iterator[list[Any]]:
    """The memory mail backend's messages, emptied before and after the test."""
    backend = app.extensions[mail.EXTENSION]
    backend.outbox.clear()
    yield backend.outbox
    backend.outbox.clear()


def token_in(message: Any) -> str:
    found = LINK_TOKEN.search(message.text)
    assert found, message.text
    return found.group(1)
