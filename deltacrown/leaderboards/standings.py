"""What the leaderboard endpoints answer: a board's page, one entry with those around it,
a player's points history and ratings, a match's prediction, the staff breakdown."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.leaderboards import boards, queries, ratings
from deltacrown.leaderboards.boards import Board, Entry
from deltacrown.leaderboards.errors import SeasonNotFoundError, UserNotFoundError
from deltacrown.leaderboards.models import LeaderboardPoints, SubjectKind
from deltacrown.leaderboards.odds import tournament_odds
from deltacrown.matches.models import Match
from deltacrown.tournaments.models import Tournament

HISTORY_SIZE = 20


def resolve_board(args: dict[str, Any]) -> tuple[Board, Game]:
    """The board a query names (the current season when `scope=season` names none);
    GameNotFoundError, SeasonNotFoundError."""
    game = queries.game_by_ref(args["game"])
    kind = SubjectKind(args.get("kind", "player"))
    season_id = None
    if args.get("by") == "rating":
        board = Board(game.id, SubjectKind.PLAYER, None, "rating")
        boards.ensure(board)
        return board, game
    if args.get("scope") == "season":
        if args.get("season") is not None:
            season = queries.get_season(args["season"])
            if season.game_id != game.id:
                raise SeasonNotFoundError(f"No season {season.id} of {game.slug}.")
        else:
            found = queries.season_at(game.id, utcnow())
            if found is None:
                raise SeasonNotFoundError(f"{game.name} has no current season.")
            season = found
        season_id = season.id
    board = Board(game.id, kind, season_id)
    boards.ensure(board)
    return board, game


def _describe(board: Board, game: Game) -> dict[str, Any]:
    return {
        "game": game.slug,
        "scope": "season" if board.season_id is not None else "all_time",
        "season": board.season_id,
        "kind": board.kind.value,
        "by": board.by,
        "total": boards.size(board),
    }


def _named(board: Board, entries: list[Entry]) -> list[dict[str, Any]]:
    names = queries.names(board.kind, [e.subject_id for e in entries])
    return [{**asdict(e), "id": e.subject_id, "name": names.get(e.subject_id)} for e in entries]


def board_page(args: dict[str, Any], start: int, limit: int) -> tuple[dict[str, Any], bool]:
    """One page of a board from position `start`; and whether more follow."""
    board, game = resolve_board(args)
    entries = boards.page(board, start, limit + 1)
    more = len(entries) > limit
    return {**_describe(board, game), "items": _named(board, entries[:limit])}, more


def rank(args: dict[str, Any]) -> dict[str, Any]:
    """A player's (or team's) entry and the `around` entries on each side."""
    board, game = resolve_board(args)
    subject = (
        args["team"] if board.kind is SubjectKind.TEAM and board.by != "rating" else args["user"]
    )
    position = boards.position_of(board, subject)
    if position is None:
        return {**_describe(board, game), "entry": None, "around": []}
    around = args.get("around", 2)
    start = max(0, position - around)
    entries = boards.page(board, start, position - start + around + 1)
    named = _named(board, entries)
    own = next(e for e in named if e["id"] == subject)
    return {**_describe(board, game), "entry": own, "around": named}


def rows_out(rows: list[LeaderboardPoints]) -> list[dict[str, Any]]:
    games = {g.id: g.slug for g in db.session.scalars(db.select(Game))}
    tournament_ids = sorted({r.tournament_id for r in rows})
    titles: dict[int, str] = {}
    if tournament_ids:
        query = db.select(Tournament.id, Tournament.name).where(Tournament.id.in_(tournament_ids))
        titles = {i: n for i, n in db.session.execute(query)}
    out = []
    for row in rows:
        item = {c.key: getattr(row, c.key) for c in LeaderboardPoints.__table__.columns}
        item["kind"] = row.kind.value
        item["game_slug"] = games.get(row.game_id)
        item["tournament_name"] = titles.get(row.tournament_id)
        out.append(item)
    return out


def user_history(user_id: int, game_ref: str | None) -> Any:
    """A player's points rows (newest first), as a query for the cursor."""
    if not queries.user_exists(user_id):
        raise UserNotFoundError(f"No user {user_id}.")
    query = db.select(LeaderboardPoints).where(
        LeaderboardPoints.kind == SubjectKind.PLAYER, LeaderboardPoints.subject_id == user_id
    )
    if game_ref:
        query = query.where(LeaderboardPoints.game_id == queries.game_by_ref(game_ref).id)
    return query


def user_ratings(user_id: int) -> list[dict[str, Any]]:
    if not queries.user_exists(user_id):
        raise UserNotFoundError(f"No user {user_id}.")
    games = {g.id: g.slug for g in db.session.scalars(db.select(Game))}
    return [
        {
            "game": games.get(r.game_id),
            "ordinal": r.ordinal,
            "mu": r.mu,
            "sigma": r.sigma,
            "matches": r.matches,
            "history": queries.rating_history(user_id, r.game_id, HISTORY_SIZE),
        }
        for r in queries.user_ratings(user_id)
    ]


def prediction(match: Match, tournament: Tournament) -> dict[str, Any]:
    """Each known side's chance to win from the players' current ratings."""
    sides = [p for p in match.participant_ids if p is not None]
    if len(sides) < 2:
        return {"match_id": match.id, "sides": []}
    rosters = queries.rosters(sides)
    chances = ratings.predict([rosters[s] for s in sides], tournament.game_id)
    return {
        "match_id": match.id,
        "sides": [
            {"registration_id": s, "win_probability": p}
            for s, p in zip(sides, chances, strict=True)
        ],
    }


def breakdown(args: dict[str, Any]) -> dict[str, Any]:
    """Every points row behind a player's rank on a game's board (all time, or a season)."""
    game = queries.game_by_ref(args["game"])
    season_id = args.get("season")
    if season_id is not None:
        queries.get_season(season_id)
    if not queries.user_exists(args["user"]):
        raise UserNotFoundError(f"No user {args['user']}.")
    rows = queries.points_rows(
        game_id=game.id, season_id=season_id, kind=SubjectKind.PLAYER, subject_id=args["user"]
    )
    board = Board(game.id, SubjectKind.PLAYER, season_id)
    boards.ensure(board)
    return {
        "user": args["user"],
        "game": game.slug,
        "season": season_id,
        "rank": boards.rank_of(board, args["user"]),
        "total": sum((r.points for r in rows), start=0),
        "rows": rows_out(rows),
    }


def season_out(season: Any, slugs: dict[int, str] | None = None) -> dict[str, Any]:
    now = utcnow()
    if slugs is None:
        slugs = {g.id: g.slug for g in db.session.scalars(db.select(Game))}
    return {
        "id": season.id,
        "game_slug": slugs.get(season.game_id),
        "name": season.name,
        "starts_at": season.starts_at,
        "ends_at": season.ends_at,
        "is_current": season.starts_at <= now < season.ends_at,
    }


def seasons(game_ref: str | None) -> list[dict[str, Any]]:
    game_id = queries.game_by_ref(game_ref).id if game_ref else None
    slugs = {g.id: g.slug for g in db.session.scalars(db.select(Game))}
    return [season_out(s, slugs) for s in queries.seasons_of(game_id)]


def odds(tournament: Tournament, seed: int | None) -> dict[str, Any]:
    """Each participant's chance to win the tournament, best first."""
    from deltacrown.brackets.queries import registration_names

    found = tournament_odds(tournament, seed)
    names = registration_names(found["odds"])
    return {
        "tournament_id": tournament.id,
        "runs": found["runs"],
        "seed": found["seed"],
        "participants": sorted(
            (
                {"registration_id": r, "name": names.get(r), "probability": p}
                for r, p in found["odds"].items()
            ),
            key=lambda item: (-item["probability"], item["registration_id"]),
        ),
    }
