"""Forms of the staff admin: `StaffForm`, the base of every admin form (Flask-Admin's model
forms and the desks' own), and `id_field` for a field naming a row.

`StaffForm` is Flask-Admin's `SecureForm` (a CSRF token) that also refuses, field by field,
text carrying a control character other than tab and line breaks: NUL among them, which a
PostgreSQL text column cannot hold (the API refuses the same with `core.inputs`)."""

from __future__ import annotations

from typing import Any

from flask_admin.form import SecureForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from deltacrown.core.inputs import CONTROL_MESSAGE, INT32_MAX, has_control_characters


class StaffForm(SecureForm):
    def validate(self, extra_validators: Any = None) -> bool:
        # Before the validators: some query the database with the value (a unique column's).
        dirty = [f for f in self if isinstance(f.data, str) and has_control_characters(f.data)]
        for field in dirty:
            field.errors = [CONTROL_MESSAGE]
        if dirty:
            return False
        valid: bool = super().validate(extra_validators)
        return valid


def id_field(label: str) -> IntegerField:
    """A form field for a row's id: an integer an INTEGER column holds (1 to 2^31 - 1), so a
    larger one is the form's error instead of a value the database cannot take."""
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=1, max=INT32_MAX)])
