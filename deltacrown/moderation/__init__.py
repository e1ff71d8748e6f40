"""Moderation: reports, sanctions and their enforcement, appeals. Other domains ask
`enforcement.check(user_id, action, tournament_id=None)` before they let a user act."""
