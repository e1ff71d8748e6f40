"""Fixtures of the compact views. tests: the bracket API's cups and helpers."""

from tests.brackets_api.conftest import api, cup, organizer  # noqa: F401  (fixtures)
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)
