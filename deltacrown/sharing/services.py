"""What a shared link shows: metadata for previews, the share card, and the sitemap.

Links are absolute: `PUBLIC_WEB_URL` (a web front end: `/tournaments/<slug>`,
`/players/<username>`) when set, else this API's own resources under the request's root.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, request

from deltacrown.accounts.models import User
from deltacrown.brackets import images, picture
from deltacrown.brackets.errors import BracketMissingError
from deltacrown.core.cache import cache
from deltacrown.core.db import db
from deltacrown.sharing import card
from deltacrown.tournaments import discovery, queries
from deltacrown.tournaments.models import Tournament, Visibility

SITEMAP_PAGE = 50_000  # the sitemap protocol's limit of URLs per file
CARD_CACHE_SECONDS = 24 * 60 * 60


def _base() -> str:
    return str(current_app.config.get("PUBLIC_WEB_URL") or request.url_root).rstrip("/")


def tournament_url(tournament_id: int, slug: str) -> str:
    if current_app.config.get("PUBLIC_WEB_URL"):
        return f"{_base()}/tournaments/{slug}"
    return f"{_base()}/api/tournaments/{tournament_id}/"


def profile_url(user_id: int, username: str) -> str:
    if current_app.config.get("PUBLIC_WEB_URL"):
        return f"{_base()}/players/{username}"
    return f"{_base()}/api/users/{user_id}/"


def _prize(tournament: Tournament) -> str | None:
    if tournament.prize_amount:
        return f"{tournament.prize_currency} {tournament.prize_amount:,.2f}".replace(".00", "")
    if tournament.prize_coins:
        return f"{tournament.prize_coins:,} DeltaCoins"
    return None


def _dates(tournament: Tournament) -> str:
    return f"{tournament.start_at:%d %b %Y, %H:%M} UTC"


def facts(tournament: Tournament) -> dict[str, Any]:
    """The words a preview shows about a tournament."""
    taken = queries.count_places_taken(tournament.id)
    return {
        "name": tournament.name,
        "game": tournament.game.name,
        "dates": _dates(tournament),
        "prize": _prize(tournament),
        "participants": f"{taken} / {tournament.max_participants}",
    }


def share_metadata(
    tournament_id: int, actor: Any, invite_code: str | None = None
) -> dict[str, Any]:
    """OpenGraph and Twitter card metadata for a tournament link (as the actor may see it)."""
    tournament = queries.get_visible_tournament(tournament_id, actor, invite_code=invite_code)
    about = facts(tournament)
    summary = " · ".join(v for v in (about["game"], about["dates"], about["prize"]) if v)
    description = (tournament.description or "").strip()
    description = f"{summary}. {description}" if description else summary
    description = picture.shorten(description, 200)
    image = f"{request.url_root.rstrip('/')}/api/tournaments/{tournament.id}/og.png"
    url = tournament_url(tournament.id, tournament.slug)
    return {
        "title": tournament.name,
        "description": description,
        "image_url": image,
        "canonical_url": url,
        "indexable": tournament.visibility is Visibility.PUBLIC,
        "open_graph": {
            "og:type": "website",
            "og:site_name": "DeltaCrown",
            "og:title": tournament.name,
            "og:description": description,
            "og:url": url,
            "og:image": image,
            "og:image:width": str(card.WIDTH),
            "og:image:height": str(card.HEIGHT),
        },
        "twitter": {
            "twitter:card": "summary_large_image",
            "twitter:title": tournament.name,
            "twitter:description": description,
            "twitter:image": image,
        },
    }


def share_card(tournament_id: int, actor: Any, invite_code: str | None = None) -> tuple[bytes, str]:
    """(the 1200x630 PNG card, its version); the bracket appears once it is drawn."""
    tournament = queries.get_visible_tournament(tournament_id, actor, invite_code=invite_code)
    about = facts(tournament)
    try:
        bracket, bracket_version = images.bracket_picture(
            tournament.id, tournament.name, fmt="svg", theme="dark"
        )
        bracket_svg: str | None = bracket.decode()
    except BracketMissingError:
        bracket_svg, bracket_version = None, "none"
    version = hashlib.sha256(
        json.dumps([about, bracket_version], sort_keys=True).encode()
    ).hexdigest()[:32]
    key = f"share-card:{version}"
    png = cache.get(key)
    if png is None:
        png = images.rasterise(card.draw(about, bracket_svg))
        cache.set(key, png, timeout=CARD_CACHE_SECONDS)
    return png, version


# ----- sitemap ---------------------------------------------------------------------------------
def _listed_tournaments() -> sa.Select[Any]:
    listed = discovery.listed().subquery()
    return sa.select(listed.c.id, listed.c.slug, listed.c.updated_at).order_by(listed.c.id)


def _public_profiles() -> sa.Select[Any]:
    return (
        sa.select(User.id, User.username, User.updated_at)
        .where(User.is_active.is_(True))
        .order_by(User.id)
    )


def sitemap_pages() -> list[tuple[str, int]]:
    """(kind, page number) of every sitemap file: tournaments first, then profiles."""
    pages: list[tuple[str, int]] = []
    for kind, select in (("tournaments", _listed_tournaments()), ("players", _public_profiles())):
        total = db.session.scalar(sa.select(sa.func.count()).select_from(select.subquery())) or 0
        pages += [(kind, n) for n in range(1, max(1, -(-total // SITEMAP_PAGE)) + 1)]
    return pages


def sitemap_entries(kind: str, page: int) -> list[tuple[str, datetime | None]]:
    """(absolute URL, last modified) of one sitemap file; [] past the last page."""
    offset = (page - 1) * SITEMAP_PAGE
    if kind == "tournaments":
        rows = db.session.execute(_listed_tournaments().offset(offset).limit(SITEMAP_PAGE))
        return [(tournament_url(r.id, r.slug), r.updated_at) for r in rows]
    rows = db.session.execute(_public_profiles().offset(offset).limit(SITEMAP_PAGE))
    return [(profile_url(r.id, r.username), r.updated_at) for r in rows]
