"""Moderation: sanctions and their enforcement points. The enforcement question
(`services.active_sanction_for`) is what other domains ask; it answers "no sanction" until
sanctions are recorded."""
