"""Typed ports: how a lower domain asks a higher one a question without importing it.

The lower domain declares what it needs as a `typing.Protocol` and a `Port` for it (for
example `teams.ports.registrations`: is this team's roster locked?). The composition root,
`deltacrown.wiring`, provides the higher domain's implementation on each app it builds, and
the lower domain asks `port.get()` inside an app context. Implementations live in
`app.extensions`, never in a module global, so every app (and every test app) has its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from flask import Flask, current_app

EXTENSION = "deltacrown.ports"

P = TypeVar("P")


class PortNotProvidedError(RuntimeError):
    """The app was built without an implementation for a port (a wiring mistake)."""


class Port(Generic[P]):
    """A named slot for one implementation of the protocol `P`, per app."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Port({self.name!r})"

    def provide(self, app: Flask, implementation: P) -> None:
        """Install `implementation` on `app` (replacing any earlier one)."""
        app.extensions.setdefault(EXTENSION, {})[self.name] = implementation

    def provided(self, app: Flask) -> P | None:
        """The implementation installed on `app`, or None."""
        return app.extensions.get(EXTENSION, {}).get(self.name)  # type: ignore[no-any-return]

    def get(self) -> P:
        """The current app's implementation; PortNotProvidedError when it has none."""
        implementation = self.provided(current_app)
        if implementation is None:
            raise PortNotProvidedError(f"no implementation of {self.name} on this app")
        return implementation

    @contextmanager
    def substituted(self, app: Flask, implementation: P) -> Iterator[P]:
        """Use `implementation` on `app` for the duration of the block (tests' fakes), then
        put the previous one back."""
        previous = self.provided(app)
        self.provide(app, implementation)
        try:
            yield implementation
        finally:
            if previous is None:
                app.extensions.get(EXTENSION, {}).pop(self.name, None)
            else:
                self.provide(app, previous)
