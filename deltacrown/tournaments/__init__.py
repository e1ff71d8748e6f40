"""Tournaments: creation and lifecycle, co-organizers, custom registration fields, templates.

Other domains use this package through `services`, `queries`, `models`,
`customfields.validate_answers`, `policies` and `access` (who may see a tournament, who may
act for a registration). What it asks of registrations goes through `ports`.
"""
