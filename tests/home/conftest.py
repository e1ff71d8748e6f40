"""Fixtures of the summary's tests: cups of the bracket API, players and teams."""

from tests.brackets_api.conftest import api, cup, organizer  # noqa: F401  (fixtures)
from tests.teams.conftest import give_profile, make_player, make_team  # noqa: F401  (fixtures)
