"""Accounts: users, tokens, profiles and game profiles. Other domains import from here only."""
