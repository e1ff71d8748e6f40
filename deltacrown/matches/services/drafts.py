"""A submitted result's MOBA drafts: checked by the game's draft rules (`matches.drafts`) and
kept per game (`MatchGame.draft`; the latest submission's draft of a game replaces an earlier
one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.matches import drafts as rules
from deltacrown.matches.game_models import MatchGame
from deltacrown.matches.models import Match
from deltacrown.tournaments.models import Tournament


def check_drafts(
    tournament: Tournament, drafts: Sequence[Mapping[str, Any] | None] | None
) -> list[tuple[int, dict[str, Any]]]:
    """The (game number, draft) pairs given, each checked: InvalidDraftError (422
    `invalid_draft` with the violated `rule`) when one breaks the rules or the game has no
    drafts."""
    given = [(n, dict(d)) for n, d in enumerate(drafts or (), start=1) if d is not None]
    if not given:
        return []
    slug = db.session.get_one(Game, tournament.game_id).slug
    for number, draft in given:
        if not rules.has_drafts(slug):
            raise rules.InvalidDraftError(
                "Only Dota 2 and Mobile Legends games carry a draft.",
                errors={f"games.{number - 1}.draft": ["This game has no draft."]},
                rule="no_drafts",
            )
        rules.validate(slug, draft, where=f"games.{number - 1}.draft")
    return given


def store_drafts(match: Match, drafts: list[tuple[int, dict[str, Any]]]) -> None:
    if not drafts:
        return
    rows = {
        g.number: g
        for g in db.session.scalars(sa.select(MatchGame).where(MatchGame.match_id == match.id))
    }
    for number, draft in drafts:
        row = rows.get(number)
        if row is None:
            row = MatchGame(match_id=match.id, number=number)
            db.session.add(row)
        row.draft = draft
    db.session.flush()
