"""This domain's answers to ports declared below it: what brackets asks through
`brackets.ports.MatchStarts` (the matches that wait for nobody go live when the tournament
starts), and what moderation asks through `moderation.ports.SubjectFacts` (does a reported
team, match, tournament or chat message exist; who organizes a tournament)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deltacrown.extensions import db
from deltacrown.matches import lifecycle
from deltacrown.matches.models import ChatMessage, Match
from deltacrown.teams.models import Team
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament


class TournamentMatchStarts:
    """`brackets.ports.MatchStarts` through the match lifecycle."""

    def start_waiting(self, tournament: Tournament, now: datetime) -> None:
        lifecycle.start_waiting(tournament, now)


class ModerationSubjects:
    """`moderation.ports.SubjectFacts` from the rows of teams, tournaments and matches."""

    MODELS: dict[str, Any] = {
        "team": Team,
        "match": Match,
        "tournament": Tournament,
        "message": ChatMessage,
    }

    def exists(self, subject_type: str, subject_id: int) -> bool:
        model = self.MODELS.get(subject_type)
        row = db.session.get(model, subject_id) if model is not None else None
        return row is not None and not getattr(row, "is_deleted", False)

    def can_moderate(self, actor: Any, tournament_id: int) -> bool:
        tournament = db.session.get(Tournament, tournament_id)
        return tournament is not None and tournament_policies.can_manage(actor, tournament)

    def tournament_of(self, subject_type: str, subject_id: int) -> int | None:
        if subject_type == "match":
            match = db.session.get(Match, subject_id)
            return match.tournament_id if match is not None else None
        if subject_type == "message":
            message = db.session.get(ChatMessage, subject_id)
            match = db.session.get(Match, message.match_id) if message is not None else None
            return match.tournament_id if match is not None else None
        return None

    def author_of(self, message_id: int) -> int | None:
        message = db.session.get(ChatMessage, message_id)
        return message.author_id if message is not None else None
