"""Property-based probe of every documented operation (schemathesis, in-process over WSGI).

For each operation in /api/openapi.json, schemathesis generates requests from the document and
sends them as a player and as staff (Bearer tokens). Every response must be free of server
errors and conform to the document: a documented status code, a documented content type, the
documented body schema and headers.

Bounded for CI: a few derandomized examples per operation and role, no shrinking, no example
database. Outside the document (and so outside this probe): websockets, /metrics, the admin.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from tests.probes.openapi_ops import openapi_document, operations

EXAMPLES = 4

SCHEMA = schemathesis.openapi.from_dict(openapi_document())

CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]

PROBE_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def role_headers(request: Any, make_user: Any) -> dict[str, str]:
    if request.param == "staff":
        headers: dict[str, str] = make_user(username="probe-staff", is_staff=True).headers
    else:
        headers = make_user(username="probe-player").headers
    return headers


@pytest.mark.parametrize("role_headers", ["player", "staff"], indirect=True)
@pytest.mark.parametrize(("method", "path"), operations())
def test_documented_operation_answers_as_documented_without_server_errors(
    app: Any, method: str, path: str, role_headers: dict[str, str]
) -> None:
    operation = SCHEMA[path][method]

    @PROBE_SETTINGS
    @given(case=operation.as_strategy())
    def probe(case: Any) -> None:
        # Raises on a server error or an answer that contradicts the document (CHECKS). The
        # in-process transport does not decode compressed bodies: ask for plain ones.
        headers = {**role_headers, "Accept-Encoding": "identity"}
        response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        assert response.status_code < 500, (method, path, response.status_code)

    probe()
