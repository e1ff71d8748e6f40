"""What domains add to the staff console's shared pages, without core knowing any domain.

- Home tiles: each domain registers the numbers that need staff action today (payments
  waiting, open disputes, ...) with the page that deals with them (`add_home_tile`).
- User page sections: each domain registers what it knows about a user (teams,
  registrations, wallet, ...) as a small table (`add_user_section`); the user page shows them
  in registration order.

Both live on the app's `Admin` object (one per app), filled by the domains' `register_admin`.
`first_url` links to the first of several endpoints that exists, so a link can name a desk
that another part of the console provides and fall back to a plain list until it does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

Link = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class HomeTile:
    """A number on the home page: `count()` rows need action; `links` are tried in order."""

    title: str
    count: Callable[[], int]
    links: Sequence[Link]
    hint: str = ""


@dataclass
class Section:
    """One part of the user page: a titled table (cells are already display text or Markup)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)
    link: str | None = None  # the full list, filtered to this user
    empty: str = "None."


UserSectionBuilder = Callable[[Any, Any], Section]


def _registry(admin: Any, name: str) -> list[Any]:
    items = getattr(admin, name, None)
    if items is None:
        items = []
        setattr(admin, name, items)
    return items


def add_home_tile(
    admin: Any,
    title: str,
    count: Callable[[], int],
    *links: str | Link,
    hint: str = "",
) -> None:
    """Show `count()` under `title` on the home page, linked to the first endpoint of
    `links` that exists (an endpoint name, or `(endpoint, url arguments)`)."""
    normal = [(link, {}) if isinstance(link, str) else link for link in links]
    _registry(admin, "dc_home_tiles").append(HomeTile(title, count, normal, hint))


def home_tiles(admin: Any) -> list[HomeTile]:
    return list(_registry(admin, "dc_home_tiles"))


def add_user_section(admin: Any, build: UserSectionBuilder, *, order: int = 50) -> None:
    """Add a section to the user page: `build(admin, user)` returns it. Sections show by
    `order`, then in the order they were added."""
    sections = _registry(admin, "dc_user_sections")
    sections.append((order, len(sections), build))


def user_sections(admin: Any, user: Any) -> list[Section]:
    return [build(admin, user) for _, _, build in sorted(_registry(admin, "dc_user_sections"))]


def first_url(links: Sequence[str | Link]) -> str | None:
    """The URL of the first endpoint in `links` the app has; None when none exists."""
    for link in links:
        endpoint, args = (link, {}) if isinstance(link, str) else link
        try:
            return url_for(endpoint, **args)
        except BuildError:
            continue
    return None


def filter_args(admin: Any, endpoint: str, column: str, value: Any) -> dict[str, Any]:
    """The query arguments that filter the list at `endpoint` to `column` equal to `value`
    (its "equals" filter on that column); empty when that list has no such filter."""
    for view in getattr(admin, "_views", ()):
        if getattr(view, "endpoint", None) != endpoint:
            continue
        for index, flt in enumerate(getattr(view, "_filters", None) or ()):
            key = getattr(getattr(flt, "column", None), "key", None)
            if key == column and str(flt.operation()) == "equals":
                return {f"flt0_{index}": value}
    return {}


def filtered_list_url(admin: Any, endpoint: str, column: str, value: Any) -> str | None:
    """The list at `endpoint` filtered to `column` equal to `value`, or None when that list
    has no such filter."""
    args = filter_args(admin, endpoint, column, value)
    return url_for(f"{endpoint}.index_view", **args) if args else None
