"""Who is acting: a signed-in user, the system, or nobody.

Services take an `actor`. A signed-in person is their `User` row (any object with an integer
`id`, so `core` needs no domain import); work the platform does by itself (sweeps, Celery
tasks, CLI commands, the bracket engine's consequences) passes `SYSTEM`. `None` means an
anonymous caller and nothing else: a policy never reads `None` as "the system".

The audit log records which of the three it was (`actor_kind`).
"""

from __future__ import annotations

import enum
from typing import Any, Final, Protocol, runtime_checkable


@runtime_checkable
class UserActor(Protocol):
    """A signed-in account as policies see it."""

    id: int


class System:
    """The platform acting on its own; one instance, `SYSTEM`."""

    _instance: System | None = None
    id: None = None

    def __new__(cls) -> System:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self) -> str:  # pickles (Celery, copies) stay the one instance
        return "SYSTEM"


SYSTEM: Final = System()

Actor = UserActor | System


class ActorKind(enum.StrEnum):
    USER = "user"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


def is_system(actor: Any) -> bool:
    return actor is SYSTEM


def kind_of(actor: Any) -> ActorKind:
    """`user`, `system` or `anonymous` (None)."""
    if actor is None:
        return ActorKind.ANONYMOUS
    if actor is SYSTEM:
        return ActorKind.SYSTEM
    return ActorKind.USER


def user_id_of(actor: Any) -> int | None:
    """The acting user's id; None for the system and for anonymous callers."""
    if actor is None or actor is SYSTEM:
        return None
    return int(actor.id)
