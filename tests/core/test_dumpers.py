"""Compiled dumps (`core.dumpers`) return what marshmallow's `Schema.dump` returns: every field
type and option, read from objects, dicts and indexable rows, with the UTC `Z` rule; schemas
the compiler cannot follow are dumped by marshmallow itself. The hot reads' real documents are
compared in tests/brackets_api/test_compiled_dumps.py."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import ipaddress
import json
import uuid
from collections import namedtuple
from types import SimpleNamespace
from typing import Any

import marshmallow as ma
import pytest

from deltacrown.core import dumpers
from deltacrown.core.api import BaseSchema
from deltacrown.core.i18n import Label

UTC = dt.UTC
DHAKA = dt.timezone(dt.timedelta(hours=6))


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 2


class Word(enum.StrEnum):
    ONE = "one"


class Tag(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    at = ma.fields.AwareDateTime(format="iso", allow_none=True)


class Everything(BaseSchema):
    raw = ma.fields.Raw()
    flag = ma.fields.Boolean()
    text = ma.fields.String(allow_none=True)
    url = ma.fields.Url()
    count = ma.fields.Integer()
    ratio = ma.fields.Float()
    money = ma.fields.Decimal(places=2, as_string=True)
    count_text = ma.fields.Integer(as_string=True)
    colour = ma.fields.Enum(Colour, by_value=True)
    colour_name = ma.fields.Enum(Colour, attribute="colour", dump_only=True)
    size = ma.fields.Enum(Size, by_value=ma.fields.Integer)
    colour_label = Label({Colour.RED: "Red"}, attribute="colour")
    at = ma.fields.AwareDateTime(format="iso")
    naive = ma.fields.NaiveDateTime()
    plain = ma.fields.DateTime(allow_none=True)
    rfc = ma.fields.DateTime(format="rfc")
    stamp = ma.fields.DateTime(format="timestamp")
    custom = ma.fields.DateTime(format="%Y/%m/%d %H:%M")
    day = ma.fields.Date()
    hour = ma.fields.Time()
    settings = ma.fields.Dict(allow_none=True)
    scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    tag = ma.fields.Nested(Tag, allow_none=True)
    tags = ma.fields.List(ma.fields.Nested(Tag))
    tag_names = ma.fields.List(
        ma.fields.Nested(Tag, only=("name",)), attribute="tags", dump_only=True
    )
    many_tags = ma.fields.Nested(Tag, many=True, exclude=("at",), attribute="tags", dump_only=True)
    first_tag = ma.fields.Pluck(Tag, "name", attribute="tag", dump_only=True)
    grid = ma.fields.List(ma.fields.List(ma.fields.Integer()))
    labels = ma.fields.List(Label({Colour.BLUE: "Blue"}))
    nested_name = ma.fields.String(attribute="tag.name", dump_only=True)
    renamed = ma.fields.Integer(data_key="renamedKey", attribute="count", dump_only=True)
    defaulted = ma.fields.Integer(dump_default=7)
    made = ma.fields.List(ma.fields.String(), dump_default=list)
    items = ma.fields.String()  # a name dicts have as an attribute
    method = ma.fields.Method("shout")
    function = ma.fields.Function(lambda obj: "fn:" + str(_get(obj, "count")))
    constant = ma.fields.Constant("always")
    tuple_field = ma.fields.Tuple((ma.fields.String(), ma.fields.Integer()))
    ip = ma.fields.IP()
    uid = ma.fields.UUID()

    def shout(self, obj: Any) -> str:
        return str(_get(obj, "text")).upper()


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def full_values(**changes: Any) -> dict[str, Any]:
    tag = SimpleNamespace(id=1, name="one", at=dt.datetime(2026, 5, 1, 10, tzinfo=UTC))
    values: dict[str, Any] = {
        "raw": {"any": [1, "thing"]},
        "flag": True,
        "text": "héllo",
        "url": "https://deltacrown.test/x",
        "count": 3,
        "ratio": 2,
        "money": decimal.Decimal("12.5"),
        "count_text": 4,
        "colour": Colour.RED,
        "size": Size.LARGE,
        "at": dt.datetime(2026, 5, 1, 10, 30, tzinfo=UTC),
        "naive": dt.datetime(2026, 5, 1, 10, 30),
        "plain": dt.datetime(2026, 5, 1, 10, 30, 15, 250, tzinfo=DHAKA),
        "rfc": dt.datetime(2026, 5, 1, 10, 30, tzinfo=UTC),
        "stamp": dt.datetime(2026, 5, 1, 10, 30, tzinfo=UTC),
        "custom": dt.datetime(2026, 5, 1, 10, 30, tzinfo=UTC),
        "day": dt.date(2026, 5, 1),
        "hour": dt.time(10, 30),
        "settings": {"best_of": 3, "nested": {"a": [1.5, None]}},
        "scores": {"a": 1, "b": 2.0},
        "tag": tag,
        "tags": [tag, {"id": 2, "name": "two", "at": None}],
        "grid": [[1, 2], [3, True]],
        "labels": [Colour.BLUE, Colour.RED, None],
        "items": "not the method",
        "tuple_field": ("a", 1),
        "ip": ipaddress.ip_address("127.0.0.1"),
        "uid": uuid.UUID("6d9c2f1e-3b7a-4c1d-9e2f-0a1b2c3d4e5f"),
    }
    values.update(changes)
    return values


Row = namedtuple("Row", ["count", "text"])


def sources(values: dict[str, Any]) -> list[Any]:
    """The same values as a dict, an object, and a dict subclass (read like an indexable)."""

    class Indexable(dict):  # type: ignore[type-arg]
        pass

    return [dict(values), SimpleNamespace(**values), Indexable(values)]


def compare(schema: ma.Schema, obj: Any, *, many: bool = False) -> Any:
    compiled = dumpers.compile_schema(schema)
    assert compiled is not None
    expected = ma.Schema.dump(schema, obj, many=many)
    got = compiled.dump(obj, many)
    # Same keys in the same order, same values and JSON types.
    assert json.dumps(got, default=repr) == json.dumps(expected, default=repr)
    assert got == expected
    return got


@pytest.mark.parametrize("source", sources(full_values()), ids=["dict", "object", "indexable"])
def test_every_field_type_dumps_as_marshmallow_does(source):
    got = compare(Everything(), source)
    assert got["at"] == "2026-05-01T10:30:00Z"  # the UTC rule
    assert got["plain"] == "2026-05-01T10:30:15.000250+06:00"
    assert got["renamedKey"] == 3 and got["defaulted"] == 7 and got["made"] == []


def test_none_values_and_missing_attributes_match():
    nones = {name: None for name in full_values()}
    for source in sources(nones):
        compare(Everything(), source)
    for source in ({}, SimpleNamespace(), {"count": 1}):  # absent keys are left out
        got = compare(Everything(), source)
        assert "text" not in got and got["defaulted"] == 7


def test_values_of_other_types_are_converted_alike():
    odd = full_values(count=True, ratio=3, text=b"bytes", flag="yes", colour_label=None)
    odd["text"] = Word.ONE
    for source in sources(odd):
        compare(Everything(), source)
    compare(Everything(), full_values(text=b"bytes", count=decimal.Decimal("4")))


def test_many_and_only_exclude_follow_the_schema_options():
    rows = [full_values(count=n) for n in range(3)]
    compare(Everything(many=True), rows, many=True)
    compare(Everything(), rows, many=True)
    compare(Everything(only=("count", "tag", "at")), rows[0])
    compare(Everything(exclude=("method", "tags")), SimpleNamespace(**rows[1]))
    assert compare(Tag(many=True), [], many=True) == []


def test_indexable_rows_are_read_as_marshmallow_reads_them():
    compare(Tag(), Row(count=1, text="x"))  # a namedtuple: indexing by name fails, then attributes
    compare(Tag(many=True), [Row(1, "a"), {"id": 1, "name": None}], many=True)


def test_the_public_dump_routes_opted_in_schemas_through_the_compiled_dump(monkeypatch):
    class Hot(Tag):
        compiled_dump = True

    schema = Hot()
    calls: list[Any] = []
    original = dumpers.Compiled.dump
    monkeypatch.setattr(
        dumpers.Compiled,
        "dump",
        lambda self, obj, many: calls.append(obj) or original(self, obj, many),
    )
    obj = {"id": 1, "name": "n", "at": dt.datetime(2026, 1, 1, tzinfo=UTC)}
    first, second = schema.dump(obj), schema.dump(obj)  # compiled from the second dump
    assert first == second == {"id": 1, "name": "n", "at": "2026-01-01T00:00:00Z"}
    assert calls == [obj]
    assert Tag().dump(obj) == first and not calls[1:]  # not opted in: marshmallow


class WithHook(Tag):
    @ma.post_dump
    def shout(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "name": str(data["name"]).upper()}


class PreHook(Tag):
    @ma.pre_dump
    def fill(self, obj: Any, **kwargs: Any) -> Any:
        return {**obj, "name": "filled"}


class OwnAccessor(BaseSchema):
    name = ma.fields.String()

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return f"<{attr}>"


class Outer(BaseSchema):
    hooked = ma.fields.Nested(WithHook)
    hooked_many = ma.fields.List(ma.fields.Nested(PreHook))
    accessor = ma.fields.Nested(OwnAccessor, many=True)


def test_schemas_with_their_own_hooks_or_accessors_are_dumped_by_marshmallow():
    for schema in (WithHook(), PreHook(), OwnAccessor()):
        assert dumpers.compile_schema(schema) is None
    tag = {"id": 1, "name": "n", "at": None}
    got = compare(Outer(), {"hooked": tag, "hooked_many": [tag], "accessor": [tag]})
    assert got["hooked"]["name"] == "N" and got["hooked_many"][0]["name"] == "filled"
    assert got["accessor"] == [{"name": "<name>"}]


class Tree(BaseSchema):
    name = ma.fields.String()
    children = ma.fields.List(ma.fields.Nested(lambda: Tree()))


def test_a_schema_nesting_itself_compiles():
    tree = {"name": "root", "children": [{"name": "leaf", "children": []}]}
    assert compare(Tree(), tree) == tree


def test_labels_are_translated_once_per_dump(monkeypatch):
    translated: list[Any] = []
    original = Label._serialize

    def counting(self: Label, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        translated.append(value)
        return original(self, value, attr, obj)

    monkeypatch.setattr(Label, "_serialize", counting)
    rows = [{"colour": Colour.RED}, {"colour": Colour.RED}, {"colour": "red"}]
    got = dumpers.compile_schema(Everything(only=("colour_label",), many=True))
    assert got is not None
    assert got.dump(rows, True) == [
        {"colour_label": "Red"},
        {"colour_label": "Red"},
        {"colour_label": "red"},
    ]
    assert translated == [Colour.RED, "red"]
