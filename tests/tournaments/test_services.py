"""Tournament services: creation defaults and rules, updates and frozen fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.core.audit import AuditEntry
from deltacrown.core.errors import (
    AuthenticationError,
    ValidationError,
)
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.config import InvalidSettingsError, latest_config
from deltacrown.games.errors import GameNotFoundError
from deltacrown.games.models import Game
from deltacrown.tournaments import services
from deltacrown.tournaments.errors import (
    FieldFrozenError,
    InvalidPaymentMethodsError,
    InvalidPrizeDistributionError,
    InvalidScheduleError,
    TournamentLockedError,
)
from deltacrown.tournaments.models import TournamentStatus
from deltacrown.tournaments.rules import DEFAULT_POINTS_TABLE, Money
from tests.factories import DROP, build_tournament
from tests.tournaments.helpers import create, iso, update

pytestmark = pytest.mark.usefixtures("app_ctx")
S = TournamentStatus


# ----- create --------------------------------------------------------------------------------
def test_create_makes_a_draft_owned_by_the_actor_with_defaults(owner, load):
    tournament = create(load(owner))
    assert tournament.status == S.DRAFT
    assert tournament.organizer_id == owner.id
    assert tournament.slug == "spring-cup"
    assert (tournament.participant_type.value, tournament.team_size) == ("team", 5)
    assert (tournament.min_participants, tournament.max_substitutes) == (2, 0)
    assert tournament.timezone == "UTC" and tournament.is_online is True
    assert tournament.waitlist_enabled is True and tournament.requires_approval is False
    assert (tournament.payment_deadline_hours, tournament.result_confirmation_minutes) == (48, 30)
    assert tournament.no_show_grace_minutes == 10
    assert tournament.entry_fee is None and tournament.payment_methods == []
    assert tournament.invite_code is None and tournament.version == 1


def test_one_player_games_default_to_solo(owner, load):
    tournament = create(load(owner), game="efootball", format="round_robin")
    assert (tournament.participant_type.value, tournament.team_size) == ("solo", 1)


def test_choosing_solo_for_a_team_game_sets_team_size_one(owner, load):
    tournament = create(load(owner), participant_type="solo")
    assert tournament.team_size == 1


def test_battle_royale_gets_the_default_points_table(owner, load):
    tournament = create(load(owner), game="pubg-mobile", format="battle_royale")
    assert tournament.points_table == DEFAULT_POINTS_TABLE
    assert (tournament.participant_type.value, tournament.team_size) == ("team", 4)


def test_a_coin_fee_defaults_to_deltacoin_payment(owner, load):
    tournament = create(load(owner), entry_fee={"coins": 25})
    assert tournament.entry_fee == Money(coins=25)
    assert (tournament.fee_coins, tournament.fee_amount) == (25, None)
    assert tournament.payment_methods == ["deltacoin"]


def test_cash_money_is_stored_in_columns(owner, load):
    tournament = create(
        load(owner),
        entry_fee={"amount": "150.50", "currency": "BDT"},
        payment_methods=["bkash", "nagad"],
        prize_pool={"amount": "5000.00", "currency": "BDT"},
        prize_distribution=[{"placement": 1, "amount": "3000"}, {"placement": 2, "amount": "2000"}],
    )
    db.session.expire_all()
    assert (str(tournament.fee_amount), tournament.fee_currency) == ("150.50", "BDT")
    assert str(tournament.prize_amount) == "5000.00"
    assert tournament.prize_distribution == [
        {"placement": 1, "amount": "3000.00"},
        {"placement": 2, "amount": "2000.00"},
    ]


def test_slugs_get_a_number_on_collision(owner, load):
    actor = load(owner)
    slugs = [create(actor, name="Friday Night Fights").slug for _ in range(3)]
    assert slugs == ["friday-night-fights", "friday-night-fights-2", "friday-night-fights-3"]


def test_slugs_are_ascii_and_never_empty(owner, load):
    actor = load(owner)
    assert create(actor, name="Ça Va Cup — 2027!").slug == "ca-va-cup-2027"
    assert create(actor, name="日本語").slug == "tournament"


def test_a_deleted_tournament_keeps_its_slug_reserved(owner, load):
    actor = load(owner)
    first = create(actor, name="Reserved")
    services.delete_tournament(first.id, actor=actor)
    assert create(actor, name="Reserved").slug == "reserved-2"


def test_private_tournaments_get_an_invite_code_that_goes_when_made_public(owner, load):
    actor = load(owner)
    tournament = create(actor, visibility="private")
    assert tournament.invite_code and len(tournament.invite_code) >= 10
    update(tournament, actor, visibility="public")
    assert tournament.invite_code is None


def test_create_refuses_an_unknown_or_inactive_game(owner, load):
    db.session.execute(sa.update(Game).where(Game.slug == "codm").values(is_active=False))
    with pytest.raises(GameNotFoundError):
        create(load(owner), game="codm")
    with pytest.raises(GameNotFoundError):
        create(load(owner), game="chess")


def test_create_needs_a_signed_in_actor():
    with pytest.raises(AuthenticationError):
        create(None)


def test_create_refuses_a_start_in_the_past(owner, load):
    past = utcnow() - timedelta(hours=1)
    with pytest.raises(InvalidScheduleError) as info:
        create(
            load(owner),
            start_at=iso(past),
            registration_opens_at=DROP,
            registration_closes_at=DROP,
        )
    assert info.value.errors == {"start_at": ["Must be in the future."]}


def test_create_reports_the_fields_out_of_order(owner, load):
    now = utcnow()
    with pytest.raises(InvalidScheduleError) as info:
        create(
            load(owner),
            registration_opens_at=iso(now + timedelta(days=2)),
            registration_closes_at=iso(now + timedelta(days=1)),
            checkin_opens_at=iso(now + timedelta(days=3)),
            checkin_closes_at=iso(now + timedelta(days=4)),
            start_at=iso(now + timedelta(days=3, hours=12)),
        )
    assert set(info.value.errors) == {"registration_closes_at", "start_at"}


def test_create_checks_prize_distribution_and_payment_methods(owner, load):
    actor = load(owner)
    with pytest.raises(InvalidPrizeDistributionError):
        create(
            actor,
            prize_pool={"coins": 100},
            prize_distribution=[
                {"placement": 1, "percent": "60"},
                {"placement": 2, "percent": "30"},
            ],
        )
    with pytest.raises(InvalidPaymentMethodsError):
        create(actor, entry_fee={"amount": "50.00", "currency": "BDT"})
    with pytest.raises(InvalidPrizeDistributionError):
        create(
            actor,
            max_participants=2,
            prize_pool={"coins": 100},
            prize_distribution=[
                {"placement": 1, "percent": "50"},
                {"placement": 2, "percent": "30"},
                {"placement": 3, "percent": "20"},
            ],
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"game": "pubg-mobile"}, "format"),  # a battle royale game in an elimination bracket
        ({"format": "battle_royale"}, "format"),  # Valorant is not a battle royale
        ({"participant_type": "solo", "team_size": 3}, "team_size"),
        ({"min_participants": 20, "max_participants": 16}, "max_participants"),
        ({"points_table": {"placement": {"1": 5}, "kill": 1}}, "points_table"),
    ],
)
def test_create_refuses_inconsistent_configurations(owner, load, overrides, field):
    with pytest.raises(ValidationError) as info:
        create(load(owner), **overrides)
    assert info.value.code == "validation_error"
    assert field in info.value.errors


def test_settings_are_validated_and_their_schema_version_stored(owner, load):
    tournament = create(load(owner), settings={"best_of": 3, "map_pool": ["Ascent", "Bind"]})
    assert tournament.settings == {"best_of": 3, "map_pool": ["Ascent", "Bind"]}
    latest = latest_config(tournament.game_id)
    assert latest is not None and tournament.settings_schema_version == latest.version
    with pytest.raises(InvalidSettingsError) as info:
        create(load(owner), settings={"best_of": 2, "map_pool": ["Ascent", "Dust2"], "x": 1})
    assert set(info.value.errors) == {"settings", "settings.best_of", "settings.map_pool.1"}


# ----- update --------------------------------------------------------------------------------
def test_drafts_can_change_anything(owner, load):
    actor = load(owner)
    tournament = create(actor)
    update(
        tournament,
        actor,
        game="cs2",
        format="swiss",
        entry_fee={"coins": 10},
        name="Renamed",
        max_participants=32,
        settings={"best_of": 1},
    )
    assert (tournament.game.slug, tournament.format.value) == ("cs2", "swiss")
    assert tournament.payment_methods == ["deltacoin"]  # follows the new fee
    # A rename moves the slug; the old one is kept for redirects (test_slugs.py).
    assert tournament.name == "Renamed" and tournament.slug == "renamed"
    assert tournament.version == 2


def test_changing_the_game_revalidates_the_kept_settings(owner, load):
    actor = load(owner)
    tournament = create(actor, settings={"map_pool": ["Ascent"]})
    with pytest.raises(InvalidSettingsError) as info:
        update(tournament, actor, game="efootball", format="round_robin")
    assert list(info.value.errors) == ["settings"]  # eFootball has no map pool
    update(tournament, actor, game="efootball", format="round_robin", settings={"extra_time": True})
    assert tournament.settings_schema_version == 1


def test_changing_game_applies_that_games_defaults(owner, load):
    actor = load(owner)
    tournament = create(actor)
    update(tournament, actor, game="efootball", format="round_robin")
    assert (tournament.participant_type.value, tournament.team_size) == ("solo", 1)


FROZEN_CHANGES = [
    ("game", "cs2"),
    ("format", "double_elimination"),
    ("entry_fee", {"coins": 5}),
    ("payment_methods", ["deltacoin"]),
    ("participant_type", "solo"),
    ("team_size", 6),
]


@pytest.mark.parametrize(("field", "value"), FROZEN_CHANGES)
def test_published_tournaments_freeze_game_format_fee_and_team_settings(owner, load, field, value):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="published")
    with pytest.raises(FieldFrozenError) as info:
        update(tournament, actor, **{field: value})
    assert list(info.value.errors) == [field]


def test_sending_a_frozen_field_unchanged_is_fine(owner, load):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="published")
    update(
        tournament,
        actor,
        game="valorant",
        format="single_elimination",
        entry_fee=None,
        payment_methods=[],
        team_size=5,
        description="Now with rules",
    )
    assert tournament.description == "Now with rules"


def test_resending_the_participant_type_keeps_a_custom_team_size(owner, load):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="published", team_size=3)
    update(tournament, actor, participant_type="team", description="Trios")
    assert tournament.team_size == 3


def test_published_tournaments_still_take_text_and_future_dates(owner, load):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="published")
    later = tournament.start_at + timedelta(days=1)
    update(
        tournament, actor, rules="Be nice", stream_url="https://twitch.tv/x", start_at=iso(later)
    )
    assert tournament.start_at == later and tournament.rules == "Be nice"


def test_dates_that_have_passed_cannot_change(owner, load):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="registration_open")
    opened = tournament.registration_opens_at
    with time_machine.travel(opened + timedelta(hours=1), tick=False):
        with pytest.raises(FieldFrozenError) as info:
            update(tournament, actor, registration_opens_at=iso(opened + timedelta(minutes=90)))
        assert list(info.value.errors) == ["registration_opens_at"]
        update(tournament, actor, registration_opens_at=iso(opened))  # unchanged is fine


def test_published_date_changes_must_be_in_the_future(owner, load):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="published")
    with pytest.raises(InvalidScheduleError) as info:
        update(tournament, actor, registration_opens_at=iso(utcnow() - timedelta(hours=1)))
    assert info.value.errors == {"registration_opens_at": ["Must be in the future."]}


def test_drafts_may_move_registration_opening_into_the_past(owner, load):
    actor = load(owner)
    tournament = create(actor)
    past = (utcnow() - timedelta(hours=1)).replace(microsecond=0)
    updated = update(tournament, actor, registration_opens_at=iso(past))
    db.session.expire_all()
    assert updated.id == tournament.id
    assert updated.registration_opens_at == past
    assert updated.status is TournamentStatus.DRAFT


def test_updates_check_the_whole_resulting_configuration(owner, load):
    actor = load(owner)
    tournament = create(
        actor,
        prize_pool={"coins": 100},
        prize_distribution=[{"placement": 1, "percent": "70"}, {"placement": 2, "percent": "30"}],
    )
    with pytest.raises(InvalidPrizeDistributionError):
        update(tournament, actor, prize_pool=None)
    with pytest.raises(InvalidScheduleError):
        update(
            tournament, actor, start_at=iso(tournament.registration_closes_at - timedelta(hours=1))
        )


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_cancelled_and_completed_tournaments_do_not_change(owner, load, status):
    tournament = build_tournament(owner.id, status=status)
    with pytest.raises(TournamentLockedError):
        update(tournament, load(owner), description="too late")


def test_updates_are_audited_with_before_and_after(staff, owner, load):
    tournament = create(load(owner))
    update(tournament, load(staff), name="Staff Renamed", max_participants=8)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "tournament.updated")
    ).one()
    assert entry.actor_id == staff.id
    assert entry.before == {"name": "Spring Cup", "max_participants": 16, "slug": "spring-cup"}
    assert entry.after == {"name": "Staff Renamed", "max_participants": 8, "slug": "staff-renamed"}
