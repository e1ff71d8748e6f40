"""Hostile request arguments against every Flask-Admin list, as staff in the probes' world: no
answer is a 5xx.

Each list gets a negative page, a huge page size, an unknown sort, control characters in its
search, and all of its filters at once with a value carrying NUL, then one beyond 64 bits; each
details and edit page gets ids no row can have. The values are those that once reached the
database (PostgreSQL refuses NUL in text and an out-of-range integer; SQLite's driver cannot
bind an integer beyond 64 bits)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import sign_in_admin

CHUNKS = 2
LIST_ARGUMENTS = [
    {"page": "-5"},
    {"page": "99999999999999"},
    {"page_size": "1000000000"},
    {"sort": "999", "desc": "x"},
    {"search": "a\x00b"},
]
FILTER_VALUES = ["a\x00b", str(2**70)]
ROW_IDS = ["abc", "\x00", str(2**70), "-1"]


def _model_views(app: Any) -> list[Any]:
    from flask_admin.contrib.sqla import ModelView

    admin = app.extensions["admin"][0]
    return sorted(
        (view for view in admin._views if isinstance(view, ModelView)),
        key=lambda view: view.endpoint,
    )


def _status(client: Any, url: str, query: dict[str, str]) -> Any:
    try:
        return client.get(url, query_string=query).status_code
    except Exception as exc:  # noqa: BLE001 - every escape is a finding
        return f"{type(exc).__name__}: {str(exc)[:160]}"


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_hostile_admin_list_arguments_never_answer_5xx(
    app: Any, client: Any, world: Any, chunk: int
) -> None:
    sign_in_admin(client, world.users["staff"].id)
    failures = []
    for view in _model_views(app)[chunk::CHUNKS]:
        url = f"/admin/{view.endpoint}/"
        queries = list(LIST_ARGUMENTS)
        keys = list(view._filter_args or {})
        for value in FILTER_VALUES:  # every filter at once: each is checked on its own
            queries.append({f"flt{n}_{key}": value for n, key in enumerate(keys)})
        for query in queries:
            status = _status(client, url, query)
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{url} {query!r:.60}: {status}")
        for page in ("details/", "edit/"):
            for row in ROW_IDS:
                status = _status(client, url + page, {"id": row})
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{url}{page}?id={row!r}: {status}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
