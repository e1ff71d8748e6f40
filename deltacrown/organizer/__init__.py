"""Organizer dashboard: figures over an organizer's tournaments (stats), one tournament's health
and its participants (JSON or CSV), for organizers through the API and for staff in the admin.

Read-only: every figure is an aggregate query (GROUP BY in SQL) over tournaments,
registrations, payments and the economy ledger; match figures come from `match_figures`.
"""
