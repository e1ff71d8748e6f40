"""Kinds of match, chosen once per match (`kind_of`), as the engine's format registry chooses
a format: a head-to-head match (two sides, a best-of-N series; `headtohead`) or a battle-
royale lobby (its members play a number of games; `lobbies`). The use cases ask the kind
instead of checking `match.lobby` themselves.

A kind answers: a side's submission, confirmation and dispute; confirming a pending
submission (the auto-confirm sweep); the no-show rule; settling a dispute; and the kind's
part of the match detail. `series` says whether the match is a best-of series (its best-of
can be set; the organizer may override its result or record a forfeit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deltacrown.matches import headtohead, lobbies
from deltacrown.matches.models import Match


@dataclass(frozen=True, slots=True)
class MatchKind:
    name: str
    series: bool
    submit: Callable[..., Match]
    confirm: Callable[..., Match]
    dispute: Callable[..., Any]
    confirm_pending: Callable[..., Match]
    no_show: Callable[..., str]
    uphold: Callable[..., None]
    resolve: Callable[..., None]
    state: Callable[[Match], dict[str, Any]]


HEAD_TO_HEAD = MatchKind(
    name="head_to_head",
    series=True,
    submit=headtohead.submit,
    confirm=headtohead.confirm,
    dispute=headtohead.dispute,
    confirm_pending=headtohead.confirm_pending,
    no_show=headtohead.no_show,
    uphold=headtohead.uphold,
    resolve=headtohead.resolve,
    state=headtohead.state,
)
LOBBY = MatchKind(
    name="lobby",
    series=False,
    submit=lobbies.submit,
    confirm=lobbies.confirm,
    dispute=lobbies.dispute,
    confirm_pending=lobbies.confirm_game,
    no_show=lobbies.no_show,
    uphold=lobbies.uphold,
    resolve=lobbies.resolve,
    state=lobbies.state,
)


def kind_of(match: Match) -> MatchKind:
    """The match's kind: a lobby's row carries its lobby number."""
    return LOBBY if match.lobby is not None else HEAD_TO_HEAD
