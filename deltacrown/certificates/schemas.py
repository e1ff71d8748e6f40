"""Certificates' request and response schemas."""

from __future__ import annotations

import marshmallow as ma

from deltacrown.certificates.models import CertificateType
from deltacrown.certificates.wording import LANGUAGES
from deltacrown.core.api import BaseSchema
from deltacrown.core.pagination import CursorArgs

TYPES = [t.value for t in CertificateType]


class GenerateArgs(BaseSchema):
    lang = ma.fields.String(
        validate=ma.validate.OneOf(LANGUAGES),
        metadata={"description": "Only this language (`en` or `bn`); both when absent."},
    )
    force_regenerate = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Draw existing certificates again; their codes stay the same."},
    )


class GenerateJobSchema(BaseSchema):
    job_id = ma.fields.String(metadata={"description": "The background job making them."})
    tournament_id = ma.fields.Integer()
    languages = ma.fields.List(ma.fields.String())
    force_regenerate = ma.fields.Boolean()
    participants = ma.fields.Integer(metadata={"description": "People owed a certificate."})


class DownloadArgs(BaseSchema):
    format = ma.fields.String(
        load_default="pdf",
        validate=ma.validate.OneOf(["pdf", "png"]),
        metadata={"description": "`pdf` (A4, print) or `png` (1920x1080, social media)."},
    )


class CertificateListArgs(CursorArgs):
    pass


class CertificateSchema(BaseSchema):
    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"description": "The verification code on the certificate."})
    tournament_id = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    certificate_type = ma.fields.Enum(CertificateType, by_value=True)
    placement = ma.fields.Integer(allow_none=True)
    language = ma.fields.String()
    drawn_language = ma.fields.String(
        metadata={"description": "The language the files show (English without a Bengali font)."}
    )
    participant_name = ma.fields.String()
    team_name = ma.fields.String(allow_none=True)
    tournament_name = ma.fields.String()
    game = ma.fields.String()
    pdf_sha256 = ma.fields.String()
    issued_at = ma.fields.DateTime()
    download_count = ma.fields.Integer()
    downloaded_at = ma.fields.DateTime(allow_none=True)
    revoked = ma.fields.Boolean()
    revoked_at = ma.fields.DateTime(allow_none=True)
    revoked_reason = ma.fields.String(allow_none=True)
    verify_url = ma.fields.String()


class VerificationSchema(BaseSchema):
    valid = ma.fields.Boolean(
        metadata={"description": "Genuine: neither revoked nor altered since it was made."}
    )
    code = ma.fields.String()
    certificate_type = ma.fields.String(validate=ma.validate.OneOf(TYPES))
    placement = ma.fields.Integer(allow_none=True)
    participant_name = ma.fields.String()
    team_name = ma.fields.String(allow_none=True)
    tournament_name = ma.fields.String()
    game = ma.fields.String()
    language = ma.fields.String()
    issued_at = ma.fields.DateTime()
    revoked = ma.fields.Boolean()
    revoked_reason = ma.fields.String(allow_none=True)
    tampered = ma.fields.Boolean(
        metadata={
            "description": "The stored PDF no longer matches the hash taken when it was made."
        }
    )


class CertificateRevokeArgs(BaseSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=500))
