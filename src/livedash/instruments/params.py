"""A workflow's parameters: the pydantic JSON schema, the default payload, and validation.

The backend validates a ``WorkflowConfig``'s ``params`` with the workflow's pydantic model.
livedash has no access to that model, only to its ``model_json_schema()`` and its
``Model().model_dump(mode="json")``, so it validates with :mod:`jsonschema` against the
schema instead, and sends the recorded default (never the ``$defs`` defaults, which can
differ from a field's default) as the starting point of every payload.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError, ValidationError, best_match
from jsonschema.protocols import Validator
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

Extra = Literal["forbid", "ignore", "allow"]


class ParamsSpec(BaseModel):
    """The params model of one workflow, as data.

    ``extra`` is the pydantic ``extra`` setting of the top-level model: with ``"forbid"``
    a payload key the schema does not declare is an error (``NoParams`` accepts only
    ``{}``); with ``"ignore"`` the backend drops such keys silently, so they pass here too.

    ``json_schema`` and ``default`` are shared by every user of the cached instrument:
    treat them as read-only and use :meth:`default_payload` or :meth:`merge_with_default`
    to get a payload to change.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_name: str
    extra: Extra
    json_schema: dict[str, Any]
    default: dict[str, Any]

    _validator: Validator = PrivateAttr()

    @model_validator(mode="after")
    def _build_validator(self) -> ParamsSpec:
        schema = dict(self.json_schema)
        if self.extra == "forbid":
            # pydantic emits this for forbid models already; set it so the two cannot disagree.
            schema["additionalProperties"] = False
        validator_class = validators.validator_for(schema, default=Draft202012Validator)
        try:
            validator_class.check_schema(schema)
        except SchemaError as err:
            location = _format_path(err.absolute_path)
            raise ValueError(
                f"json_schema is not a valid JSON schema at {location}: {err.message}"
            ) from None
        self._validator = validator_class(schema)
        problems = self.validate(self.default)
        if problems:
            raise ValueError("default does not satisfy json_schema: " + "; ".join(problems))
        return self

    def validate(self, payload: Any) -> list[str]:  # type: ignore[override]
        """Check ``payload`` against the schema; one message per problem, empty when valid.

        Each message starts with the JSON path of the offending value, for example
        ``toa_edges.num_bins: -1 is less than the minimum of 1``; a problem with the
        payload as a whole is reported at ``<root>``.
        """
        return [_describe(error) for error in self._validator.iter_errors(payload)]

    def default_payload(self) -> dict[str, Any]:
        """A fresh deep copy of the recorded default payload (what an untouched form sends)."""
        return copy.deepcopy(self.default)

    def merge_with_default(self, partial: Mapping[str, Any]) -> dict[str, Any]:
        """Deep-merge ``partial`` (the user's changes) over the default payload.

        Nested objects merge key by key; any other value in ``partial`` (including a list
        or ``None``) replaces the default's value. The result is not validated: pass it
        to :meth:`validate`.
        """
        if not isinstance(partial, Mapping):
            raise ValueError(f"partial params must be a mapping, got {partial!r}")
        return _deep_merge(self.default, partial)

    def field_titles(self) -> dict[str, str]:
        """Display title of each top-level parameter, in schema order (name if untitled)."""
        properties = self.json_schema.get("properties", {})
        return {name: prop.get("title", name) for name, prop in properties.items()}


def _deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in changes.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _describe(error: ValidationError) -> str:
    # anyOf/oneOf (e.g. optional fields) report "is not valid under any of the given
    # schemas". The branch whose type matched says what is actually wrong; only when no
    # branch matched the type is a type mismatch the relevant message.
    if error.context:
        typed = [sub for sub in error.context if sub.validator != "type"]
        error = best_match(typed or error.context)
    return f"{_format_path(error.absolute_path)}: {error.message}"


def _format_path(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"
