"""Sharing's request and response shapes."""

from __future__ import annotations

import marshmallow as ma

from deltacrown.core.api import BaseSchema


class ShareArgs(BaseSchema):
    invite_code = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "Lets a non-organizer see a private tournament"},
    )


class ShareSchema(BaseSchema):
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    image_url = ma.fields.String(required=True, metadata={"description": "The 1200x630 card"})
    canonical_url = ma.fields.String(required=True)
    indexable = ma.fields.Boolean(
        required=True, metadata={"description": "False for unlisted and private tournaments"}
    )
    open_graph = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"description": "`<meta property=...>` tags for the page's head"},
    )  # fmt: skip
    twitter = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"description": "`<meta name=...>` tags for X/Twitter cards"},
    )  # fmt: skip
