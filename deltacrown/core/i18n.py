"""Localisation with Flask-Babel: English (the source) and Bengali.

The language of a request is `?lang=` when it names one we have (`en`, `bn`), else the best
match of `Accept-Language`, else English. It localises:

* enum labels: schemas put a `*_label` field (`Label`) beside each stable code, e.g.
  `"status": "ongoing", "status_label": "চলমান"`; clients switch on the code and show the
  label;
* problem `title` (and `detail` when the catalogue has that exact sentence): `core.errors`
  passes them through `translate`.

Anything missing from the catalogue stays English. The catalogue is
`deltacrown/translations/bn/LC_MESSAGES/messages.po`; its compiled `messages.mo` is
committed beside it (tests/i18n checks the two agree). After editing the `.po`, run
`flask i18n compile`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click
import marshmallow as ma
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, current_app, has_request_context, request
from flask.cli import AppGroup
from flask_babel import Babel, get_locale, gettext, lazy_gettext
from werkzeug.datastructures import LanguageAccept

LANGUAGES = ("en", "bn")
DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANG_PARAMETER = {
    "in": "query",
    "name": "lang",
    "required": False,
    "schema": {"type": "string", "enum": list(LANGUAGES)},
    "description": "Language of labels and problem titles (else `Accept-Language`, else `en`).",
}

babel = Babel()
_ = lazy_gettext  # marks a label for the catalogue; resolved when it is dumped


def select_locale() -> str:
    """`?lang=`, else the best `Accept-Language` match, else English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return language_for(request.args.get("lang"), request.accept_languages)


def language_for(asked: str | None, accept: LanguageAccept) -> str:
    """The answer's language: `?lang=` when it names one we have, else the best match of
    `Accept-Language`, else English."""
    asked = (asked or "").strip().lower()
    if asked in LANGUAGES:
        return asked
    return accept.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def language() -> str:
    """The current request's language code."""
    if not has_request_context() or "babel" not in current_app.extensions:
        return DEFAULT_LANGUAGE
    return str(get_locale() or DEFAULT_LANGUAGE)


def translate(text: str | None) -> str | None:
    """`text` in the request's language when the catalogue has it, else as it is."""
    if not text or language() == DEFAULT_LANGUAGE:
        return text
    return str(gettext(text))


class Label(ma.fields.String):
    """The localised name of the enum value in `attribute` (dump only): put it beside the
    code, e.g. `status_label = Label(STATUS_LABELS, attribute="status")`."""

    def __init__(self, labels: Mapping[Any, Any], **kwargs: Any) -> None:
        kwargs.setdefault("dump_only", True)
        metadata = dict(kwargs.pop("metadata", {}))
        metadata.setdefault(
            "description", "The code's name in the request's language (`?lang=`, Accept-Language)"
        )
        super().__init__(metadata=metadata, **kwargs)
        self.labels = labels

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        label = self.labels.get(value)
        if label is None:
            return str(getattr(value, "value", value))
        return str(label)

    def dump_converter(self) -> Callable[[Any], str | None]:
        """`_serialize` for one dump (`core.dumpers`; one answer, one language): each label
        is translated once, not once per row."""
        done: dict[tuple[type, Any], str | None] = {}

        def convert(value: Any) -> str | None:
            key = (value.__class__, value)
            try:
                return done[key]
            except KeyError:
                label = done[key] = self._serialize(value, None, None)
                return label
            except TypeError:  # unhashable: not a code of ours, but answer as `_serialize`
                return self._serialize(value, None, None)

        return convert


def compile_catalogues(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every `messages.po` under `root` to the `messages.mo` beside it."""
    written = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as source:
            catalog = read_po(source)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo_path)
    return written


def _content_language(response: Response) -> Response:
    if request.path.startswith("/api/"):
        response.headers.setdefault("Content-Language", language())
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_content_language)


i18n_cli = AppGroup("i18n", help="Message catalogues of the API's languages (Flask-Babel).")


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile every messages.po under deltacrown/translations to its messages.mo."""
    for path in compile_catalogues():
        click.echo(f"compiled {path.relative_to(TRANSLATIONS.parent.parent)}")
