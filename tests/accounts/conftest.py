"""Fixtures of the accounts tests: the mail outbox (recovery_support) and apps with rate
limits on (tests.core)."""

from tests.accounts.recovery_support import outbox  # noqa: F401  (fixture)
from tests.core.conftest import make_limited_app  # noqa: F401  (fixture)
