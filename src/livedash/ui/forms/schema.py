"""Turn a workflow's pydantic JSON schema into a tree of form fields (pure, no Panel).

:func:`describe_fields` walks ``json_schema["properties"]`` and returns one
:class:`FieldSpec` per parameter, resolving what pydantic emits:

- ``$ref`` into ``$defs`` (and the older ``allOf: [{"$ref": ...}]`` wrapping); keywords
  beside the ``$ref`` (``title``, ``description``, ``default``) win over the target's;
- ``anyOf``/``oneOf`` of one schema and ``{"type": "null"}`` (``Optional[...]``), and
  ``"type": [T, "null"]``: the field is ``nullable``;
- ``enum`` becomes a choice; pydantic's extra keyword ``labels`` names the values to
  offer and how to show them (``TOAOnlyCoordinateModeSettings`` lists ``wavelength`` in
  its enum but only ``toa`` in its labels, and the backend refuses ``wavelength``);
- ``boolean``, ``integer``, ``number`` and ``string`` become scalar fields, with
  ``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum`` kept for display;
- an ``object`` with ``properties`` becomes a titled group of its fields.

Anything else (arrays, unions of several types, free-form objects, nullable objects,
unresolvable references, cycles) becomes a :attr:`FieldKind.JSON` field that the form
edits as JSON text: an unknown construct never stops the form from being built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_DEPTH = 6
_SCALAR_KINDS = {"boolean": "boolean", "integer": "integer", "number": "number", "string": "string"}


class FieldKind(StrEnum):
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    STRING = "string"
    ENUM = "enum"
    GROUP = "group"
    JSON = "json"


@dataclass(frozen=True)
class Choice:
    """One value an enum field offers, and its display label."""

    value: Any
    label: str


@dataclass(frozen=True)
class FieldSpec:
    """One form field: where its value lives in the payload and how to edit it."""

    path: tuple[str, ...]
    kind: FieldKind
    title: str
    description: str = ""
    nullable: bool = False
    schema_default: Any = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    children: tuple[FieldSpec, ...] = ()

    @property
    def name(self) -> str:
        return self.path[-1]

    def bounds_text(self) -> str:
        """The numeric bounds in words (``"1 to 10000"``, ``"> 0"``), or ``""``."""
        low = _bound(">=", self.minimum) or _bound(">", self.exclusive_minimum)
        high = _bound("<=", self.maximum) or _bound("<", self.exclusive_maximum)
        if self.minimum is not None and self.maximum is not None:
            return f"{_number(self.minimum)} to {_number(self.maximum)}"
        return ", ".join(part for part in (low, high) if part)

    def leaves(self) -> list[FieldSpec]:
        """This field if it is not a group, else the leaves of its children, in order."""
        if self.kind is not FieldKind.GROUP:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


def describe_fields(schema: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    """The form fields of a params model's JSON schema, in schema order."""
    defs = schema.get("$defs", {})
    walker = _Walker(defs if isinstance(defs, Mapping) else {})
    return walker.properties(schema, path=(), depth=0)


def display_order(fields: Sequence[FieldSpec]) -> list[FieldSpec]:
    """Fields in schema order, except that a field named ``unit`` follows the numbers.

    Shows ``start, stop, unit, enabled`` rather than ``start, stop, enabled, unit``: the
    unit belongs with the values it qualifies.
    """
    ordered = list(fields)
    units = [f for f in ordered if f.name == "unit" and f.kind is not FieldKind.GROUP]
    if len(units) != 1 or not any(f.kind in _NUMERIC for f in ordered):
        return ordered
    unit = units[0]
    ordered.remove(unit)
    last_number = max(i for i, f in enumerate(ordered) if f.kind in _NUMERIC)
    ordered.insert(last_number + 1, unit)
    return ordered


def humanize(name: str) -> str:
    """``"num_bins"`` -> ``"Num bins"``: a title for a field the schema left untitled."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


_NUMERIC = (FieldKind.NUMBER, FieldKind.INTEGER)


class _Walker:
    def __init__(self, defs: Mapping[str, Any]) -> None:
        self._defs = defs

    def properties(
        self, node: Mapping[str, Any], *, path: tuple[str, ...], depth: int
    ) -> tuple[FieldSpec, ...]:
        properties = node.get("properties", {})
        if not isinstance(properties, Mapping):
            return ()
        return tuple(
            self.field(prop, path=(*path, str(name)), depth=depth)
            for name, prop in properties.items()
        )

    def field(self, prop: Any, *, path: tuple[str, ...], depth: int) -> FieldSpec:
        own = prop if isinstance(prop, Mapping) else {}
        title = str(own.get("title") or humanize(path[-1]))
        node, nullable, refs_ok = self._resolve(own)
        description = str(own.get("description") or node.get("description") or "")
        base = {
            "path": path,
            "title": title,
            "description": description,
            "nullable": nullable,
            "schema_default": own.get("default", node.get("default")),
        }
        if not refs_ok or depth > MAX_DEPTH:
            return FieldSpec(kind=FieldKind.JSON, **base)
        choices = _choices(node)
        if choices is not None:
            return FieldSpec(kind=FieldKind.ENUM, choices=choices, **base)
        kind = node.get("type")
        if kind in _SCALAR_KINDS:
            return FieldSpec(kind=FieldKind(_SCALAR_KINDS[kind]), **base, **_bounds(node))
        if kind == "object" and node.get("properties") and not nullable:
            children = self.properties(node, path=path, depth=depth + 1)
            return FieldSpec(kind=FieldKind.GROUP, children=children, **base)
        return FieldSpec(kind=FieldKind.JSON, **base)

    def _resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool, bool]:
        """Follow references and unwrap Optional; (node, nullable, resolved cleanly)."""
        nullable = False
        seen: set[str] = set()
        current: Mapping[str, Any] = node
        for _ in range(MAX_DEPTH * 2):
            current, became_nullable = _unwrap_optional(current)
            nullable = nullable or became_nullable
            wrapped = current.get("allOf")
            if isinstance(wrapped, list) and len(wrapped) == 1 and "$ref" not in current:
                siblings = {k: v for k, v in current.items() if k != "allOf"}
                current = {**siblings, **wrapped[0]} if isinstance(wrapped[0], Mapping) else {}
                continue
            ref = current.get("$ref")
            if ref is None:
                return current, nullable, True
            target = self._lookup(ref)
            if target is None or ref in seen:
                return current, nullable, False
            seen.add(ref)
            siblings = {k: v for k, v in current.items() if k != "$ref"}
            current = {**target, **siblings}
        return current, nullable, False

    def _lookup(self, ref: Any) -> Mapping[str, Any] | None:
        prefix = "#/$defs/"
        if not isinstance(ref, str) or not ref.startswith(prefix):
            return None
        target = self._defs.get(ref[len(prefix) :])
        return target if isinstance(target, Mapping) else None


def _unwrap_optional(node: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        if len(rest) == 1:
            return {**node, "type": rest[0]}, True
        return node, False
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if not isinstance(options, list):
            continue
        rest = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
        if len(rest) == 1 and len(options) == 2 and isinstance(rest[0], Mapping):
            siblings = {k: v for k, v in node.items() if k != key}
            return {**rest[0], **siblings}, True
    return node, False


def _choices(node: Mapping[str, Any]) -> tuple[Choice, ...] | None:
    values = node.get("enum")
    if values is None and "const" in node:
        values = [node["const"]]
    if not isinstance(values, list) or not values:
        return None
    if not all(v is None or isinstance(v, str | int | float | bool) for v in values):
        return None
    labels = node.get("labels")
    if isinstance(labels, Mapping) and labels:
        offered = [v for v in values if str(v) in labels]
        return tuple(Choice(value=v, label=str(labels[str(v)])) for v in offered) or None
    return tuple(Choice(value=v, label=str(v)) for v in values)


def _bounds(node: Mapping[str, Any]) -> dict[str, float | None]:
    def number(key: str) -> float | None:
        value = node.get(key)
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    return {
        "minimum": number("minimum"),
        "maximum": number("maximum"),
        "exclusive_minimum": number("exclusiveMinimum"),
        "exclusive_maximum": number("exclusiveMaximum"),
    }


def _bound(op: str, value: float | None) -> str:
    return "" if value is None else f"{op} {_number(value)}"


def _number(value: float) -> str:
    return f"{value:g}"
