"""Fixtures of the response cache's tests: the bracket API's cups and helpers."""

from tests.brackets_api.conftest import api, cup, organizer  # noqa: F401  (fixtures)
from tests.core.conftest import make_limited_app  # noqa: F401  (fixture)
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)
