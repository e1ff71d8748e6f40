"""Points rows of a completed tournament: one `LeaderboardPoints` row per player (and per team
in team tournaments), from its placements, tier, matches and battle-royale games.

`record_tournament` replaces the tournament's rows (so a correction, or running it twice,
leaves exactly one set) and answers which boards and subjects changed, for the boards to
update those entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.leaderboards import queries, scoring
from deltacrown.leaderboards.models import LeaderboardPoints, SubjectKind
from deltacrown.tournaments.models import Tournament, TournamentStatus


@dataclass
class Affected:
    """Boards touched by a write: (game, season or None for all time) -> kind -> subjects."""

    game_id: int
    seasons: set[int | None] = field(default_factory=set)
    subjects: dict[SubjectKind, set[int]] = field(default_factory=lambda: defaultdict(set))

    def merge(self, other: Affected) -> None:
        self.seasons |= other.seasons
        for kind, ids in other.subjects.items():
            self.subjects[kind] |= ids


@dataclass
class _Tally:
    wins: int = 0
    played: int = 0
    kill_points: int = 0


def _placed_at(tournament_id: int) -> datetime:
    done = [s.completed_at for s in queries.stages(tournament_id) if s.completed_at is not None]
    return max(done) if done else utcnow()


def _tallies(tournament_id: int) -> dict[int, _Tally]:
    """Per registration: wins and matches played (head-to-head results; each battle-royale
    game counts as a match, a game won being a win) and battle-royale game points."""
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for match in queries.decided_matches(tournament_id):
        for registration_id in match.participant_ids:
            if registration_id is None:
                continue
            tally = tallies[registration_id]
            tally.played += 1
            tally.wins += int(match.winner_registration_id == registration_id)
    for stage in queries.stages(tournament_id):
        for lobby in stage.lobbies or []:
            for game in lobby.get("games", []):
                for result in game:
                    tally = tallies[int(result["participant"])]
                    tally.played += 1
                    tally.wins += int(result["placement"] == 1)
                    tally.kill_points += scoring.br_game_points(
                        int(result["placement"]), int(result["kills"])
                    )
    return tallies


def record_tournament(tournament_id: int) -> Affected | None:
    """Write (replace) the points rows of a completed tournament; None when it is not
    completed (nothing is written, earlier rows are removed: a tournament only counts once
    it is over)."""
    # Under the tournament's row lock: a redelivered task and a correction's rewrite never
    # interleave their delete and insert.
    tournament = db.session.scalars(
        sa.select(Tournament).where(Tournament.id == tournament_id).with_for_update(of=Tournament)
    ).first()
    if tournament is None:
        return None
    affected = Affected(tournament.game_id)
    previous = queries.points_rows(tournament_id=tournament_id)
    for row in previous:
        affected.seasons.add(row.season_id)
        affected.subjects[row.kind].add(row.subject_id)
    db.session.execute(
        sa.delete(LeaderboardPoints).where(LeaderboardPoints.tournament_id == tournament_id)
    )
    if tournament.status is not TournamentStatus.COMPLETED:
        db.session.flush()
        return affected if previous else None
    placed_at = _placed_at(tournament_id)
    season = queries.season_at(tournament.game_id, placed_at)
    season_id = season.id if season is not None else None
    affected.seasons |= {None, season_id}
    multiplier = scoring.tier_multiplier(tournament.tier.value)
    results = queries.tournament_results(tournament_id)
    registrations = queries.registrations(r.registration_id for r in results)
    rosters = queries.rosters(registrations)
    tallies = _tallies(tournament_id)
    for result in results:
        registration = registrations[result.registration_id]
        tally = tallies.get(result.registration_id, _Tally())
        base = Decimal(scoring.placement_points(result.placement)) * multiplier
        kills = Decimal(tally.kill_points) * multiplier
        subjects = [(SubjectKind.PLAYER, user_id) for user_id in rosters[registration.id]]
        if registration.team_id is not None:
            subjects.append((SubjectKind.TEAM, registration.team_id))
        for kind, subject_id in subjects:
            affected.subjects[kind].add(subject_id)
            db.session.add(
                LeaderboardPoints(
                    game_id=tournament.game_id,
                    tournament_id=tournament_id,
                    season_id=season_id,
                    kind=kind,
                    subject_id=subject_id,
                    registration_id=registration.id,
                    placement=result.placement,
                    tier=tournament.tier.value,
                    placement_points=base,
                    kill_points=kills,
                    points=base + kills,
                    wins=tally.wins,
                    matches_played=tally.played,
                    placed_at=placed_at,
                )
            )
    db.session.flush()
    return affected
