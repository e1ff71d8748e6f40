"""A side's part in a match's result: submit it, confirm the other side's, dispute it. Each
use case loads the match once for the actor (visibility and the locks: tournament, then the
match row) and hands it to the match's kind (`kinds`), which completes the match through the
bracket when the result is agreed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from deltacrown.core.time import utcnow
from deltacrown.matches import lifecycle
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import Dispute, Match
from deltacrown.matches.services.drafts import check_drafts, store_drafts
from deltacrown.matches.services.evidence import check_evidence


def submit_result(
    match_id: int,
    *,
    games: Sequence[Sequence[int]] | None,
    actor: Any,
    evidence: Sequence[str] = (),
    results: Sequence[Mapping[str, Any]] | None = None,
    drafts: Sequence[Mapping[str, Any] | None] | None = None,
    now: datetime | None = None,
) -> Match:
    """A side reports the per-game scores (live → awaiting_confirmation). The other side's
    submission confirms it when the games match, and disputes it otherwise. A lobby match
    takes one game's `results` instead (see `lobbies.submit`). `drafts` (per game, optional)
    are MOBA drafts, checked by the game's rules and kept per game."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    evidence = check_evidence(evidence)
    checked = check_drafts(tournament, drafts)
    submitted = kind_of(match).submit(
        match, tournament, games=games, results=results, actor=actor, evidence=evidence, now=now
    )
    store_drafts(match, checked)
    return submitted


def confirm_result(match_id: int, *, actor: Any, now: datetime | None = None) -> Match:
    """The other side (or an organizer) confirms the pending submission: the match completes
    (a lobby's game applies once every present member agreed)."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    return kind_of(match).confirm(match, tournament, actor=actor, now=now)


def dispute_result(
    match_id: int,
    *,
    reason: str,
    actor: Any,
    evidence: Sequence[str] = (),
    now: datetime | None = None,
) -> Dispute:
    """A side disputes the other side's pending submission (→ disputed), or the result of a
    completed match of an ongoing tournament (the match stays completed until settled)."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    evidence = check_evidence(evidence)
    return kind_of(match).dispute(
        match, tournament, reason=reason, actor=actor, evidence=evidence, now=now
    )
