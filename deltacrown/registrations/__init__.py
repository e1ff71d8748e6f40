"""Registrations: sign-ups (solo and team), entry-fee payments, check-in and the waitlist.

Other domains read `Registration` through `deltacrown.registrations.models` and
`deltacrown.registrations.queries`. `receivers.connect()` (called by the app factory) installs
this domain's answers into the tournaments and teams hooks and listens to
`tournament_cancelled`.
"""
