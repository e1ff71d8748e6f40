"""Making every certificate of a tournament: the Celery task (after `tournament_completed`)
and `flask certificates generate` both run `generate`.

Each certificate is its own unit of work (`core.transaction.unit_of_work`), so a failure
rolls back that certificate only (its files included) and a long batch never holds a
transaction. A certificate that fails is logged and tried again once the rest of its chunk is
done; one that fails twice is logged, counted and left for the next run (idempotent: a run
makes only what is missing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from deltacrown.certificates import queries, services
from deltacrown.certificates.queries import Recipient
from deltacrown.core.transaction import unit_of_work

log = logging.getLogger(__name__)

CHUNK = 32  # certificates drawn between progress reports
ATTEMPTS = 2


@dataclass
class Summary:
    tournament_id: int
    languages: tuple[str, ...]
    made: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (user id, language)

    @property
    def total(self) -> int:
        return self.made + len(self.failed)


Progress = Callable[[int, int], None]  # (certificates done, total)


def work(
    tournament_id: int, languages: tuple[str, ...]
) -> tuple[services.Subject, list[tuple[Recipient, str]]]:
    """The completed tournament and every (person, language) it owes a certificate."""
    with unit_of_work(write=False):
        tournament = services.completed_tournament(tournament_id)
        people = queries.recipients(tournament_id)
    return tournament, [(person, language) for person in people for language in languages]


def _issue_one(tournament: services.Subject, person: Recipient, language: str, force: bool) -> None:
    with unit_of_work():
        services.issue(tournament, person, language, force=force)


def generate(
    tournament_id: int,
    language: str | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Make (or, with `force`, draw again) every certificate of a completed tournament."""
    summary = Summary(tournament_id, services.languages(language))
    tournament, items = work(tournament_id, summary.languages)
    if progress is not None:
        progress(0, len(items))
    for start in range(0, len(items), CHUNK):
        retry: list[tuple[Recipient, str]] = []
        for attempt in range(ATTEMPTS):
            for person, lang in items[start : start + CHUNK] if attempt == 0 else retry.copy():
                try:
                    _issue_one(tournament, person, lang, force)
                except Exception:
                    final = attempt == ATTEMPTS - 1
                    log.exception(
                        "certificate of user %s (%s) for tournament %s failed%s",
                        person.user_id,
                        lang,
                        tournament_id,
                        "" if final else "; trying again",
                    )
                    if final:
                        summary.failed.append((person.user_id, lang))
                    elif (person, lang) not in retry:
                        retry.append((person, lang))
                    continue
                summary.made += 1
                if attempt:
                    retry.remove((person, lang))
            if progress is not None:
                progress(min(start + CHUNK, len(items)), len(items))
            if not retry:
                break
    log.info(
        "certificates of tournament %s: %s made, %s failed",
        tournament_id,
        summary.made,
        len(summary.failed),
    )
    return summary
