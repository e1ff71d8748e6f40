"""Logs are JSON lines carrying the request id."""

import json
import logging

from deltacrown.core.logging import RequestIdFilter, make_handler


def test_log_lines_in_a_request_carry_its_request_id(app, client, caplog, monkeypatch):
    from deltacrown.games import queries

    def explode(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(queries, "get_game", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR, logger="deltacrown"):
        client.get("/api/games/valorant/", headers={"X-Request-ID": "req-42"})
    records = [r for r in caplog.records if r.name.startswith("deltacrown")]
    assert records and all(r.request_id == "req-42" for r in records)


def test_json_formatter_writes_one_object_per_line_with_request_id():
    handler = make_handler(as_json=True)
    record = logging.LogRecord(
        "deltacrown.test", logging.INFO, __file__, 1, "hello %s", ("there",), None
    )
    RequestIdFilter().filter(record)
    line = handler.format(record)
    payload = json.loads(line)
    assert payload["message"] == "hello there"
    assert payload["level"] == "INFO"
    assert payload["request_id"] == "-"
    assert "\n" not in line
