"""Faster Bokeh serialization of models, with the same output (ADR 0014).

Serializing a model (``Document.to_json`` for a new page, every ``PATCH-DOC`` that adds
models) asks each model for the properties that differ from their defaults:
``HasProps.query_properties_with_values(..., include_defaults=False)``. Bokeh 3 computes
the default of *every* property of the model there, and then drops the ones that were
never set: about 100 properties per model, each default built by walking the class's
MRO for overrides, copied and validated. That was the largest single cost of opening a
tab: a four-plot page has about 300 models and took some 300 ms of one core to
serialize, on the IOLoop every session of the worker shares.

Evaluating a default that is then dropped has only two effects, both fixed per class:

- a property with an *unstable* default (a list, dict or model made on demand) stores
  the default it made in ``_unstable_default_values``, which later serializations
  include;
- a property with no default at all (``Required``) raises ``UnsetValueError`` when it
  was never set.

:func:`install` replaces the method with one that evaluates, among the properties not
set on the model, only those two kinds (worked out once per class), and returns the
same dictionary with the same side effects; ``include_defaults=True`` calls go to
Bokeh's own method unchanged. It also caches each class's merged default overrides
(``HasProps._overridden_defaults``, recomputed from the MRO on every default lookup),
which Bokeh fixes when it creates the class and only reads afterwards.

Only Bokeh 3.x is patched (the versions whose method this reproduces); for any other
version :func:`install` leaves Bokeh alone and says so in the log.
``tests/ui/test_bokeh_speedups.py`` serializes real dashboard pages with and without the
patch and requires identical JSON.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import bokeh
import structlog
from bokeh.core.has_props import HasProps
from bokeh.core.property.descriptors import PropertyDescriptor, UnsetValueError
from bokeh.core.property.singletons import Undefined
from bokeh.core.property.wrappers import PropertyValueContainer

logger = structlog.get_logger(__name__)

_ORIGINAL_QUERY = HasProps.query_properties_with_values
_ORIGINAL_OVERRIDES = HasProps.__dict__["_overridden_defaults"]
_lock = threading.Lock()
_overrides: dict[type, Mapping[str, Any]] = {}
_eager: dict[type, frozenset[str]] = {}


def supported(version: str = bokeh.__version__) -> bool:
    """Whether this Bokeh version's method is the one :func:`install` reproduces."""
    return version.split(".", 1)[0] == "3"


def install() -> bool:
    """Patch Bokeh (idempotent, thread-safe); whether the patch is in place."""
    with _lock:
        if installed():
            return True
        if not supported():
            logger.warning("bokeh_speedups_skipped", bokeh=bokeh.__version__)
            return False
        HasProps._overridden_defaults = classmethod(_overridden_defaults)  # type: ignore[assignment,method-assign]
        HasProps.query_properties_with_values = _query_properties_with_values  # type: ignore[method-assign]
    logger.info("bokeh_speedups_installed", bokeh=bokeh.__version__)
    return True


def installed() -> bool:
    """Whether Bokeh runs the patched method now."""
    return HasProps.query_properties_with_values is _query_properties_with_values  # type: ignore[comparison-overlap]


def uninstall() -> None:
    """Put Bokeh's own methods back (for tests that compare both)."""
    with _lock:
        HasProps._overridden_defaults = _ORIGINAL_OVERRIDES  # type: ignore[method-assign]
        HasProps.query_properties_with_values = _ORIGINAL_QUERY  # type: ignore[method-assign]
        _overrides.clear()
        _eager.clear()


def _overridden_defaults(cls: type[HasProps]) -> Mapping[str, Any]:
    """``HasProps._overridden_defaults``, computed once per class (read-only)."""
    overrides = _overrides.get(cls)
    if overrides is None:
        merged: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            merged.update(getattr(klass, "__overridden_defaults__", {}))
        overrides = _overrides.setdefault(cls, MappingProxyType(merged))
    return overrides


def _eager_keys(cls: type[HasProps]) -> frozenset[str]:
    """The properties of ``cls`` whose default must be evaluated even when unset: an
    unstable default (stored on first use) or none at all (raises when unset)."""
    keys = _eager.get(cls)
    if keys is None:
        overrides = _overridden_defaults(cls)
        eager = set()
        for name, prop in cls.properties(_with_props=True).items():
            descriptor = cls.lookup(name)
            if not isinstance(descriptor, PropertyDescriptor):
                continue  # an alias: never serialized, no default of its own
            override = overrides.get(name, prop._default)
            unstable = prop._may_have_unstable_default() or descriptor.is_unstable(
                cls.__overridden_defaults__.get(name)
            )
            if unstable or override is Undefined:
                eager.add(name)
        keys = _eager.setdefault(cls, frozenset(eager))
    return keys


def _query_properties_with_values(
    self: HasProps,
    query: Callable[[Any], bool],
    *,
    include_defaults: bool = True,
    include_undefined: bool = False,
) -> dict[str, Any]:
    """Bokeh's ``HasProps.query_properties_with_values`` without evaluating defaults that
    are dropped anyway (see the module docstring). The loop is Bokeh's, statement for
    statement, but for the first ``continue`` (two of its nested ``if``s joined)."""
    if include_defaults:
        return _ORIGINAL_QUERY(
            self, query, include_defaults=True, include_undefined=include_undefined
        )
    themed_keys: set[str] = set()
    result: dict[str, Any] = {}
    keys = self.properties(_with_props=True)
    selected_keys = set(self._property_values.keys()) | set(self._unstable_default_values.keys())
    themed_values = self.themed_values()
    if themed_values is not None:
        themed_keys = set(themed_values.keys())
        selected_keys |= themed_keys
    eager = _eager_keys(type(self))

    for key in keys:
        if key not in selected_keys and key not in eager:
            continue  # its default would be computed, have no effect, and be dropped
        descriptor = self.lookup(key)
        if not query(descriptor):
            continue
        try:
            value = descriptor.get_value(self)
        except UnsetValueError:
            if include_undefined:
                value = Undefined
            else:
                raise
        else:
            if key not in selected_keys:
                continue
            if (
                key not in themed_keys
                and isinstance(value, PropertyValueContainer)
                and key in self._unstable_default_values
            ):
                continue
        result[key] = value
    return result
