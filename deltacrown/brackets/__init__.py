"""Brackets: the pure bracket engine (`brackets.engine`) and, later, its persistence and API."""
