"""Certificates' rules through the services: idempotence, re-drawing, verification (valid,
tampered, revoked), team rosters, and the batch going on past failures."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.certificates import batch, queries, services
from deltacrown.certificates.errors import (
    CertificateAlreadyRevokedError,
    TournamentNotCompletedError,
)
from deltacrown.certificates.models import Certificate
from deltacrown.core import storage
from deltacrown.core.audit import AuditEntry
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from tests.certificates.conftest import build_completed
from tests.factories import build_tournament


def certificates(tournament_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.tournament_id == tournament_id)
            .order_by(Certificate.id)
        )
    )


def test_issue_returns_the_existing_certificate_and_force_redraws_it_keeping_its_code(
    app: Any, app_ctx: Any, organizer: Any, winner: Any, quick_draw: list[Any]
) -> None:
    cup = build_completed(app, organizer.id, [winner.id], extra=1)
    tournament = services.completed_tournament(cup.id)
    first = queries.recipients(cup.id)[0]
    made = services.issue(tournament, first, "en")
    again = services.issue(tournament, first, "en")
    assert again.id == made.id and len(quick_draw) == 1
    assert (made.certificate_type.value, made.placement, made.participant_name) == (
        "winner",
        1,
        "Rahim Uddin",
    )
    assert len(made.code) >= 22 and made.code.replace("-", "").replace("_", "").isalnum()
    assert made.pdf_key.startswith(f"certificates/pdf/{made.issued_at:%Y/%m}/")
    assert made.png_key.startswith("certificates/png/")
    old_pdf, code = made.pdf_key, made.code
    db.session.commit()

    with unit_of_work():
        redrawn = services.issue(tournament, first, "en", force=True)
    assert (redrawn.id, redrawn.code) == (made.id, code) and redrawn.pdf_key != old_pdf
    assert not storage.get_backend().exists(old_pdf)  # replaced files go after the commit
    assert services.verification(code)["valid"] is True


def test_verification_answers_valid_then_tampered_then_revoked(
    app: Any, app_ctx: Any, organizer: Any, winner: Any, staff: Any, quick_draw: list[Any]
) -> None:
    cup = build_completed(app, organizer.id, [winner.id], extra=1)
    tournament = services.completed_tournament(cup.id)
    certificate = services.issue(tournament, queries.recipients(cup.id)[1], "en")
    db.session.commit()
    answer = services.verification(certificate.code)
    assert answer["valid"] and not answer["tampered"] and not answer["revoked"]
    assert (answer["certificate_type"], answer["placement"]) == ("runner_up", 2)
    assert answer["tournament_name"] == "Dhaka Cup" and answer["game"] == "Valorant"

    path = storage.get_backend().path(certificate.pdf_key)  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # one byte of the stored PDF changes
    path.write_bytes(bytes(data))
    answer = services.verification(certificate.code)
    assert answer["tampered"] is True and answer["valid"] is False

    with pytest.raises(PermissionDeniedError):
        services.revoke(certificate.id, "Cheating", actor=db.session.get(User, winner.id))
    services.revoke(certificate.id, "Cheating proven", actor=db.session.get(User, staff.id))
    answer = services.verification(certificate.code)
    assert answer["revoked"] and answer["revoked_reason"] == "Cheating proven"
    assert answer["valid"] is False
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "certificate.revoke")
    ).one()
    assert entry.target_id == certificate.id
    with pytest.raises(CertificateAlreadyRevokedError):
        services.revoke(certificate.id, "again", actor=db.session.get(User, staff.id))
    # A revoked certificate no longer blocks a new one for the same person.
    fresh = services.issue(tournament, queries.recipients(cup.id)[1], "en")
    assert fresh.id != certificate.id and fresh.code != certificate.code


def test_each_member_of_a_team_gets_a_certificate_with_the_team_name(
    app: Any, app_ctx: Any, organizer: Any, quick_draw: list[Any]
) -> None:
    cup = build_completed(app, organizer.id, [], extra=4, teams=True)
    summary = batch.generate(cup.id, "en")
    assert (summary.made, summary.failed) == (4, [])
    made = certificates(cup.id)
    assert sorted(c.user_id for c in made) == sorted(cup.user_ids)
    by_type = {c.user_id: (c.certificate_type.value, c.team_name) for c in made}
    assert by_type[cup.user_ids[0]][0] == by_type[cup.user_ids[1]][0] == "winner"
    assert by_type[cup.user_ids[2]][0] == "runner_up"
    assert by_type[cup.user_ids[0]][1] == by_type[cup.user_ids[1]][1] != by_type[cup.user_ids[2]][1]
    assert all(team and team.startswith("Tigers") for _, team in by_type.values())


def test_batch_for_64_players_logs_a_failure_retries_it_and_goes_on(
    app: Any,
    app_ctx: Any,
    organizer: Any,
    quick_draw: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cup = build_completed(app, organizer.id, [], extra=64)
    broken, flaky = cup.user_ids[5], cup.user_ids[40]
    real_issue = services.issue
    failures: list[int] = []

    def failing_issue(tournament: Any, person: Any, language: str, **kwargs: Any) -> Any:
        if person.user_id == broken:
            raise RuntimeError("disk full")
        if person.user_id == flaky and flaky not in failures:
            failures.append(flaky)
            raise RuntimeError("once")
        return real_issue(tournament, person, language, **kwargs)

    monkeypatch.setattr(services, "issue", failing_issue)
    with caplog.at_level(logging.ERROR, logger="deltacrown.certificates.batch"):
        summary = batch.generate(cup.id, "en")
    assert summary.made == 63 and summary.failed == [(broken, "en")]
    assert f"certificate of user {broken} (en)" in caplog.text
    assert f"certificate of user {flaky} (en) for tournament {cup.id} failed; trying" in caplog.text
    made = certificates(cup.id)
    assert len(made) == 63 and {c.language for c in made} == {"en"}
    assert {c.placement for c in made} == set(range(1, 65)) - {6}
    assert broken not in {c.user_id for c in made}
    assert all(storage.get_backend().exists(c.pdf_key) for c in made)

    monkeypatch.setattr(services, "issue", real_issue)
    quick_draw.clear()
    assert batch.generate(cup.id, "en").made == 64  # a second run makes only what is missing
    assert [(facts.participant_name, lang) for facts, lang in quick_draw] == [
        (db.session.get(User, broken).display_name, "en")
    ]


def test_certificates_are_made_only_for_completed_tournaments(
    app: Any, app_ctx: Any, organizer: Any
) -> None:
    tournament = build_tournament(organizer.id, status="ongoing")
    db.session.commit()
    with pytest.raises(TournamentNotCompletedError):
        batch.generate(tournament.id)


def test_cli_makes_the_certificates_with_a_progress_bar(
    app: Any, organizer: Any, quick_draw: list[Any]
) -> None:
    cup = build_completed(app, organizer.id, [], extra=3)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "generate", str(cup.id), "--lang", "bn"])
    assert result.exit_code == 0, result.output
    assert f"tournament {cup.id}: 3 certificate(s) ready, 0 failed" in result.output
    assert [lang for _, lang in quick_draw] == ["bn", "bn", "bn"]
    again = runner.invoke(args=["certificates", "generate", str(cup.id), "--lang", "bn", "--force"])
    assert again.exit_code == 0 and len(quick_draw) == 6
    missing = runner.invoke(args=["certificates", "generate", "999999"])
    assert missing.exit_code != 0 and "No tournament 999999" in missing.output


def test_certificate_keys_are_filed_by_type_and_month_and_nothing_else_passes() -> None:
    hexa = "0123456789abcdef" * 2
    assert storage.parse_key(f"certificates/pdf/2026/12/{hexa}.pdf") == (
        "certificates",
        "application/pdf",
    )
    for key in (
        f"certificates/{hexa}.pdf",  # a dated kind without its folders
        f"certificates/png/2026/12/{hexa}.pdf",  # folder and extension disagree
        f"avatar/png/2026/12/{hexa}.png",  # an undated kind with folders
        f"certificates/pdf/2026/12/../{hexa}.pdf",
    ):
        with pytest.raises(storage.InvalidKeyError):
            storage.parse_key(key)
