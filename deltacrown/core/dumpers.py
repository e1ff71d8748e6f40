"""Compiled dumps: what `Schema.dump` returns, without marshmallow's per-value machinery.

Marshmallow dumps every value through five or six calls (`Field.serialize`, `get_value`, the
schema's accessor, `_serialize`, then the schema's post-dump hook over every field again): a
few microseconds a value, 17 ms of CPU for the 256-player bracket document and its 46,000
nested dumps, 2 ms for a page of 20 tournaments. `dump(schema, obj)` reads the schema's own
fields once and writes one plain Python function per schema (source text run through `exec`,
as `dataclasses` and `attrs` build their methods) that fetches and converts each value inline.
The schema stays the one description of the output and of the OpenAPI document: nothing here
names a field.

The output is what marshmallow 4 returns, key for key and value for value:

* values are read as `utils.get_value` reads them (a dict's key, else the attribute; dotted
  attributes and other indexable objects go through `get_value` itself); a missing value
  takes the field's `dump_default`, else the key is left out;
* `Raw`, `Boolean`, `String` (and `Url`, `Email`), `Integer`, `Float`, `Enum`, the date and
  time fields, `Dict`, `Nested`, `List`, `Method` and `Function` are converted inline by the
  same rules as their `_serialize`; a field of another type, or of a subclass that changes how
  it reads or converts a value, is dumped by its own `serialize`; a field may offer
  `dump_converter()` (a converter for one dump, e.g. `core.i18n.Label` translating each label
  once per answer);
* the UTC `Z` rule of `core.api.BaseSchema` (`utc_with_z`) is applied where its hook would;
  a schema with any other dump hook, its own accessor or its own `dump` is dumped by
  marshmallow (as a whole, or as the value of the field that nests it).

tests/core/test_dumpers.py compares the two on every field type and on real objects of each
shape the hot reads dump.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields as mf
from marshmallow import utils as mu
from marshmallow.decorators import POST_DUMP, PRE_DUMP

MISSING = ma.missing
# Marks a schema method whose post-dump hook is `utc_with_z` (see `utc_hook`).
_UTC_HOOK_MARK = "__deltacrown_utc_with_z__"
# Marks a `dump` override that only routes to this module (`core.api.BaseSchema.dump`).
_DUMP_MARK = "__deltacrown_compiled_dump__"
_COMPILED_ATTR = "_deltacrown_dumper"
_SEEN_ATTR = "_deltacrown_dumps"
# Nested schemas compiled into one dump at most; deeper ones are dumped by marshmallow.
MAX_SCHEMAS = 64


# ----- the UTC rule --------------------------------------------------------------------------
def is_utc_field(field: mf.Field) -> bool:
    """A datetime field (not a date) whose `+00:00` offset the API writes as `Z`."""
    return isinstance(field, mf.DateTime) and not isinstance(field, mf.Date)


def utc_with_z(dump_fields: dict[str, mf.Field], data: dict[str, Any]) -> dict[str, Any]:
    """Write `+00:00` as `Z` in the datetime values of one dumped object."""
    for name, field in dump_fields.items():
        if is_utc_field(field):
            key = field.data_key or name
            value = data.get(key)
            if isinstance(value, str) and value.endswith("+00:00"):
                data[key] = value[:-6] + "Z"
    return data


def utc_hook(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a schema's post-dump method as `utc_with_z` over its own fields, so a compiled dump
    applies the rule value by value instead of calling it."""
    setattr(method, _UTC_HOOK_MARK, True)
    return method


def routes_here(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a `Schema.dump` override that only calls `dump` below."""
    setattr(method, _DUMP_MARK, True)
    return method


# ----- dumping -------------------------------------------------------------------------------
class Compiled:
    """One schema's compiled dump: `one(obj, prepared)`, and what to prepare per dump."""

    def __init__(
        self, schema: ma.Schema, one: Callable[..., dict[str, Any]], preparers: list[Any]
    ) -> None:
        self.schema = schema
        self.one = one
        self.preparers = preparers

    def dump(self, obj: Any, many: bool) -> Any:
        prepared = [field.dump_converter() for field in self.preparers]
        if many:
            return [self.one(item, prepared) for item in obj]
        return self.one(obj, prepared)


# A schema instance is compiled at its second dump: compiling costs 1 to 15 ms, and a schema
# made for one call is not worth it (the views' schemas live as long as the process).
COMPILE_AFTER = 1


def dump(schema: ma.Schema, obj: Any, *, many: bool | None = None) -> Any:
    """`schema.dump(obj, many=many)`, compiled once the instance has dumped COMPILE_AFTER
    times."""
    many = schema.many if many is None else bool(many)
    compiled = schema.__dict__.get(_COMPILED_ATTR)
    if compiled is None:
        seen = schema.__dict__.get(_SEEN_ATTR, 0) + 1
        if seen <= COMPILE_AFTER:
            schema.__dict__[_SEEN_ATTR] = seen
            return ma.Schema.dump(schema, obj, many=many)
        compiled = schema.__dict__[_COMPILED_ATTR] = compile_schema(schema) or False
    if not isinstance(compiled, Compiled) or (many and obj is None):
        return ma.Schema.dump(schema, obj, many=many)
    return compiled.dump(obj, many)


def compile_schema(schema: ma.Schema) -> Compiled | None:
    """The schema's compiled dump, or None when marshmallow must dump it itself."""
    if not _inlinable(schema):
        return None
    writer = _Writer()
    name = writer.schema_function(schema)
    namespace = writer.run()
    return Compiled(schema, namespace[name], writer.preparers)


def _inlinable(schema: ma.Schema) -> bool:
    cls = type(schema)
    if cls.get_attribute is not ma.Schema.get_attribute:
        return False
    if cls._serialize is not ma.Schema._serialize or schema.dict_class is not dict:
        return False
    if cls.dump is not ma.Schema.dump and not getattr(cls.dump, _DUMP_MARK, False):
        return False
    if schema._hooks[PRE_DUMP]:
        return False
    for attr_name, pass_collection, kwargs in schema._hooks[POST_DUMP]:
        method = getattr(cls, attr_name, None)
        if (
            pass_collection
            or kwargs.get("pass_original")
            or not getattr(method, _UTC_HOOK_MARK, False)
        ):
            return False
    keys = [field.data_key or name for name, field in schema.dump_fields.items()]
    return len(keys) == len(set(keys))


def _overrides(field: mf.Field, base: type, *names: str) -> bool:
    cls = type(field)
    return any(getattr(cls, name) is not getattr(base, name) for name in names)


class _Writer:
    """Writes the source of one function per schema and runs it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "M": MISSING,
            "get_value": mu.get_value,
            "ensure_text": mu.ensure_text_type,
        }
        self.functions: dict[int, str] = {}
        self.preparers: list[Any] = []
        self.counter = itertools.count()

    def const(self, value: Any, prefix: str = "c") -> str:
        name = f"{prefix}{next(self.counter)}"
        self.namespace[name] = value
        return name

    def run(self) -> dict[str, Any]:
        source = "\n".join(self.lines) + "\n"
        exec(compile(source, "<deltacrown.core.dumpers>", "exec"), self.namespace)  # noqa: S102  # nosec B102 - our own source
        return self.namespace

    # ----- a schema: one function, three ways of reading values ----------------------------
    def schema_function(self, schema: ma.Schema) -> str:
        known = self.functions.get(id(schema))
        if known is not None:
            return known
        name = self.functions[id(schema)] = f"dump_{next(self.counter)}"
        self.const(schema, "schema")  # keeps id(schema) from being reused while compiling
        utc = bool(schema._hooks[POST_DUMP])
        accessor = self.const(schema.get_attribute, "accessor")
        bodies = {
            mode: [
                line
                for attr_name, field in schema.dump_fields.items()
                for line in self.field_lines(attr_name, field, mode, accessor, utc)
            ]
            for mode in ("dict", "attr", "item")
        }
        lines = [f"def {name}(obj, P):", "    out = {}", "    if obj.__class__ is dict:"]
        lines += ["        " + line for line in bodies["dict"]]
        lines += ['    elif not hasattr(obj, "__getitem__"):']
        lines += ["        " + line for line in bodies["attr"]]
        lines += ["    else:"]
        lines += ["        " + line for line in bodies["item"]]
        lines += ["    return out", ""]
        self.lines += lines
        return name

    def field_lines(
        self, attr_name: str, field: mf.Field, mode: str, accessor: str, utc: bool
    ) -> list[str]:
        key = repr(field.data_key if field.data_key is not None else attr_name)
        attr = repr(attr_name)
        z_rule = (
            ['    if isinstance(r, str) and r.endswith("+00:00"):', '        r = r[:-6] + "Z"']
            if utc and is_utc_field(field)
            else []
        )
        if _overrides(field, mf.Field, "serialize", "get_value"):
            return self.generic_lines(attr, key, field, accessor, z_rule)
        if not field._CHECK_ATTRIBUTE:
            value = self.unread_value(field, attr)
            if value is None:
                return self.generic_lines(attr, key, field, accessor, z_rule)
            return [f"r = {value}", "if r is not M:", *z_rule, f"    out[{key}] = r"]
        source = field.attribute if field.attribute is not None else attr_name
        lines = [f"v = {self.read(source, mode)}"]
        default = field.dump_default
        if default is not MISSING:
            default_name = self.const(default, "default")
            call = "()" if callable(default) else ""
            lines += ["if v is M:", f"    v = {default_name}{call}"]
        expression, may_miss = self.convert(field, "v", attr)
        lines += ["if v is not M:", f"    r = {expression}"]
        if may_miss:
            lines += [
                "    if r is not M:",
                *["    " + line for line in z_rule],
                f"        out[{key}] = r",
            ]
        else:
            lines += [*z_rule, f"    out[{key}] = r"]
        return lines

    def generic_lines(
        self, attr: str, key: str, field: mf.Field, accessor: str, z_rule: list[str]
    ) -> list[str]:
        name = self.const(field, "field")
        return [
            f"r = {name}.serialize({attr}, obj, accessor={accessor})",
            "if r is not M:",
            *z_rule,
            f"    out[{key}] = r",
        ]

    def read(self, source: str, mode: str) -> str:
        text = repr(source)
        if "." in source or mode == "item":
            return f"get_value(obj, {text}, M)"
        if mode == "attr":
            return f"getattr(obj, {text}, M)"
        if hasattr(dict, source):  # a dict without the key: marshmallow reads the attribute
            return f"obj.get({text}, M) if {text} in obj else getattr(obj, {text}, M)"
        return f"obj.get({text}, M)"

    def unread_value(self, field: mf.Field, attr: str) -> str | None:
        """Fields that read no attribute (`Method`, `Function`), as marshmallow calls them."""
        cls = type(field)
        if cls._serialize is mf.Method._serialize:
            method = field._serialize_method  # type: ignore[attr-defined]
            return "M" if method is None else f"{self.const(method, 'method')}(obj)"
        if cls._serialize is mf.Function._serialize and field.serialize_func is not None:  # type: ignore[attr-defined]
            return f"{self.const(field.serialize_func, 'function')}(obj)"  # type: ignore[attr-defined]
        return None

    # ----- converting one value ------------------------------------------------------------
    def convert(self, field: mf.Field, v: str, attr: str) -> tuple[str, bool]:
        """An expression of `v` equal to `field._serialize(v, attr, obj)`, and whether it may
        be `missing` (only a field's own `_serialize` may answer that)."""
        serialize = type(field)._serialize
        if hasattr(field, "dump_converter"):
            index = len(self.preparers)
            self.preparers.append(field)
            return f"P[{index}]({v})", True
        if serialize is mf.Field._serialize:  # Raw, Boolean
            return v, False
        if serialize is mf.String._serialize:
            return f"({v} if {v}.__class__ is str or {v} is None else ensure_text({v}))", False
        if serialize is mf.Number._serialize and not _overrides(field, mf.Number, "_format_num"):
            number = field.num_type  # type: ignore[attr-defined]
            if number in (int, float) and not field.as_string:  # type: ignore[attr-defined]
                kind = self.const(number, "number")
                return f"({v} if {v}.__class__ is {kind} or {v} is None else {kind}({v}))", False
        if serialize is mf._TemporalField._serialize:  # type: ignore[attr-defined]
            return self.temporal(field, v), False
        if serialize is mf.Enum._serialize:
            inner = field.field  # type: ignore[attr-defined]
            member = f"{v}.value" if field.by_value else f"{v}.name"  # type: ignore[attr-defined]
            if type(inner)._serialize is mf.Field._serialize:
                return f"(None if {v} is None else {member})", False
            if type(inner)._serialize is mf.String._serialize:
                return f"(None if {v} is None else ensure_text({member}))", False
        if serialize is mf.Mapping._serialize:
            if field.key_field is None and field.value_field is None:  # type: ignore[attr-defined]
                kind = self.const(field.mapping_type, "mapping")  # type: ignore[attr-defined]
                return f"(None if {v} is None else {kind}({v}))", False
        if serialize is mf.Nested._serialize:
            return self.nested(field, v), False
        if serialize is mf.List._serialize:
            item = f"x{next(self.counter)}"
            inner_expression, may_miss = self.convert(field.inner, item, attr)  # type: ignore[attr-defined]
            if not may_miss:
                return f"(None if {v} is None else [{inner_expression} for {item} in {v}])", False
        name = self.const(field, "field")
        return f"{name}._serialize({v}, {attr}, obj)", True

    def temporal(self, field: mf.Field, v: str) -> str:
        fmt = field.format or field.DEFAULT_FORMAT  # type: ignore[attr-defined]
        function = field.SERIALIZATION_FUNCS.get(fmt)  # type: ignore[attr-defined]
        if function is None:
            return f"(None if {v} is None else {v}.strftime({fmt!r}))"
        if function is dt.datetime.isoformat:
            # The method itself for a datetime (the same call without the lookup).
            iso = self.const(dt.datetime, "datetime")
            return (
                f"(None if {v} is None else {v}.isoformat() if {v}.__class__ is {iso} "
                f"else {self.const(function, 'format')}({v}))"
            )
        return f"(None if {v} is None else {self.const(function, 'format')}({v}))"

    def nested(self, field: mf.Field, v: str) -> str:
        schema = field.schema  # type: ignore[attr-defined]
        many = schema.many or field.many  # type: ignore[attr-defined]
        if len(self.functions) >= MAX_SCHEMAS or not _inlinable(schema):
            # A schema nesting itself makes a new instance at each level: marshmallow goes as
            # deep as the data does.
            name = self.const(schema, "schema")
            return f"(None if {v} is None else {name}.dump({v}, many={many!r}))"
        function = self.schema_function(schema)
        if many:
            item = f"y{next(self.counter)}"
            return f"(None if {v} is None else [{function}({item}, P) for {item} in {v}])"
        return f"(None if {v} is None else {function}({v}, P))"
