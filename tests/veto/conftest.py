"""The match suite's cast and helpers (a started best-of-3 Valorant cup) for veto tests."""

from tests.matches.conftest import (  # noqa: F401  (fixtures)
    _session_celery,
    all_matches,
    any_cup,
    api,
    co_organizer,
    cup,
    give_profile,
    m,
    make_player,
    organizer,
    started,
    stranger,
)
from tests.teams.conftest import make_team  # noqa: F401  (fixture)
