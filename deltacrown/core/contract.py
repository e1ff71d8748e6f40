"""The committed API contract: `docs/api/openapi.json` and `docs/api/catalog.md`.

`flask openapi refresh` writes both from the app: the OpenAPI document as the app serves it,
and a catalogue of every REST operation (method, path, authentication, success and error
statuses with their problem codes) and every websocket route and message type with an
example frame. Tests fail when either file differs from what the app would write
(`tests/ops/test_contract.py`), and print the refresh command.

`flask openapi breaking` compares the app's document against the committed one and lists
the changes that break a client: a path or operation removed, a response field removed, an
enum value removed, a request field made required. Note each one in CHANGELOG.md before
refreshing the committed document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from deltacrown.core.api_document import api_of

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = ROOT / "docs" / "api" / "openapi.json"
CATALOG_PATH = ROOT / "docs" / "api" / "catalog.md"
REALTIME_DOC = ROOT / "docs" / "realtime.md"
REFRESH_COMMAND = "flask --app wsgi openapi refresh"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_CODES = re.compile(r"`([a-z][a-z0-9_]*)`")
# The headers of docs/realtime.md's tables of server events and client messages.
SERVER_EVENTS = "| type | channel | data |"
CLIENT_MESSAGES = "| type | fields | answer |"


# ----- the OpenAPI document -------------------------------------------------------------------
def current_document() -> dict[str, Any]:
    """The app's document as JSON reads it back (tuples in schemas become lists)."""
    document: dict[str, Any] = json.loads(json.dumps(api_of().spec.to_dict()))
    return document


def dump_document(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def committed_document() -> dict[str, Any] | None:
    if not OPENAPI_PATH.exists():
        return None
    loaded: dict[str, Any] = json.loads(OPENAPI_PATH.read_text())
    return loaded


# ----- breaking changes -----------------------------------------------------------------------
def _resolve(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def _schema_changes(
    old_doc: dict[str, Any], new_doc: dict[str, Any], old: Any, new: Any, where: str, depth: int
) -> Iterator[str]:
    old, new = _resolve(old_doc, old), _resolve(new_doc, new)
    if depth > 8 or not isinstance(old, dict) or not isinstance(new, dict):
        return
    for value in sorted(set(old.get("enum") or []) - set(new.get("enum") or []), key=str):
        if new.get("enum") is not None:
            yield f"{where}: enum value {value!r} removed"
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    for name in sorted(old_props):
        if name not in new_props:
            yield f"{where}: field {name!r} removed"
        else:
            yield from _schema_changes(
                old_doc, new_doc, old_props[name], new_props[name], f"{where}.{name}", depth + 1
            )
    if "items" in old and "items" in new:
        yield from _schema_changes(old_doc, new_doc, old["items"], new["items"], where, depth + 1)


def _json_schema(document: dict[str, Any], holder: Any) -> Any:
    holder = _resolve(document, holder)
    if not isinstance(holder, dict):
        return None
    content = holder.get("content") or {}
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return content[media].get("schema")
    return None


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a client written against `old` would trip over in `new`."""
    changes: list[str] = []
    new_ops = {(path, method): op for path, method, op in _operations(new)}
    for path, method, old_op in _operations(old):
        name = f"{method.upper()} {path}"
        new_op = new_ops.get((path, method))
        if new_op is None:
            changes.append(f"{name}: operation removed")
            continue
        for status, response in (old_op.get("responses") or {}).items():
            if not str(status).startswith("2"):
                continue
            before = _json_schema(old, response)
            after = _json_schema(new, (new_op.get("responses") or {}).get(status))
            if before is not None and after is None:
                changes.append(f"{name}: {status} response body removed")
            elif before is not None:
                changes += _schema_changes(old, new, before, after, f"{name} {status}", 0)
        before_body = _resolve(old, _json_schema(old, old_op.get("requestBody")))
        after_body = _resolve(new, _json_schema(new, new_op.get("requestBody")))
        if isinstance(after_body, dict):
            was = set(before_body.get("required") or []) if isinstance(before_body, dict) else set()
            for field in sorted(set(after_body.get("required") or []) - was):
                changes.append(f"{name}: request field {field!r} now required")
    return changes


# ----- the catalogue --------------------------------------------------------------------------
def _auth(operation: dict[str, Any], document: dict[str, Any]) -> str:
    security = operation.get("security", document.get("security"))
    if not security:
        return "none"
    schemes = {name for entry in security for name in entry}
    optional = any(not entry for entry in security)
    label = ", ".join(sorted(schemes)) or "none"
    return f"optional ({label})" if optional and schemes else label


def _statuses(operation: dict[str, Any], document: dict[str, Any]) -> tuple[str, str]:
    success, errors = [], []
    for status, response in (operation.get("responses") or {}).items():
        if status == "default":
            continue
        if int(status) < 400:
            success.append(status)
            continue
        description = str((_resolve(document, response) or {}).get("description", ""))
        codes = _CODES.findall(description)
        errors.append(f"{status} ({', '.join(codes)})" if codes else status)
    return ", ".join(sorted(success)), "; ".join(sorted(errors))


def _table(header: str) -> list[list[str]]:
    """The rows of docs/realtime.md's table under `header` (cells stripped)."""
    rows: list[list[str]] = []
    inside = False
    for line in REALTIME_DOC.read_text().splitlines():
        line = line.strip()
        if line == header:
            inside = True
            continue
        if inside:
            if not line.startswith("|"):
                break
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if set(cells[0]) <= {"-", " "}:
                continue
            rows.append(cells)
    return rows


def websocket_messages(header: str) -> list[tuple[str, str, str]]:
    """(type, second column, third column) per message type of one of docs/realtime.md's
    tables; a row naming several types gives one entry each."""
    entries = []
    for first, second, third in (row[:3] for row in _table(header) if len(row) >= 3):
        for message_type in re.findall(r"`([^`]+)`", first):
            entries.append((message_type, second, third))
    return entries


def _example(message_type: str, fields: str, *, event: bool) -> str:
    names = re.findall(r"`([a-z_0-9]+)`", fields)[:4]
    payload = ", ".join(f'"{name}": …' for name in names)
    if event:
        return (
            f'`{{"type": "{message_type}", "seq": 12, "ts": "2026-01-01T12:00:00Z", '
            f'"data": {{{payload or "…"}}}}}`'
        )
    return f'`{{"type": "{message_type}"{", " + payload if payload else ""}}}`'


def render_catalog(document: dict[str, Any], ws_routes: list[str]) -> str:
    lines = [
        "# API catalogue",
        "",
        f"Generated from the app by `{REFRESH_COMMAND}`; do not edit by hand.",
        "Problem codes are listed after each error status. The OpenAPI document beside this",
        "file (`openapi.json`) has the schemas; `docs/realtime.md` explains the websocket frames.",
        "",
        "## REST operations",
        "",
        "| method | path | summary | auth | success | errors (problem codes) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for path, method, op in _operations(document):
        success, errors = _statuses(op, document)
        summary = " ".join(str(op.get("summary") or "").split()).replace("|", "\\|")
        auth = _auth(op, document)
        lines.append(f"| {method.upper()} | `{path}` | {summary} | {auth} | {success} | {errors} |")
    lines += ["", "## Websocket routes", "", "| route |", "| --- |"]
    lines += [f"| `{route}` |" for route in ws_routes]
    lines += [
        "",
        "## Websocket server events",
        "",
        "| type | channels | data | example |",
        "| --- | --- | --- | --- |",
    ]
    for event_type, channels, data in websocket_messages(SERVER_EVENTS):
        example = _example(event_type, data, event=True)
        lines.append(f"| `{event_type}` | {channels} | {data} | {example} |")
    lines += [
        "",
        "## Websocket client messages",
        "",
        "| type | fields | answer | example |",
        "| --- | --- | --- | --- |",
    ]
    for message_type, fields, answer in websocket_messages(CLIENT_MESSAGES):
        example = _example(message_type, fields, event=False)
        lines.append(f"| `{message_type}` | {fields} | {answer} | {example} |")
    lines += [
        "",
        "Frames without `seq`: `connection_established`, `pong`, `authenticated`, `resumed`,",
        '`resync_required` and `error` (for example `{"type": "error", "code": "rate_limited",',
        '"detail": "…", "retry_after_ms": 500}`); docs/realtime.md describes each.',
        "",
    ]
    return "\n".join(lines)


def websocket_routes(app: Flask) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/ws/")})


def current_catalog(app: Flask) -> str:
    return render_catalog(current_document(), websocket_routes(app))


# ----- commands -------------------------------------------------------------------------------
@click.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Write docs/api/openapi.json and docs/api/catalog.md from the app."""
    OPENAPI_PATH.parent.mkdir(parents=True, exist_ok=True)
    document = current_document()
    OPENAPI_PATH.write_text(dump_document(document))
    CATALOG_PATH.write_text(current_catalog(current_app))
    click.echo(f"wrote {OPENAPI_PATH.relative_to(ROOT)} ({len(document['paths'])} paths) and "
               f"{CATALOG_PATH.relative_to(ROOT)}")  # fmt: skip


@click.command("breaking")
@with_appcontext
def breaking_command() -> None:
    """List the changes that break clients of the committed document; exit 1 if any."""
    committed = committed_document()
    if committed is None:
        raise click.ClickException(f"{OPENAPI_PATH} is missing; run `{REFRESH_COMMAND}`")
    changes = breaking_changes(committed, current_document())
    for change in changes:
        click.echo(change)
    if changes:
        click.echo(f"{len(changes)} breaking change(s): note them in CHANGELOG.md", err=True)
        raise SystemExit(1)
    click.echo("no breaking change against the committed document")
