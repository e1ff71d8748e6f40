"""Evidence files for a match: the upload (its sides and organizers) and the rule every
submission and dispute's evidence keys follow, whoever calls (API, admin, a script)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO

from deltacrown.core import storage
from deltacrown.matches import policies, queries
from deltacrown.matches.errors import PermissionDeniedError, ValidationError

MAX_EVIDENCE = 5  # files per submission or dispute


def evidence_problems(evidence: Sequence[str]) -> list[str]:
    """What is wrong with a list of evidence keys (empty when nothing): each must be an
    evidence upload of this app (`upload_evidence`), at most MAX_EVIDENCE of them."""
    problems = [f"At most {MAX_EVIDENCE} files."] if len(evidence) > MAX_EVIDENCE else []
    for key in evidence:
        try:
            kind, _type = storage.parse_key(key)
        except storage.InvalidKeyError:
            kind = None
        if kind != "evidence":
            problems.append(f"{key!r} is not an evidence upload.")
    return problems


def check_evidence(evidence: Sequence[str]) -> list[str]:
    """The evidence keys, or ValidationError (422) naming what is wrong."""
    problems = evidence_problems(evidence)
    if problems:
        raise ValidationError("The evidence is not valid.", errors={"evidence": problems})
    return list(evidence)


def upload_evidence(match_id: int, *, stream: BinaryIO, filename: str | None, actor: Any) -> str:
    """Store an evidence file for a match (its sides and organizers); its storage key."""
    match, tournament = queries.visible_match(match_id, actor)
    if queries.side_of(match, actor) is None and not policies.can_referee(actor, tournament):
        raise PermissionDeniedError("Only the match's sides and organizers upload evidence.")
    return storage.save(stream, "evidence", filename)
