"""Custom field logic without a database: every type and constraint of
`validate_field_value`, whole-registration `validate_answers`, and definition checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltacrown.tournaments.customfields import (
    FieldSpec,
    FieldValueError,
    bound_from_text,
    bound_to_json,
    bound_to_text,
    definition_errors,
    parse_bound,
    validate_answers,
    validate_field_value,
)
from deltacrown.tournaments.errors import InvalidAnswersError

F = FieldSpec.of


@pytest.mark.parametrize(
    ("field", "value", "cleaned"),
    [
        (F("nick", "text"), "  Phoenix  ", "Phoenix"),
        (F("nick", "text", min=3, max=5), "abc", "abc"),
        (F("nick", "text", min=3, max=5), "abcde", "abcde"),
        (F("riot", "text", regex=r"[^#]+#[A-Z0-9]{3,5}"), "Neo#EUW1", "Neo#EUW1"),
        (F("age", "number"), 17, 17),
        (F("age", "number", min=13, max=99), "21", 21),
        (F("rating", "number", min="0.5", max="10.5"), 7.25, 7.25),
        (F("rating", "number", min=-5), -5, -5),
        (F("role", "dropdown", choices=["IGL", "Entry"]), "IGL", "IGL"),
        (F("rules", "checkbox"), False, False),
        (F("rules", "checkbox", required=True), True, True),
        (F("site", "url"), "https://example.com/me", "https://example.com/me"),
        (F("site", "url"), "http://localhost:8080", "http://localhost:8080"),
        (F("born", "date"), "2005-02-28", "2005-02-28"),
        (F("born", "date", min="2000-01-01", max="2010-12-31"), "2000-01-01", "2000-01-01"),
    ],
)
def test_valid_values_are_cleaned(field, value, cleaned):
    assert validate_field_value(field, value) == cleaned


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (F("nick", "text"), 42, "Must be text."),
        (F("nick", "text", min=3), "ab", "At least 3 characters."),
        (F("nick", "text", max=5), "abcdef", "At most 5 characters."),
        (F("nick", "text"), "x" * 2001, "At most 2000 characters."),
        (
            F("riot", "text", regex=r"[^#]+#[A-Z0-9]{3,5}"),
            "Neo",
            "Does not have the expected format.",
        ),
        (
            F("riot", "text", regex=r"\d+"),
            "12a",
            "Does not have the expected format.",
        ),  # full match
        (F("age", "number"), "twelve", "Must be a number."),
        (F("age", "number"), True, "Must be a number."),
        (F("age", "number"), float("nan"), "Must be a finite number."),
        (F("age", "number", min=13), 12, "At least 13."),
        (F("age", "number", max=99), 99.5, "At most 99."),
        (F("role", "dropdown", choices=["IGL", "Entry"]), "Support", "Choose one of: IGL, Entry."),
        (F("role", "dropdown", choices=["IGL"]), ["IGL"], "Choose one of: IGL."),
        (F("rules", "checkbox"), "yes", "Must be true or false."),
        (F("rules", "checkbox", required=True), False, "Must be ticked."),
        (F("site", "url"), "ftp://example.com", "Must be an http or https URL."),
        (F("site", "url"), "https://", "Must be an http or https URL."),
        (F("site", "url"), "https://exa mple.com", "Must be an http or https URL."),
        (F("born", "date"), "28/02/2005", "Must be a date as YYYY-MM-DD."),
        (F("born", "date"), "2005-02-30", "Must be a date as YYYY-MM-DD."),
        (F("born", "date"), 20050228, "Must be a date as YYYY-MM-DD."),
        (F("born", "date", min="2000-01-01"), "1999-12-31", "On or after 2000-01-01."),
        (F("born", "date", max="2010-12-31"), "2011-01-01", "On or before 2010-12-31."),
    ],
)
def test_invalid_values_are_refused_with_a_message(field, value, message):
    with pytest.raises(FieldValueError) as info:
        validate_field_value(field, value)
    assert str(info.value) == message


@pytest.mark.parametrize("field_type", ["text", "number", "dropdown", "checkbox", "url", "date"])
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_answers(field_type, empty):
    choices = ["A"] if field_type == "dropdown" else None
    optional = F("k", field_type, choices=choices)
    required = F("k", field_type, choices=choices, required=True)
    assert validate_field_value(optional, empty) is None
    with pytest.raises(FieldValueError, match="required"):
        validate_field_value(required, empty)


FIELDS = [
    F("discord", "text", required=True, max=40),
    F("rank", "dropdown", choices=["Iron", "Gold", "Radiant"]),
    F("age", "number", min=13),
    F("rules", "checkbox", required=True),
]


def test_validate_answers_returns_the_cleaned_answers():
    cleaned = validate_answers(FIELDS, {"discord": " neo#1 ", "age": "20", "rules": True})
    assert cleaned == {"discord": "neo#1", "age": 20, "rules": True}


def test_validate_answers_reports_unknown_missing_and_invalid_by_key():
    with pytest.raises(InvalidAnswersError) as info:
        validate_answers(FIELDS, {"rank": "Platinum", "age": 9, "nickname": "x"})
    error = info.value
    assert (error.status, error.code) == (422, "invalid_answers")
    assert error.errors == {
        "nickname": ["Unknown field."],
        "discord": ["This field is required."],
        "rank": ["Choose one of: Iron, Gold, Radiant."],
        "age": ["At least 13."],
        "rules": ["This field is required."],
    }


def test_validate_answers_needs_an_object():
    with pytest.raises(InvalidAnswersError) as info:
        validate_answers(FIELDS, ["discord"])
    assert info.value.errors == {"answers": ["Must be an object."]}
    assert validate_answers([], None) == {}


# ----- definitions ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"field_type": "text", "min_value": 2, "max_value": 10, "regex": "[a-z]+"}, set()),
        ({"field_type": "number", "min_value": -1.5, "max_value": "99"}, set()),
        ({"field_type": "date", "min_value": "2000-01-01"}, set()),
        ({"field_type": "dropdown", "choices": ["A", "B"]}, set()),
        ({"field_type": "checkbox"}, set()),
        ({"field_type": "url"}, set()),
        ({"field_type": "color"}, {"type"}),
        ({"field_type": "text", "min_value": -1}, {"min"}),
        ({"field_type": "text", "min_value": 2.5}, {"min"}),
        ({"field_type": "text", "min_value": 5, "max_value": 2}, {"max"}),
        ({"field_type": "number", "min_value": "ten"}, {"min"}),
        ({"field_type": "date", "max_value": "tomorrow"}, {"max"}),
        ({"field_type": "date", "min_value": "2010-01-01", "max_value": "2000-01-01"}, {"max"}),
        ({"field_type": "checkbox", "min_value": 1}, {"min"}),
        ({"field_type": "url", "max_value": 100}, {"max"}),
        ({"field_type": "text", "regex": "(unclosed"}, {"regex"}),
        ({"field_type": "text", "regex": "a" * 201}, {"regex"}),
        ({"field_type": "number", "regex": "\\d+"}, {"regex"}),
        ({"field_type": "dropdown"}, {"choices"}),
        ({"field_type": "dropdown", "choices": []}, {"choices"}),
        ({"field_type": "dropdown", "choices": ["A", "A"]}, {"choices"}),
        ({"field_type": "dropdown", "choices": ["A", " "]}, {"choices"}),
        ({"field_type": "text", "choices": ["A"]}, {"choices"}),
    ],
)
def test_field_definitions(kwargs, bad):
    assert set(definition_errors(**kwargs)) == bad


@pytest.mark.parametrize(
    ("field_type", "raw", "text", "json"),
    [
        ("text", 12, "12", 12),
        ("number", 2.5, "2.5", 2.5),
        ("number", "7", "7", 7),
        ("date", "2001-09-09", "2001-09-09", "2001-09-09"),
    ],
)
def test_bounds_round_trip_through_storage(field_type, raw, text, json):
    parsed = parse_bound(field_type, raw)
    assert bound_to_text(parsed) == text
    assert bound_from_text(field_type, text) == parsed
    assert bound_to_json(parsed) == json


def test_number_bounds_compare_as_decimals():
    field = F("x", "number", max="0.3")
    assert validate_field_value(field, 0.3) == 0.3
    with pytest.raises(FieldValueError, match="At most 0.3"):
        validate_field_value(field, 0.1 + 0.2)  # 0.30000000000000004
    assert parse_bound("number", 0.3) == Decimal("0.3")


# ----- organizer patterns run on a linear-time engine (RE2) ----------------------------------
def test_a_catastrophic_pattern_rejects_a_hostile_answer_in_milliseconds():
    import time

    field = F("nick", "text", regex="(a+)+$")
    started = time.perf_counter()
    with pytest.raises(FieldValueError):
        validate_field_value(field, "a" * 30 + "!")  # 31 bytes: hours for a backtracking engine
    assert time.perf_counter() - started < 0.5
    assert validate_field_value(field, "aaaa") == "aaaa"


@pytest.mark.parametrize(
    "pattern",
    [r"(a)\1", r"(?=a)b", r"(?<!x)y", "a{1001}", "((a{100}){100}){100}", "(unclosed"],
)
def test_patterns_the_linear_engine_cannot_run_are_refused(pattern):
    assert set(definition_errors(field_type="text", regex=pattern)) == {"regex"}


def test_patterns_are_matched_against_the_whole_answer():
    field = F("tag", "text", regex=r"[A-Z]{3}")
    assert validate_field_value(field, "ABC") == "ABC"
    with pytest.raises(FieldValueError):
        validate_field_value(field, "ABCD")
