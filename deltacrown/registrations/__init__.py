"""Registrations: sign-ups (solo and team), entry-fee payments, check-in and the waitlist.

Other domains read `Registration` through `deltacrown.registrations.models` and
`deltacrown.registrations.queries`. It answers the tournaments and teams ports (`providers`)
and reacts to `tournament_cancelled` (`receivers`); `deltacrown.wiring` connects both.
"""
