"""Moderation: sanctions and their enforcement points. Today only the enforcement question
(`services.active_sanction_for`) exists; the moderation issue adds reports and sanctions."""
