"""What moderation asks of the domains above it: does a reported or sanctioned subject
(team, match, tournament, chat message) exist, and may this user moderate tournament X (its
organizers sanction within it). `deltacrown.wiring` provides the implementation."""

from __future__ import annotations

from typing import Any, Protocol

from deltacrown.core.ports import Port


class SubjectFacts(Protocol):
    def exists(self, subject_type: str, subject_id: int) -> bool:
        """Whether a `team`, `match`, `tournament` or `message` with this id exists."""
        ...

    def can_moderate(self, actor: Any, tournament_id: int) -> bool:
        """Whether `actor` organizes the tournament (or is staff)."""
        ...

    def tournament_of(self, subject_type: str, subject_id: int) -> int | None:
        """The tournament a match or chat message belongs to (None for other subjects)."""
        ...

    def author_of(self, message_id: int) -> int | None:
        """Who wrote a match-room message (None when there is no such message)."""
        ...


subjects: Port[SubjectFacts] = Port("moderation.subjects")
