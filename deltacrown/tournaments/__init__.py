"""Tournaments: creation and lifecycle, co-organizers, custom registration fields, templates.

Other domains use this package through `services`, `queries` (including the
`set_registrations_probe` hook), `models`, `customfields.validate_answers` and `policies`.
"""
