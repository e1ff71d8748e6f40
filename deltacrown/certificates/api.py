"""Certificates API: a tournament's certificates, making them, mine, downloading one, the
public verification a QR code leads to, and staff revocation."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import current_app, send_file
from flask.views import MethodView

from deltacrown.certificates import queries, services
from deltacrown.certificates.errors import (
    CertificateAlreadyRevokedError,
    CertificateNotFoundError,
    CertificateRevokedError,
    TournamentNotCompletedError,
)
from deltacrown.certificates.models import Certificate
from deltacrown.certificates.schemas import (
    CertificateListArgs,
    CertificateRevokeArgs,
    CertificateSchema,
    DownloadArgs,
    GenerateArgs,
    GenerateJobSchema,
    VerificationSchema,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    InvalidCursorError,
    cursor_page,
    with_next_cursor,
)
from deltacrown.core.ratelimit import ip_key
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.storage import StoredFileNotFoundError
from deltacrown.core.transaction import after_commit
from deltacrown.extensions import limiter
from deltacrown.tournaments import policies
from deltacrown.tournaments.errors import TournamentNotFoundError
from deltacrown.tournaments.queries import get_visible_tournament

blp = Blueprint(
    "certificates",
    __name__,
    url_prefix="/api",
    description="Certificates of completed tournaments: PDF and PNG downloads, the public "
    "verification behind their QR codes, revocation by staff.",
    token_scopes=TokenScopes("tournaments:read", "tournaments:write"),
)

CODE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


def verify_limit() -> str:
    """Verifications per client address (config `CERTIFICATE_VERIFY_LIMIT`)."""
    return str(current_app.config.get("CERTIFICATE_VERIFY_LIMIT") or "60/minute")


def present(certificate: Certificate) -> Certificate:
    certificate.verify_url = services.verify_url(certificate.code)  # type: ignore[attr-defined]
    return certificate


def page(query: Any, args: dict[str, Any]) -> Any:
    items, cursor = cursor_page(query, Certificate.id, args)
    return with_next_cursor([present(c) for c in items], cursor)


@blp.route("/tournaments/<int:tournament_id>/certificates/")
class TournamentCertificates(MethodView):
    @login_required
    @blp.arguments(CertificateListArgs, location="query")
    @blp.response(200, CertificateSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(TournamentNotFoundError, InvalidCursorError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """The tournament's certificates, newest first: all of them for its organizers and
        staff, my own for anyone else. Follow `X-Next-Cursor`."""
        user = require_user()
        tournament = get_visible_tournament(tournament_id, user)
        mine = None if policies.can_manage(user, tournament) else user.id
        return page(queries.of_tournament(tournament_id, mine), args)


@blp.route("/tournaments/<int:tournament_id>/certificates/generate/")
class GenerateCertificates(MethodView):
    @login_required
    @blp.arguments(GenerateArgs)
    @blp.response(202, GenerateJobSchema)
    @blp.errors(TournamentNotFoundError, PermissionDeniedError, TournamentNotCompletedError)
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Make every participant's certificate (organizers and staff; completed tournaments
        only) in the background: in `lang`, or in English and Bengali. Existing ones are kept
        unless `force_regenerate`. Answers the job's id at once."""
        services.check_may_generate(tournament_id, actor=require_user())
        job_id = uuid.uuid4().hex
        kwargs = {
            "tournament_id": tournament_id,
            "language": args.get("lang"),
            "force_regenerate": args["force_regenerate"],
        }
        task = current_app.extensions["celery"].tasks[services.GENERATE_TASK]
        after_commit(task.apply_async, kwargs=kwargs, task_id=job_id)
        return {
            "job_id": job_id,
            "tournament_id": tournament_id,
            "languages": list(services.languages(args.get("lang"))),
            "force_regenerate": args["force_regenerate"],
            "participants": len(queries.recipients(tournament_id)),
        }


@blp.route("/me/certificates/")
class MyCertificates(MethodView):
    @login_required
    @blp.arguments(CertificateListArgs, location="query")
    @blp.response(200, CertificateSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """My certificates of every tournament, newest first; follow `X-Next-Cursor`."""
        return page(queries.of_user(require_user().id), args)


FILE_DOC = {
    "responses": {
        200: {
            "description": "The file, as an attachment with a readable name; `ETag` is the "
            "SHA-256 of the PDF as made.",
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@blp.route("/certificates/<int:certificate_id>/download/")
class DownloadCertificate(MethodView):
    @login_required
    @blp.arguments(DownloadArgs, location="query")
    @blp.doc(**FILE_DOC)
    @blp.errors(
        CertificateNotFoundError,
        PermissionDeniedError,
        CertificateRevokedError,
        StoredFileNotFoundError,
    )
    def get(self, args: dict[str, Any], certificate_id: int) -> Any:
        """Download a certificate as a PDF (A4 landscape, default) or a PNG (1920x1080): its
        owner, the tournament's organizers and staff. A revoked one answers 410 with the
        reason. Each download is counted."""
        file_format = args["format"]
        certificate, stream = services.download(certificate_id, file_format, actor=require_user())
        response = send_file(
            stream,
            mimetype=services.FORMATS[file_format],
            as_attachment=True,
            download_name=services.file_name(certificate, file_format),
            etag=f"{certificate.pdf_sha256}-{file_format}",
            conditional=True,
        )
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@blp.route("/certificates/verify/<code>/")
class VerifyCertificate(MethodView):
    decorators = [limiter.limit(verify_limit, key_func=ip_key)]

    @blp.response(200, VerificationSchema)
    @blp.errors(CertificateNotFoundError, 429)
    def get(self, code: str) -> Any:
        """Check a certificate by the code on it (where its QR code leads; no sign-in):
        `valid` unless staff revoked it (`revoked`, `revoked_reason`) or its stored PDF was
        altered (`tampered`). Unknown codes answer 404."""
        if not CODE.match(code):
            raise CertificateNotFoundError("No certificate has this code.")
        return services.verification(code)


@blp.route("/admin/certificates/<int:certificate_id>/revoke/")
class RevokeCertificate(MethodView):
    @login_required
    @blp.arguments(CertificateRevokeArgs)
    @blp.response(200, CertificateSchema)
    @blp.errors(CertificateNotFoundError, PermissionDeniedError, CertificateAlreadyRevokedError)
    def post(self, args: dict[str, Any], certificate_id: int) -> Any:
        """Staff: revoke a certificate with a reason (audited). It then verifies as invalid
        and cannot be downloaded; a new one can be made for the same person."""
        return present(services.revoke(certificate_id, args["reason"], actor=require_user()))
