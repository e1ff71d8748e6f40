"""The OpenAPI document lists every endpoint with the problems it can answer."""

import pytest

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec(app):
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def test_every_api_route_is_documented(app, spec):
    documented = {(p, m.upper()) for p, m, _ in operations(spec)}
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if not (path.startswith("/api/") or path in ("/healthz", "/readiness", "/metrics")):
            continue
        if path.startswith("/api/docs") or path == "/api/openapi.json":
            continue
        openapi_path = path.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (openapi_path, method) in documented, (openapi_path, method)


def test_every_operation_documents_errors_as_problems(spec):
    for path, method, op in operations(spec):
        error_codes = [code for code in op["responses"] if code != "default" and int(code) >= 400]
        assert error_codes or path in ("/healthz",), (path, method)


def test_authenticated_operations_document_401_with_codes(spec):
    for path, method, op in operations(spec):
        if op.get("security") and {} not in op["security"]:
            assert "401" in op["responses"], (path, method)
            assert "token_expired" in op["responses"]["401"]["description"]


def test_domain_error_codes_appear_in_the_document(spec):
    register = spec["paths"]["/api/auth/register/"]["post"]
    assert "username_taken" in register["responses"]["409"]["description"]
    profiles = spec["paths"]["/api/me/game-profiles/"]["post"]
    assert "invalid_game_id" in profiles["responses"]["422"]["description"]


def test_error_responses_use_the_problem_schema(spec):
    register = spec["paths"]["/api/auth/register/"]["post"]
    content = register["responses"]["409"]["content"]
    assert "application/problem+json" in content


def test_etag_operations_document_304_and_412(spec):
    me = spec["paths"]["/api/auth/me/"]
    assert "304" in me["get"]["responses"]
    assert "412" in me["patch"]["responses"]
    assert "428" not in me["patch"]["responses"]


def test_sparse_fieldsets_are_documented(spec):
    params = spec["paths"]["/api/games/"]["get"]["parameters"]
    assert any(p.get("name") == "fields" for p in params if isinstance(p, dict))


def test_idempotent_operations_document_the_replayed_header(spec):
    idempotent = [
        (path, method, operation)
        for path, method, operation in operations(spec)
        if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert len(idempotent) >= 10  # registrations, purchases, match actions, ...
    for path, method, operation in idempotent:
        successes = [r for s, r in operation["responses"].items() if str(s).startswith("2")]
        assert successes, (path, method)
        for response in successes:
            assert "Idempotent-Replayed" in response.get("headers", {}), (path, method)
