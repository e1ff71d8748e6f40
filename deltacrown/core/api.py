"""Our thin subclasses of flask-smorest's Api, Blueprint and Schema, and shared API pieces.

* `Api` renders every HTTP error as a problem and documents `ProblemSchema` for errors.
* `Blueprint` adds: `errors(...)` to document the problem codes an operation can answer,
  weak version-based ETags with optional `If-Match` (412, never 428), `?fields=` sparse
  fieldsets on any response, request-body content-type rules (415), and the scopes personal
  access tokens need (`token_scopes=`, documented under `tokenAuth`; `core.scopes`).
* `BaseSchema` refuses unknown fields and makes every input strict (`core.inputs`): JSON
  integers only, within their column's range; no control characters in strings.
* `ProblemSchema` documents RFC 9457 bodies.
"""

from __future__ import annotations

import http
import json
from collections.abc import Callable, Mapping
from copy import deepcopy
from functools import wraps
from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.etag import _get_etag_ctx
from flask_smorest.exceptions import NotModified
from flask_smorest.pagination import PaginationMetadataSchema, PaginationParameters
from flask_smorest.spec import prepare_response
from flask_smorest.utils import get_appcontext, unpack_tuple_response

from deltacrown.core import dumpers, i18n, idempotency, scopes, views
from deltacrown.core.api_document import DocumentedOnRead
from deltacrown.core.errors import (
    PROBLEM_MIMETYPE,
    STATUS_CODES,
    DomainError,
    PreconditionFailedError,
    handle_http_exception,
)
from deltacrown.core.inputs import (
    INT32_MAX,
    control_character_errors,
    harden_field,
    integers_from_text,
)
from deltacrown.core.ratelimit import EXEMPT_BLUEPRINTS


class SharedSchema(ma.Schema):
    """A schema whose instances are shared, never copied: an instance is read, never changed,
    once built. flask-smorest deep-copies each view's documentation (which holds the schema
    instances, a problem schema for every error it answers) at every decorator and again at
    registration; copying every field of those schemas there took a quarter of `create_app`."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedSchema:
        return self


class BaseSchema(SharedSchema):
    """Input schemas refuse unknown fields; output schemas list their fields explicitly.

    Every input is strict (`core.inputs`): integer fields take JSON integers within the range
    of their column (query strings and forms are read as text first), and no string carries a
    control character. Dumped datetimes are written with a `Z` suffix
    (API_CONVENTIONS: `2026-05-01T10:00:00Z`). The hot reads' schemas set `compiled_dump`:
    their dumps run compiled (`core.dumpers`), with the same output.
    """

    class Meta:
        unknown = ma.RAISE
        ordered = True

    compiled_dump = False

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        harden_field(field_obj)

    @ma.pre_load
    def _strict_inputs(self, data: Any, **kwargs: Any) -> Any:
        errors = control_character_errors(data)
        if errors:
            raise ma.ValidationError(errors)
        if isinstance(data, Mapping) and not isinstance(data, dict):  # query string, form
            return integers_from_text(self.load_fields, data)
        return data

    @dumpers.routes_here
    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        if self.compiled_dump:
            return dumpers.dump(self, obj, many=many)
        return super().dump(obj, many=many)

    @ma.post_dump
    @dumpers.utc_hook
    def _utc_with_z(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return dumpers.utc_with_z(self.dump_fields, data)


class ProblemSchema(SharedSchema):
    """An RFC 9457 problem: clients switch on `code`.

    Some problems carry extension members (RFC 9457 section 3.2), such as `allowed` on an
    unsupported upload or `max_bytes` on one too large, so the document admits more members.
    """

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(metadata={"description": "URI naming the problem type"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "Stable snake_case machine-readable code"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Raw(),
        metadata={"description": "Per-field messages (422)"},
    )


class PageMetadataSchema(PaginationMetadataSchema):
    total_estimated = ma.fields.Boolean(
        metadata={
            "description": "Present and true when `total` (and the page count) is the "
            "database's estimate: lists of more than 10,000 items are not counted exactly."
        }
    )


class Api(DocumentedOnRead, _Api):
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):  # type: ignore[override]
        return handle_http_exception(error)

    def _register_responses(self) -> None:
        # Like smorest's, but error responses are documented as application/problem+json.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_MIMETYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self) -> None:
        # X-Pagination carries a JSON object, which OpenAPI 3 describes with `content`; the
        # `schema` form smorest uses means the `simple` style (`total,3,page,1`).
        header = {
            "description": "Pagination metadata (a JSON object)",
            "content": {"application/json": {"schema": PageMetadataSchema}},
        }
        self.spec.components.header("PAGINATION", header, lazy=True)


ErrorSpec = int | type[DomainError]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Blueprint(_Blueprint):
    """flask-smorest Blueprint with DeltaCrown's conventions built in."""

    # If-Match is optional (Swagger UI and simple clients do not send it): never 428.
    METHODS_NEEDING_CHECK_ETAG: list[str] = []
    METHODS_IF_MATCH = ("PUT", "PATCH", "DELETE")

    def __init__(self, *args: Any, token_scopes: Any = None, **kwargs: Any) -> None:
        """`token_scopes`: the `core.scopes.TokenScopes` personal access tokens need here."""
        super().__init__(*args, **kwargs)
        self.token_scopes = scopes.checked_defaults(token_scopes)
        self._prepare_doc_cbks.append(self._prepare_deltacrown_doc)

    def register_views_in_doc(self, api, app, spec, *, name, parameters):  # type: ignore[no-untyped-def]
        scopes.keep_tokens_out_of_staff_paths(self._docs, app, name)
        return super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)

    def paginate(
        self, pager: Any = None, *, page: int = 1, page_size: int = 20, max_page_size: int = 100
    ) -> Any:
        """Page-number pagination: ?page=&page_size= (20 by default, at most 100).

        flask-smorest's own decorator, with a bounded `page` (its schema has no maximum, and
        the offset of a huge page overflows the database's integers)."""
        schema = pagination_schema(page, page_size, max_page_size)
        status = self.PAGINATION_ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS

        def decorator(func: Any) -> Any:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                params = self.PAGINATION_ARGUMENTS_PARSER.parse(schema, request, location="query")
                if pager is None:
                    kwargs["pagination_parameters"] = params
                result, code, headers = unpack_tuple_response(
                    current_app.ensure_sync(func)(*args, **kwargs)
                )
                if pager is not None:
                    result = pager(result, page_params=params).items
                if params.item_count is not None:
                    result, headers = self._set_pagination_metadata(params, result, headers)
                return result, code, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
            wrapper._apidoc["pagination"] = {  # type: ignore[attr-defined]
                "parameters": {"in": "query", "schema": schema},
                "response": {status: http.HTTPStatus(status).name},
            }
            return wrapper

        return decorator

    def _set_pagination_metadata(self, page_params: Any, result: Any, headers: Any) -> Any:
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        if getattr(page_params, "total_estimated", False):
            metadata = json.loads(headers[self.PAGINATION_HEADER_NAME])
            metadata["total_estimated"] = True
            headers[self.PAGINATION_HEADER_NAME] = json.dumps(metadata)
        return result, headers

    # ----- error documentation -------------------------------------------------------------
    def errors(self, *specs: ErrorSpec) -> Callable[[Any], Any]:
        """Document the problems an operation may answer: statuses or DomainError classes."""
        by_status: dict[int, list[str]] = {}
        for spec in specs:
            if isinstance(spec, int):
                by_status.setdefault(spec, []).append(STATUS_CODES.get(spec, ("error", ""))[0])
            else:
                by_status.setdefault(spec.status, []).append(spec.code)

        def decorator(func: Any) -> Any:
            for status, codes in sorted(by_status.items()):
                # Stacked errors(...) merge: the newest description lists every code so far.
                earlier = getattr(func, "_apidoc", {}).get("problem_codes", {}).get(status, [])
                unique = list(dict.fromkeys([*earlier, *codes]))
                phrase = http.HTTPStatus(status).phrase
                description = f"{phrase}. Codes: " + ", ".join(f"`{c}`" for c in unique)
                func = self.alt_response(
                    status,
                    schema=ProblemSchema,
                    content_type=PROBLEM_MIMETYPE,
                    description=description,
                )(func)
                docs = func._apidoc["response"]["responses"][status]
                docs[:-1] = [d for d in docs[:-1] if not _is_problem_doc(d)]
                func._apidoc.setdefault("problem_codes", {})[status] = unique
            return func

        return decorator

    def idempotent(self, func: Any) -> Any:
        """Honour an optional Idempotency-Key header; must be the outermost decorator."""
        wrapped = self.errors(*idempotency.ERRORS)(idempotency.idempotent(func))
        wrapped = add_doc_info(wrapped, "success_headers", idempotency.RESPONSE_HEADERS)
        return add_doc_info(wrapped, "extra_headers", [idempotency.HEADER_PARAMETER])

    # ----- ETags: weak, from the aggregate's version --------------------------------------
    @staticmethod
    def _generate_etag(etag_data: Any, extra_data: Any = None) -> str:
        version = getattr(etag_data, "version", None)
        if isinstance(etag_data, int) and extra_data is None:
            version = etag_data
        if version is not None:  # an answer in another language is another representation
            suffix = i18n.language()
            return str(version) if suffix == i18n.DEFAULT_LANGUAGE else f"{version}.{suffix}"
        return _Blueprint._generate_etag(etag_data, extra_data)

    def _check_precondition(self) -> None:  # If-Match is optional
        return None

    def _check_not_modified(self, etag: str) -> None:
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and (
            request.if_none_match.contains_weak(etag)
        ):
            raise NotModified

    def check_etag(self, etag_data: Any, etag_schema: Any = None) -> None:
        """Compare an optional If-Match with the resource's current version (412 if stale)."""
        _get_etag_ctx()["etag_checked"] = True
        if not request.if_match or request.if_match.star_tag:
            return
        current = self._generate_etag(etag_data)
        version = current.split(".")[0]  # any language's ETag of this version will do
        held = request.if_match.as_set(include_weak=True)
        if not any((tag or "").split(".")[0] == version for tag in held):
            raise PreconditionFailedError(
                f'The resource is at version W/"{current}"; reload it and retry.'
            )

    def set_etag(self, etag_data: Any, etag_schema: Any = None) -> None:
        """Set the response ETag from an aggregate (its `version`); 304 on a fresh cache."""
        new_etag = self._generate_etag(etag_data)
        self._check_not_modified(new_etag)
        _get_etag_ctx()["etag"] = new_etag

    def _set_etag_in_response(self, response: Any) -> None:
        if request.method not in self.METHODS_ALLOWING_SET_ETAG or response.status_code >= 300:
            return
        new_etag = _get_etag_ctx().get("etag")
        if new_etag is None:
            etag_data = get_appcontext().get("result_dump")
            extra = tuple((k, v) for k, v in response.headers if k in self.ETAG_INCLUDE_HEADERS)
            new_etag = _Blueprint._generate_etag(etag_data, extra)
            self._check_not_modified(new_etag)
        response.set_etag(new_etag, weak=True)

    def _prepare_etag_doc(self, doc, doc_info, *, api, spec, method, **kwargs):  # type: ignore[no-untyped-def]
        if not doc_info.get("etag", False):
            return doc
        method_u = method.upper()
        responses: dict[int, Any] = {}
        if method_u in self.METHODS_CHECKING_NOT_MODIFIED:
            responses[304] = "NOT_MODIFIED"
            doc.setdefault("parameters", []).append("IF_NONE_MATCH")
        if method_u in self.METHODS_IF_MATCH:
            responses[412] = "PRECONDITION_FAILED"
            doc.setdefault("parameters", []).append("IF_MATCH")
        if method_u in self.METHODS_ALLOWING_SET_ETAG:
            for code in doc_info.get("success_status_codes", []):
                doc["responses"][code].setdefault("headers", {})["ETag"] = "ETAG"
        for code, ref in responses.items():
            doc.setdefault("responses", {}).setdefault(code, ref)
        return doc

    # ----- sparse fieldsets and compact views (core.views) --------------------------------
    def response(
        self,
        status_code: int,
        schema: Any = None,
        *,
        compact: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> Any:
        """flask-smorest's `response`; `compact`: the fields `?view=compact` keeps."""
        outer = super().response(status_code, schema, **kwargs)
        schema_instance = schema() if isinstance(schema, type) else schema

        def decorator(func: Any) -> Any:
            @wraps(func)
            def remember_schema(*args: Any, **kw: Any) -> Any:
                get_appcontext()["response_schema"] = schema_instance
                get_appcontext()["compact_fields"] = compact
                return func(*args, **kw)

            remember_schema._apidoc = deepcopy(getattr(func, "_apidoc", {}))  # type: ignore[attr-defined]
            wrapped = outer(remember_schema)
            if schema is not None:
                wrapped._apidoc["sparse_fields"] = True
            if compact is not None:
                wrapped._apidoc["compact_fields"] = compact
            return wrapped

        return decorator

    def _prepare_response_content(self, data: Any) -> Any:  # type: ignore[override]
        if data is None:
            return data
        context = get_appcontext()
        keep = views.kept_fields(context.get("response_schema"), context.get("compact_fields"))
        return data if keep is None else views.trim(data, keep)

    # ----- extra documentation --------------------------------------------------------------
    def _prepare_deltacrown_doc(self, doc, doc_info, *, api, spec, method, **kwargs):  # type: ignore[no-untyped-def]
        if doc_info.get("sparse_fields"):
            params = doc.setdefault("parameters", [])
            if not any(isinstance(p, dict) and p.get("name") == "fields" for p in params):
                params.append(dict(views.FIELDS_PARAMETER))
            if doc_info.get("compact_fields"):
                params.append(views.view_parameter(doc_info["compact_fields"]))
            doc.setdefault("responses", {}).setdefault(422, "UNPROCESSABLE_ENTITY")
        auth_codes = doc_info.get("auth_codes")
        if auth_codes:
            doc.setdefault("responses", {}).setdefault(
                401,
                {
                    "description": "Unauthorized. Codes: "
                    + ", ".join(f"`{c}`" for c in auth_codes),
                    "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}},
                },
            )
            scopes.document_token_scope(doc, doc_info, self.token_scopes, method, ProblemSchema)
        for header in doc_info.get("extra_headers", []):
            doc.setdefault("parameters", []).append(dict(header))
        success_headers = doc_info.get("success_headers")
        if success_headers:
            responses = doc.setdefault("responses", {})
            for status, response in list(responses.items()):
                if isinstance(response, dict) and 200 <= int(status) < 300:
                    headers = {**response.get("headers", {}), **success_headers}
                    responses[status] = {**response, "headers": headers}
        if self.name != "ops":  # the probes touch no database of their own accord
            _document_transport_problems(doc, method)
        if self.name not in EXEMPT_BLUEPRINTS:  # RATELIMIT_DEFAULT applies when nothing else does
            doc.setdefault("responses", {}).setdefault(
                429,
                {
                    "description": "Too Many Requests. Codes: `rate_limited`; see `Retry-After`.",
                    "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}},
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                },
            )
        return doc


def pagination_schema(default_page: int, default_size: int, max_size: int) -> type[ma.Schema]:
    """`?page=&page_size=` loaded into flask-smorest's PaginationParameters, both bounded."""

    class PaginationParametersSchema(BaseSchema):
        class Meta:
            unknown = ma.EXCLUDE

        page = ma.fields.Integer(
            load_default=default_page, validate=ma.validate.Range(min=1, max=INT32_MAX)
        )
        page_size = ma.fields.Integer(
            load_default=default_size, validate=ma.validate.Range(min=1, max=max_size)
        )

        @ma.post_load
        def make_paginator(self, data: dict[str, Any], **kwargs: Any) -> PaginationParameters:
            return PaginationParameters(**data)

    return PaginationParametersSchema


# Problems any operation may answer before its own code runs (core.http, core.errors).
BODY_PROBLEMS = {
    400: "Bad Request. Codes: `bad_request` (unreadable JSON), `json_too_deep` (arrays and "
    "objects nested more than 32 deep).",
    413: "Content Too Large. Codes: `payload_too_large` (JSON bodies: 1 MiB).",
    415: "Unsupported Media Type. Codes: `unsupported_media_type`.",
}
IF_NONE_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the answer you have: 304 without a body while it is current.",
}
UNAVAILABLE_PROBLEM = {
    "description": "Service Unavailable. Codes: `service_unavailable` (the database cannot be "
    "reached); see `Retry-After`.",
    "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}},
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
}


def _document_transport_problems(doc: dict[str, Any], method: str) -> None:
    """Document what `core.http` and `core.errors` answer before or around any view: body
    problems on operations that take a body, and 503 when the database cannot be reached."""
    responses = doc.setdefault("responses", {})
    if method.upper() in ("POST", "PUT", "PATCH") and doc.get("requestBody"):
        for status, description in BODY_PROBLEMS.items():
            existing = responses.get(status)
            if isinstance(existing, dict) and "`" in existing.get("description", ""):
                continue  # the operation documents its own codes for this status
            responses[status] = {
                "description": description,
                "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}},
            }
    if method.upper() == "GET":  # core.etags: every JSON GET has an ETag and answers 304
        responses.setdefault(304, "NOT_MODIFIED")
        parameters = doc.setdefault("parameters", [])
        if "IF_NONE_MATCH" not in parameters:
            parameters.append(dict(IF_NONE_MATCH_PARAMETER))
    unavailable = dict(UNAVAILABLE_PROBLEM)
    if method.upper() in WRITE_METHODS:  # SQLite's write lock past its busy timeout
        unavailable["description"] = (
            "Service Unavailable. Codes: `service_unavailable` (the database cannot be "
            "reached), `database_busy` (the database was busy with other writes); retry after "
            "`Retry-After` seconds."
        )
    responses.setdefault(503, unavailable)


def _is_problem_doc(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("content_type") == PROBLEM_MIMETYPE


def add_doc_info(func: Any, key: str, value: Any) -> Any:
    """Attach extra documentation info read by `Blueprint._prepare_deltacrown_doc`."""
    func._apidoc = deepcopy(getattr(func, "_apidoc", {}))
    existing = func._apidoc.get(key)
    if isinstance(existing, list) and isinstance(value, list):
        func._apidoc[key] = existing + value
    else:
        func._apidoc[key] = value
    return func
