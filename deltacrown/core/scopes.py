"""Scopes of personal access tokens: the catalogue, and the scope each API operation needs.

A personal access token (`Authorization: Bearer dc_pat_…`) lets a bot or an overlay call the
API as its owner, limited to the scopes it was given. Each operation needs at most one scope:

* a blueprint names its default with `Blueprint(..., token_scopes=TokenScopes(read=…,
  write=…))`: `read` for GET and HEAD, `write` for every other method (None: not for tokens);
* an operation overrides it with `@token_scope("matches:report")`, or `@token_scope(None)`
  to keep tokens out;
* operations under `/api/admin/` never take a token, whatever the blueprint says, and a
  token never carries staff rights (`core.auth.withhold_staff_rights`).

An operation with no scope answers a token with 403 `insufficient_scope`, like an operation
whose scope the token lacks. The OpenAPI document lists each operation's scope under the
`tokenAuth` security scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any, NamedTuple

from flask import Flask, current_app, request

from deltacrown.core.errors import PROBLEM_MIMETYPE, PermissionDeniedError

PAT_PREFIX = "dc_pat_"
STAFF_PATH_PREFIX = "/api/admin/"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Every scope a token can be given. Staff rights are not among them and never will be.
SCOPES: dict[str, str] = {
    "profile:read": "Read the owner's account, game profiles and other users' public profiles.",
    "profile:write": "Change the owner's profile, avatar and game profiles.",
    "tournaments:read": "Read tournaments, brackets, standings, leaderboards and certificates.",
    "tournaments:write": "Create and run the owner's tournaments (publish, brackets, organizers).",
    "registrations:read": "Read registrations, waitlists, check-in and payment status.",
    "registrations:write": "Register, cancel, check in, and manage registrations as organizer.",
    "teams:read": "Read teams, rosters and the owner's invitations.",
    "teams:write": "Create and manage the owner's teams and answer invitations.",
    "matches:read": "Read matches, their events, disputes and chat.",
    "matches:report": "Check in to matches, report scores and results, dispute and resolve.",
    "matches:chat": "Post and moderate messages in match chat.",
    "notifications:read": "Read the owner's notifications and preferences.",
    "notifications:write": "Mark notifications read and change notification preferences.",
    "wallet:read": "Read the owner's wallet, transactions, purchases and inventory.",
    "shop:purchase": "Buy, capture, release and refund shop purchases with the owner's coins.",
    "payouts:read": "Read the owner's payouts and payout methods.",
    "webhooks:manage": "Create, change, test and replay the owner's webhook endpoints.",
}

_UNSET: Any = object()


class InsufficientScopeError(PermissionDeniedError):
    code, title = "insufficient_scope", "Insufficient scope"


class TokenScopes(NamedTuple):
    """A blueprint's default scopes: `read` for GET/HEAD, `write` for other methods."""

    read: str | None = None
    write: str | None = None


def check_scope(scope: str | None) -> str | None:
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown token scope {scope!r}; known: {', '.join(SCOPES)}")
    return scope


def checked_defaults(defaults: TokenScopes | None) -> TokenScopes | None:
    """A blueprint's defaults, once their scopes are known ones (None: tokens stay out)."""
    if defaults is not None:
        check_scope(defaults.read)
        check_scope(defaults.write)
    return defaults


def token_scope(scope: str | None) -> Callable[[Any], Any]:
    """Declare the scope a personal access token needs for this operation (None: no token)."""
    check_scope(scope)

    def decorator(func: Any) -> Any:
        func._apidoc = deepcopy(getattr(func, "_apidoc", {}))
        func._apidoc["token_scope"] = scope
        return func

    return decorator


def scope_for(doc_info: dict[str, Any], defaults: TokenScopes | None, method: str) -> str | None:
    """The scope an operation needs: its own declaration, else its blueprint's default."""
    declared = doc_info.get("token_scope", _UNSET)
    if declared is not _UNSET:
        return declared  # type: ignore[no-any-return]
    if defaults is None:
        return None
    return defaults.read if method.upper() in READ_METHODS else defaults.write


def required_scope() -> str | None:
    """The scope this request's operation needs from a personal access token (None: tokens
    may not call it)."""
    if request.path.startswith(STAFF_PATH_PREFIX) or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    method = "GET" if request.method == "HEAD" else request.method
    handler = getattr(view_class, method.lower(), None) if view_class is not None else view
    blueprint = current_app.blueprints.get(request.blueprint or "")
    defaults = getattr(blueprint, "token_scopes", None)
    return scope_for(getattr(handler, "_apidoc", {}), defaults, method)


def ensure_scope(granted: frozenset[str] | set[str] | list[str]) -> None:
    """Raise InsufficientScopeError unless this request's operation takes one of `granted`."""
    needed = required_scope()
    if needed is None:
        raise InsufficientScopeError(
            "This operation cannot be called with a personal access token; sign in instead."
        )
    if needed not in granted:
        raise InsufficientScopeError(
            f"This operation needs a token with the scope `{needed}`.", scope=needed
        )


# ----- the OpenAPI document ---------------------------------------------------------------
def keep_tokens_out_of_staff_paths(docs: dict[str, Any], app: Flask, blueprint: str) -> None:
    """Staff operations (/api/admin/...) never take a token, whatever the default says."""
    for endpoint, info in docs.items():
        rule = next(app.url_map.iter_rules(f"{blueprint}.{endpoint}"), None)
        if rule is not None and rule.rule.startswith(STAFF_PATH_PREFIX):
            for method, doc_info in info.items():
                if method != "parameters" and isinstance(doc_info, dict):
                    doc_info["token_scope"] = None


def document_token_scope(
    doc: dict[str, Any],
    doc_info: dict[str, Any],
    defaults: TokenScopes | None,
    method: str,
    problem_schema: Any,
) -> None:
    """A signed-in operation also takes a personal access token with its scope (`tokenAuth`),
    and may answer 403 `insufficient_scope` (and `mfa_required` where staff are checked)."""
    if not doc_info.get("token_auth"):
        return
    scope = scope_for(doc_info, defaults, method)
    security = doc_info.setdefault("manual_doc", {}).get("security")
    if scope is not None and security is not None:
        security.insert(1, {"tokenAuth": [scope]})
        doc["x-token-scope"] = scope
    codes = ["insufficient_scope"]
    responses = doc.setdefault("responses", {})
    existing = responses.get(403)
    if isinstance(existing, dict) and "`" in existing.get("description", ""):
        if "`forbidden`" in existing["description"]:
            codes.append("mfa_required")
        extra = ", ".join(f"`{c}`" for c in codes)
        responses[403] = {**existing, "description": f"{existing['description']}, {extra}"}
    else:
        responses[403] = {
            "description": "Forbidden. Codes: " + ", ".join(f"`{c}`" for c in codes),
            "content": {PROBLEM_MIMETYPE: {"schema": problem_schema}},
        }
