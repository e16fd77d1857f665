"""Plans, patients and regimens as validated, versioned JSON documents.

Needs the ``json`` extra (cattrs): ``pip install "ivig-core[json]"``.

A document is a JSON object with the model's fields plus an envelope:

* ``"schema"``: what the document holds (``"ivig_core.plan"``,
  ``"ivig_core.patient"``, ``"ivig_core.regimen"``);
* ``"version"``: the schema version (:data:`SCHEMA_VERSION`); a document of
  another version is refused, never guessed at;
* for a plan, ``"totals"``: the plan's calculated, dispensed and infused
  totals, recomputed and compared on load; ``"sources"``: every
  publication the plan cites, by ID of the project's bibliography
  (:mod:`ivig_core.sources`) with its kind, whether it is weak and its
  rendered citation (recomputed from the plan's source texts and compared on
  load); and ``"inputs"``: what the plan was planned from
  (:attr:`~ivig_core.plan.Plan.inputs`) with the catalogue and library
  versions, from which the loader plans it again and compares; for a plan
  made under a local protocol, ``inputs.protocols`` carries the protocol's
  text (and its formulary's) with their SHA-256, so it loads without the
  file.

Quantities carry their units as ``{"unit": "kg", "value": 70.0}``, with the
library's canonical unit symbols (``kg``, ``g``, ``mL``, ``g/kg``,
``mg/kg/min``, ``mL/h`` ...: :data:`UNIT_SYMBOLS`). Floats whose field names
carry their unit (``dispensed_g``, ``volume_ml``) are plain numbers. Dates
are ISO ``YYYY-MM-DD``. Sets are written sorted, and keys are sorted, so
equal values give byte-identical documents.

Loading validates everything: the JSON, the envelope, every field's type
(no ``"3"`` for 3, no ``true`` for 1), every unit, every model rule (the
same converters as the constructors), and, for a plan, that the daily
amounts still add up to the course and plan totals and agree with their
vials, and that planning it again from its inputs gives the same document.
Any failure raises :class:`DocumentError`, an
:class:`~ivig_core.InputError` whose ``field`` is the path of the bad field
(``infusions[3].dispensed_g``) and whose ``errors`` lists every problem
found; nothing half-loaded is returned.

Derived amounts are recomputed from the loaded values and compared within a
relative 1e-9 (1 µg on a 1 kg total): exact equality
of floats would depend on the order of summation, which differs between the
planner's routes (a split's shares against the course total) and between
Python versions (3.12's ``sum`` compensates rounding), and would reject
honest documents. Any change of clinical size is far above that slack.

Example:
    >>> from ivig_core import Patient
    >>> p = Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
    >>> text = patient_to_json(p)
    >>> print(text)  # doctest: +ELLIPSIS
    {
      "abo_group": null,
      "age": {
        "unit": "year",
        "value": 54.0
      },
      ...
      "schema": "ivig_core.patient",
      ...
      "version": 1,
      "weight": {
        "unit": "kg",
        "value": 92.0
      }
    }
    >>> patient_from_json(text) == p
    True
    >>> patient_from_json(text.replace('"kg"', '"stone"'))
    Traceback (most recent call last):
    ...
    ivig_core.errors.DocumentError: weight.unit: unknown unit 'stone'; allowed: ...

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import collections.abc
import contextvars
import datetime as dt
import enum
import functools
import hashlib
import hmac
import importlib
import json
import math
import re
import sys
import types
import typing
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar

import attrs
import pint

from ivig_core import units
from ivig_core._checks import exceeds, is_whole
from ivig_core.errors import DocumentError, InputError, IvigError
from ivig_core.findings import CODE_PATTERN, FindingCode
from ivig_core.io import require
from ivig_core.io.text import plan_sources
from ivig_core.patient import Patient
from ivig_core.plan import (
    TOTALS,
    Plan,
    PlanInputs,
    check_plan,
    check_totals,
    library_version,
    plan_totals,
)
from ivig_core.regimen import DaysChoice, Regimen
from ivig_core.safety import SafetyReport  # registers the codes documents name


if TYPE_CHECKING:
    import cattrs

    from ivig_core.infusion import InfusionRun
    from ivig_core.plan import Infusion, ProtocolRef
    from ivig_core.products import Catalogue, Product
    from ivig_core.protocol import Protocol


__all__ = [
    "SCHEMA_VERSION",
    "UNIT_SYMBOLS",
    "check_runs",
    "patient_from_json",
    "patient_to_json",
    "plan_from_json",
    "plan_json_schema",
    "plan_schema_text",
    "plan_to_json",
    "regimen_from_json",
    "regimen_to_json",
    "report_from_json",
    "report_to_json",
    "seal_plan",
    "verify_seal",
]

#: The shortest key a seal accepts: 16 bytes (128 bits), NIST SP 800-107's
#: minimum security strength for HMAC keys is 112 bits.
MIN_KEY_BYTES: Final = 16

#: The version of every document schema this module writes and reads.
SCHEMA_VERSION: Final = 1
_PLAN: Final = "ivig_core.plan"
_PATIENT: Final = "ivig_core.patient"
_REGIMEN: Final = "ivig_core.regimen"
_REPORT: Final = "ivig_core.safety_report"
_ENVELOPE: Final = ("schema", "version")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_T = TypeVar("_T")

#: The canonical unit symbols a quantity may carry, from :mod:`ivig_core.units`.
UNIT_SYMBOLS: Final = tuple(
    sorted(
        spec.symbol
        for name in units.__all__
        if isinstance(spec := getattr(units, name), units.UnitSpec)
    )
)
_SPECS: Final = {
    spec.symbol: spec
    for name in units.__all__
    if isinstance(spec := getattr(units, name), units.UnitSpec)
}


class _Bad(Exception):  # noqa: N818 - private marker, never escapes
    """A leaf problem found by a hook, with a sub-path relative to its value."""

    def __init__(self, message: str, sub: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.sub = sub


class _MissingFieldError(KeyError):
    """A required field is missing (private)."""


# --------------------------------------------------------------------------
# Resolving the models' annotations (some are imported for type checking
# only in their modules, so they are resolved with a namespace of the models)

_MODEL_MODULES: Final = (
    "ivig_core.patient",
    "ivig_core.dosing_weight",
    "ivig_core.regimen",
    "ivig_core.products",
    "ivig_core.vials",
    "ivig_core.infusion",
    "ivig_core.plan",
    "ivig_core.findings",
    "ivig_core.safety",
)


@functools.cache
def _namespace() -> Mapping[str, object]:
    names: dict[str, object] = {}
    for module_name in _MODEL_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - a module not built yet
            continue
        names.update(
            (k, v)
            for k, v in vars(module).items()
            if not k.startswith("_") and (isinstance(v, type) or k[:1].isupper())
        )
    return types.MappingProxyType(names)


def _classes_in(tp: object) -> Iterator[type]:
    if isinstance(tp, type) and attrs.has(tp):
        yield tp
        return
    for arg in typing.get_args(tp):
        yield from _classes_in(arg)


def _resolve(root: type) -> tuple[type, ...]:
    """Resolve the annotations of *root* and every attrs class it holds."""
    seen: dict[type, None] = {}
    stack = [root]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen[cls] = None
        module = sys.modules[cls.__module__]
        attrs.resolve_types(cls, globalns={**_namespace(), **vars(module)})
        for field in attrs.fields(cls):
            stack.extend(_classes_in(field.type))
    return tuple(seen)


# --------------------------------------------------------------------------
# Hooks: strict primitives, dates, quantities, sorted sets


def _float(obj: object, _: object) -> float:
    if isinstance(obj, bool) or not isinstance(obj, (int, float)):
        raise _Bad(f"expected a number, got {obj!r}")
    value = float(obj)
    if not math.isfinite(value):
        raise _Bad(f"expected a finite number, got {obj!r}")
    return value


def _int(obj: object, _: object) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int):
        raise _Bad(f"expected a whole number, got {obj!r}")
    return obj


def _str(obj: object, _: object) -> str:
    if not isinstance(obj, str):
        raise _Bad(f"expected a string, got {obj!r}")
    return obj


def _bool(obj: object, _: object) -> bool:
    if not isinstance(obj, bool):
        raise _Bad(f"expected true or false, got {obj!r}")
    return obj


def _date(obj: object, _: object) -> dt.date:
    if not isinstance(obj, str) or not _DATE.match(obj):
        raise _Bad(f"expected a date as 'YYYY-MM-DD', got {obj!r}")
    try:
        return dt.date.fromisoformat(obj)
    except ValueError as exc:
        raise _Bad(f"not a calendar date: {obj!r} ({exc})") from exc


def _days_choice(obj: object, _: object) -> DaysChoice:
    if obj is None or obj == "fewest":
        return "fewest" if obj == "fewest" else None
    if isinstance(obj, bool) or not isinstance(obj, int):
        raise _Bad(f"expected a whole number of days, 'fewest' or null, got {obj!r}")
    return obj


def _is_quantity(tp: object) -> bool:
    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and issubclass(origin, pint.Quantity)


@functools.cache
def _unit_tables(
    registry: units.Registry,
) -> tuple[Mapping[str, pint.Unit], Mapping[object, str]]:
    """Symbol -> unit and unit -> symbol, parsed once per registry."""
    by_symbol = {symbol: registry.Unit(spec.name) for symbol, spec in _SPECS.items()}
    by_unit: dict[object, str] = {u: symbol for symbol, u in by_symbol.items()}
    return types.MappingProxyType(by_symbol), types.MappingProxyType(by_unit)


def _unstructure_quantity(q: units.Quantity) -> dict[str, object]:
    _, by_unit = _unit_tables(units.get_registry())
    symbol = by_unit.get(q.units)
    if symbol is None:
        msg = f"{q!r} is not in a canonical unit of ivig_core.units"
        raise InputError("quantity", q, f"one of {list(UNIT_SYMBOLS)}", msg)
    value = float(q.magnitude)
    if not math.isfinite(value):
        raise InputError("quantity", q, "a finite value")
    return {"unit": symbol, "value": value}


def _structure_quantity(obj: object, _: object) -> units.Quantity:
    if not isinstance(obj, dict):
        raise _Bad(f"expected an object {{'unit': ..., 'value': ...}}, got {obj!r}")
    extra = sorted(set(obj) - {"unit", "value"})
    if extra:
        raise _Bad("unknown field", f".{extra[0]}")
    if "value" not in obj:
        raise _Bad("required field missing", ".value")
    if "unit" not in obj:
        raise _Bad("required field missing", ".unit")
    value, symbol = obj["value"], obj["unit"]
    try:
        magnitude = _float(value, None)
    except _Bad as exc:
        raise _Bad(exc.message, ".value") from None
    registry = units.get_registry()
    by_symbol, _ = _unit_tables(registry)
    if not isinstance(symbol, str) or symbol not in by_symbol:
        raise _Bad(f"unknown unit {symbol!r}", ".unit")
    return registry.Quantity(magnitude, by_symbol[symbol])


def _is_set(tp: object) -> bool:
    return typing.get_origin(tp) in (frozenset, set)


def _sorted_set(tp: object) -> Callable[[Any], list[Any]]:
    def unstructure(value: Any) -> list[Any]:  # noqa: ANN401 - cattrs hook
        items = [_converter().unstructure(v, typing.get_args(tp)[0]) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))

    return unstructure


def _is_sequence(tp: object) -> bool:
    return typing.get_origin(tp) in (tuple, frozenset)


def _sequence_check(tp: object) -> Callable[[Any, Any], Any]:
    """Structure a tuple or frozenset from a JSON array only, item by item."""
    conv = _base_converter()
    errors = require("cattrs.errors", extra="json", purpose="JSON (de)serialisation")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    homogeneous = origin is not tuple or (len(args) == 2 and args[1] is ...)

    def structure(obj: Any, _: Any) -> Any:  # noqa: ANN401 - cattrs hook
        if not isinstance(obj, list):
            raise _Bad(f"expected an array, got {obj!r}")
        if not homogeneous and len(obj) != len(args):
            raise _Bad(f"expected an array of {len(args)} items, got {len(obj)}")
        out: list[object] = []
        failed: list[Exception] = []
        for i, item in enumerate(obj):
            item_type = args[0] if homogeneous else args[i]
            try:
                out.append(conv.structure(item, item_type))
            except Exception as exc:  # noqa: BLE001 - gathered with its index
                exc.add_note(
                    errors.IterableValidationNote(
                        f"Structuring {tp} @ index {i}", i, item_type
                    )
                )
                failed.append(exc)
        if failed:
            raise errors.IterableValidationError(f"While structuring {tp}", failed, tp)
        if origin is tuple:
            return tuple(out)
        if len(set(out)) != len(out):
            raise _Bad("duplicate items in a set")
        return frozenset(out)

    return structure


# --------------------------------------------------------------------------
# The converter


_ROOTS: Final = (Plan, Patient, Regimen)
#: Plan fields written as their own top-level block, not by the converter.
_SEPARATE: Final = frozenset({"inputs"})


def _tagged_unions(classes: tuple[type, ...]) -> list[object]:
    """Unions of two or more attrs classes in the models' fields."""
    found: list[object] = []

    def visit(tp: object) -> None:
        args = typing.get_args(tp)
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            if len(members) >= 2 and all(
                isinstance(m, type) and attrs.has(m) for m in members
            ):
                union = functools.reduce(lambda a, b: a | b, members)
                if union not in found:
                    found.append(union)
                return
        for arg in args:
            visit(arg)

    for cls in classes:
        for field in attrs.fields(cls):
            visit(field.type)
    return found


@functools.cache
def _base_converter() -> cattrs.Converter:
    cattrs_mod = require("cattrs", extra="json", purpose="JSON (de)serialisation")
    return typing.cast(
        "cattrs.Converter",
        cattrs_mod.Converter(detailed_validation=True, forbid_extra_keys=True),
    )


def _attrs_hook(conv: cattrs.Converter, cls: type[_T]) -> Callable[[Any, Any], _T]:
    """Structure an attrs class, reporting every missing field by name."""
    gen = require("cattrs.gen", extra="json", purpose="JSON (de)serialisation")
    errors = require("cattrs.errors", extra="json", purpose="JSON (de)serialisation")
    inner = gen.make_dict_structure_fn(cls, conv)
    names = [
        (a.name, a.type)
        for a in attrs.fields(typing.cast("Any", cls))
        if a.init and not (cls is Plan and a.name in _SEPARATE)
    ]

    def structure(obj: Any, _: Any) -> _T:  # noqa: ANN401 - cattrs hook
        if not isinstance(obj, dict):
            raise _Bad(f"expected an object ({cls.__name__}), got {obj!r}")
        missing: list[Exception] = []
        for name, tp in names:
            if name not in obj:
                exc = _MissingFieldError(name)
                exc.add_note(
                    errors.AttributeValidationNote(
                        f"Structuring class {cls.__name__} @ attribute {name}",
                        name,
                        tp,
                    )
                )
                missing.append(exc)
        if not missing:
            return typing.cast("_T", inner(obj, cls))
        try:  # gather the other fields' problems too
            inner(obj, cls)
        except errors.ClassValidationError as exc:
            absent = {e.args[0] for e in missing}
            missing.extend(
                e
                for e in exc.exceptions
                if not (isinstance(e, KeyError) and e.args and e.args[0] in absent)
            )
        except Exception as exc:  # noqa: BLE001 - gathered, then raised
            missing.append(exc)
        raise errors.ClassValidationError(
            f"While structuring {cls.__name__}", missing, cls
        )

    return structure


@functools.cache
def _converter() -> cattrs.Converter:
    conv = _base_converter()
    strategies = require(
        "cattrs.strategies", extra="json", purpose="JSON (de)serialisation"
    )
    classes: tuple[type, ...] = ()
    for root in _ROOTS:
        classes += _resolve(root)
    for tp, hook in (
        (float, _float),
        (int, _int),
        (str, _str),
        (bool, _bool),
        (dt.date, _date),
    ):
        conv.register_structure_hook(tp, hook)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(PlanInputs, lambda _: None)  # its own block
    conv.register_structure_hook_func(lambda t: t == DaysChoice, _days_choice)
    conv.register_unstructure_hook_func(_is_quantity, _unstructure_quantity)
    conv.register_structure_hook_func(_is_quantity, _structure_quantity)
    conv.register_unstructure_hook_factory(_is_set, _sorted_set)
    conv.register_structure_hook_factory(_is_sequence, _sequence_check)

    conv.register_structure_hook_factory(
        lambda t: isinstance(t, type) and attrs.has(t),
        functools.partial(_attrs_hook, conv),
    )
    # Inner unions first: a member's hooks are built when its union is
    # configured, and must already see the unions nested inside it.
    for union in reversed(_tagged_unions(classes)):
        strategies.configure_tagged_union(
            union, conv, tag_name="type", tag_generator=lambda c: c.__name__
        )
    return conv


# --------------------------------------------------------------------------
# Errors with paths


def _leaves(exc: BaseException, path: str) -> Iterator[tuple[str, str]]:
    errors = sys.modules.get("cattrs.errors")
    if errors is not None and isinstance(exc, errors.ClassValidationError):
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", ())
            name = next(
                (
                    n.name
                    for n in notes
                    if isinstance(n, errors.AttributeValidationNote)
                ),
                None,
            )
            if name is None and isinstance(sub, InputError):
                fields = {a.name for a in attrs.fields(exc.cl) if a.init}
                name = sub.field if sub.field in fields else None
            yield from _leaves(sub, path if name is None else f"{path}.{name}")
        return
    if errors is not None and isinstance(exc, errors.IterableValidationError):
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", ())
            index = next(
                (
                    n.index
                    for n in notes
                    if isinstance(n, errors.IterableValidationNote)
                ),
                None,
            )
            yield from _leaves(sub, path if index is None else f"{path}[{index}]")
        return
    if errors is not None and isinstance(exc, errors.ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield f"{path}.{key}", "unknown field"
        return
    yield from _leaf(exc, path)


def _leaf(exc: BaseException, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(exc, _Bad):
        yield f"{path}{exc.sub}", exc.message
    elif isinstance(exc, _MissingFieldError):
        yield path, "required field missing"
    elif isinstance(exc, KeyError):
        key = exc.args[0] if exc.args else None
        if key == "type":
            yield f"{path}.type", "required field missing (the kind of object)"
        else:
            yield f"{path}.type", f"unknown type {key!r}"
    elif isinstance(exc, InputError):
        yield path, str(exc)
    else:
        yield path, f"{exc}"


def _fail(problems: list[tuple[str, str]], value: object, what: str) -> DocumentError:
    clean = tuple((p.lstrip(".") or "document", m) for p, m in problems)
    path, message = clean[0]
    rest = "; ".join(f"{p}: {m}" for p, m in clean[1:])
    more = f" (and {len(clean) - 1} more problem(s): {rest})" if len(clean) > 1 else ""
    return DocumentError(
        path,
        value,
        f"a {what} document as written by ivig_core (version {SCHEMA_VERSION})",
        f"{message}{more}",
        clean,
    )


# --------------------------------------------------------------------------
# Documents


def _dump(kind: str, payload: Mapping[str, object]) -> str:
    doc = {"schema": kind, "version": SCHEMA_VERSION, **payload}
    return json.dumps(
        doc, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False
    )


def _reject_constant(name: str) -> object:
    raise _Bad(f"{name} is not a finite number")


def _load(text: object, kind: str, what: str) -> dict[str, Any]:
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail([("document", f"not UTF-8: {exc}")], text, what) from None
    if not isinstance(text, str):
        raise _fail([("document", f"expected JSON text, got {text!r}")], text, what)
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        problem = f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise _fail([("document", problem)], text[:80], what) from None
    except _Bad as exc:
        raise _fail([("document", exc.message)], text[:80], what) from None
    except RecursionError:  # nested deeper than Python's JSON reader goes
        problem = "nested too deeply to read"
        raise _fail([("document", problem)], text[:80], what) from None
    if not isinstance(doc, dict):
        raise _fail([("document", "expected a JSON object")], doc, what)
    if "schema" not in doc:
        raise _fail([("schema", "required field missing")], None, what)
    if doc["schema"] != kind:
        problem = f"expected {kind!r}, got {doc['schema']!r}"
        raise _fail([("schema", problem)], doc["schema"], what)
    version = doc.get("version")
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        problem = (
            f"unknown schema version {version!r}; this ivig_core reads version "
            f"{SCHEMA_VERSION}"
        )
        if is_whole(version) and int(version) > SCHEMA_VERSION:
            problem = (
                f"unknown schema version {version!r}: written by a newer "
                f"ivig_core; this ivig_core reads version {SCHEMA_VERSION}: "
                "upgrade ivig-core to read it"
            )
        raise _fail([("version", problem)], version, what)
    return {k: v for k, v in doc.items() if k not in _ENVELOPE}


def _structure(payload: dict[str, Any], cls: type[_T], what: str) -> _T:
    conv = _converter()
    try:
        return conv.structure(payload, cls)
    except Exception as exc:
        raise _fail(list(_leaves(exc, "")), payload, what) from exc


def patient_to_json(patient: Patient) -> str:
    """Write *patient* as a JSON document (deterministic).

    .. versionadded:: 0.1.0
    """
    if not isinstance(patient, Patient):
        raise InputError("patient", patient, "a Patient")
    return _dump(_PATIENT, _converter().unstructure(patient, Patient))


def patient_from_json(text: str | bytes) -> Patient:
    """Read a patient document written by :func:`patient_to_json`.

    Raises:
        DocumentError: Malformed JSON, another schema or version, or a bad
            field (the error names its path).

    .. versionadded:: 0.1.0
    """
    payload = _load(text, _PATIENT, "patient")
    return _structure(payload, Patient, "patient")


def regimen_to_json(regimen: Regimen) -> str:
    """Write *regimen* as a JSON document (deterministic).

    .. versionadded:: 0.1.0
    """
    if not isinstance(regimen, Regimen):
        raise InputError("regimen", regimen, "a Regimen")
    return _dump(_REGIMEN, _converter().unstructure(regimen, Regimen))


def regimen_from_json(text: str | bytes) -> Regimen:
    """Read a regimen document written by :func:`regimen_to_json`.

    Raises:
        DocumentError: As for :func:`patient_from_json`.

    .. versionadded:: 0.1.0
    """
    payload = _load(text, _REGIMEN, "regimen")
    return _structure(payload, Regimen, "regimen")


def _report_class() -> type:
    _resolve(SafetyReport)
    return SafetyReport


def report_to_json(report: SafetyReport) -> str:
    """Write a safety report (findings and overrides) as a JSON document.

    .. versionadded:: 0.1.0
    """
    cls = _report_class()
    if not isinstance(report, cls):
        raise InputError("report", report, "a SafetyReport (from assess)")
    return _dump(_REPORT, _converter().unstructure(report, cls))


def report_from_json(text: str | bytes) -> SafetyReport:
    """Read a safety report written by :func:`report_to_json`.

    Raises:
        DocumentError: As for :func:`patient_from_json`.

    .. versionadded:: 0.1.0
    """
    payload = _load(text, _REPORT, "safety report")
    return typing.cast(
        "SafetyReport", _structure(payload, _report_class(), "safety report")
    )


def plan_to_json(plan: Plan) -> str:
    """Write *plan* as a JSON document (deterministic, byte-identical).

    The document holds every field of the plan, the envelope
    (``schema``, ``version``), the plan's ``totals``, the ``sources`` it
    cites and its ``inputs``: what it was planned from
    (:attr:`~ivig_core.plan.Plan.inputs`), with the catalogue and library
    versions, so that :func:`plan_from_json` can plan it again and compare.
    Inputs that cannot be written (a user-written policy class, a function
    for the closed days, a plan assembled by hand) are replaced by
    ``"unrecorded"``: the reason; such a document loads only with
    ``verify="arithmetic"``.

    .. versionadded:: 0.1.0
    """
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "a Plan (from plan_course)")
    payload = typing.cast("dict[str, object]", _converter().unstructure(plan, Plan))
    payload.pop("inputs", None)
    payload["totals"] = plan_totals(plan)
    payload["sources"] = _plan_sources(plan)
    block = _inputs_block(plan.inputs)
    protocols = _protocols_block(plan.inputs)
    if protocols and "unrecorded" not in block:
        block["protocols"] = protocols
    payload["inputs"] = block
    return _dump(_PLAN, payload)


def _plan_sources(plan: Plan) -> list[dict[str, object]]:
    """The ``sources`` entry: each cited source's ID, kind, weakness, citation."""
    return [
        {"citation": s.citation, "id": s.id, "kind": s.kind.value, "weak": s.is_weak}
        for s in plan_sources(plan)
    ]


#: How :func:`plan_from_json` checks a plan: ``"replay"`` (plan it again from
#: its recorded inputs and compare, after the arithmetic) or ``"arithmetic"``
#: (the arithmetic and rate runs only, for a document without inputs).
Verify: TypeAlias = Literal["replay", "arithmetic"]


def plan_from_json(
    text: str | bytes,
    *,
    key: bytes | None = None,
    seal: str | None = None,
    products: Catalogue | None = None,
    protocol: Protocol | None = None,
    verify: Verify = "replay",
) -> Plan:
    """Read and check a plan document written by :func:`plan_to_json`.

    Every field's type, unit and model rule is checked, then every derived
    number: each day's grams and volume agree with its vials and its dose ×
    dosing weight; each course's totals are the sums of its days; the
    courses and days are numbered in order; the ``totals`` are the sums over
    the plan; and each infusion's rate run is re-derived (:func:`check_runs`).

    Then the plan is **planned again** from the ``inputs`` it records
    (patient, regimen, product, policies, options, safety options, protocol,
    history: :func:`~ivig_core.planning.replan.replay`) and the new plan's
    document is compared with the loaded one, field by field: any
    difference (a finding deleted or its severity lowered, the readiness, a
    product key, a rate, a note) is refused, naming the first different path
    with both values and how many more differ. A document made with a newer
    catalogue or library is refused ("upgrade ivig-core"); one made with an
    older catalogue loads if planning it again gives the same document, and
    is refused naming the difference and both versions if not.

    Args:
        text: The document.
        key: The host's secret key, if the store seals its documents.
        seal: The document's seal (from :func:`seal_plan`); required with
            *key*.
        products: The local formulary the plan was made with
            (:func:`~ivig_core.products.load_formulary`), for a product not
            in the shipped catalogue.
        protocol: The local protocol the plan was made under
            (:func:`~ivig_core.load_protocol`). Not needed for a document
            that carries its protocol (``inputs.protocols``, written since
            0.2.0): if given, it must be the same protocol (name, version
            and hash), and the document's copy is what is planned again.
            Required for a document that records the protocol only by name,
            version and hash.
        verify: ``"replay"`` (default) or ``"arithmetic"``: only the
            arithmetic and rate runs, for a document without usable inputs
            (an earlier version's, or one whose inputs could not be
            recorded); the findings and readiness are then NOT re-derived,
            and the plan's ``inputs`` is ``None``.

    Raises:
        DocumentError: The first problem's path is its ``field``; ``errors``
            lists them all; ``seal`` for a missing or wrong seal; ``inputs``
            for inputs that are missing, newer or cannot be rebuilt.

    .. versionadded:: 0.1.0
    """
    if verify not in ("replay", "arithmetic"):
        raise InputError("verify", verify, "'replay' or 'arithmetic'")
    from ivig_core.products import Catalogue  # noqa: PLC0415 - lazy
    from ivig_core.protocol import Protocol  # noqa: PLC0415 - lazy

    if products is not None and not isinstance(products, Catalogue):
        raise InputError("products", products, "a Catalogue (load_formulary) or None")
    if protocol is not None and not isinstance(protocol, Protocol):
        raise InputError("protocol", protocol, "a Protocol (load_protocol) or None")
    if key is not None or seal is not None:
        verify_seal(text, key=key, seal=seal)
    payload = _load(text, _PLAN, "plan")
    whole = dict(payload)
    totals = payload.pop("totals", None)
    cited = payload.pop("sources", None)
    recorded = payload.pop("inputs", None)
    plan = _structure(payload, Plan, "plan")
    embedded: dict[str, Protocol] = {}
    if verify == "replay":
        try:
            embedded = _read_protocols(recorded)
        except _InputProblem as exc:
            raise _fail(exc.problems, recorded, "plan") from None
    problems = check_plan(plan)
    if not problems:  # the runs are read only once the days add up
        made_with = _made_with(products, protocol, embedded.values())
        problems.extend(check_runs(plan, catalogue=made_with))
    problems.extend(check_totals(plan, totals))
    if problems:  # the arithmetic first: its messages say what does not add up
        raise _fail(problems, payload, "plan")
    if verify == "replay":  # compares every field, the sources included
        return _replayed(whole, recorded, products, protocol, embedded)
    if cited != _plan_sources(plan):
        problems.append(("sources", "does not match the sources the plan's texts cite"))
        raise _fail(problems, payload, "plan")
    return plan


# --------------------------------------------------------------------------
# The plan's inputs: written with the plan, planned again on load


class _Unrecordable(Exception):  # noqa: N818 - private marker, never escapes
    """An input that cannot be written (the reason)."""


class _InputProblem(Exception):  # noqa: N818 - private marker, never escapes
    """Inputs that cannot be read: (path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _inputs_error(path: str, message: str) -> _InputProblem:
    return _InputProblem([(path, message)])


@functools.cache
def _kinds() -> Mapping[str, Mapping[str, type]]:
    """The library's own policy and rounding classes, by class name."""
    from ivig_core.dosing_weight import (  # noqa: PLC0415 - lazy
        ActualWeight,
        AdjustedWeight,
        BloodStar2026,
        IdealWeight,
        OntarioRule,
        UkRequestForm,
        Us120PercentIbw,
    )
    from ivig_core.vials import NearestIncrement, NearestWithin, NeverBelow  # noqa: PLC0415 - lazy

    policies = (
        ActualWeight,
        IdealWeight,
        AdjustedWeight,
        Us120PercentIbw,
        UkRequestForm,
        OntarioRule,
        BloodStar2026,
    )
    roundings = (NeverBelow, NearestWithin, NearestIncrement)
    return {
        "policy": {c.__name__: c for c in policies},
        "rounding": {c.__name__: c for c in roundings},
    }


#: The catalogues product keys are looked up in while inputs are read.
_CATALOGUES: Final[contextvars.ContextVar[tuple[Mapping[str, Product], ...]]] = (
    contextvars.ContextVar("ivig_core_input_catalogues", default=())
)
#: The protocols the document being read carries, by SHA-256.
_PROTOCOLS: Final[contextvars.ContextVar[Mapping[str, Protocol]]] = (
    contextvars.ContextVar("ivig_core_input_protocols", default={})  # noqa: B039 - never mutated
)


def _product_key(product: Product) -> str:
    return product.key


def _product_of(obj: object, _: object) -> Product:
    if not isinstance(obj, str):
        raise _Bad(f"expected a product key, got {obj!r}")
    for catalogue in _CATALOGUES.get():
        if obj in catalogue:
            return catalogue[obj]
    raise _Bad(
        f"no product {obj!r} in the shipped catalogue (or the formulary "
        "given): pass the formulary the plan was made with as products="
    )


@functools.cache
def _inputs_converter() -> cattrs.Converter:
    """The document converter, able to write and read the request's parts."""
    from ivig_core.products import Product  # noqa: PLC0415 - lazy
    from ivig_core.scig.conversion import ScigFrequency  # noqa: PLC0415 - lazy

    conv = _converter()
    strategies = require(
        "cattrs.strategies", extra="json", purpose="JSON (de)serialisation"
    )
    conv.register_unstructure_hook(Product, _product_key)
    conv.register_structure_hook(Product, _product_of)
    strategies.configure_tagged_union(
        ScigFrequency, conv, tag_name="type", tag_generator=lambda c: c.__name__
    )
    return conv


def _put(value: object, cls: type) -> object:
    _resolve(cls)
    return _inputs_converter().unstructure(value, cls)


def _get(obj: object, cls: type[_T], path: str) -> _T:
    _resolve(cls)
    conv = _inputs_converter()
    try:
        return conv.structure(obj, cls)
    except Exception as exc:
        raise _InputProblem(list(_leaves(exc, path))) from exc


def _put_choice(value: object, field: str) -> object:
    if value is None or isinstance(value, str):
        return value
    cls = type(value)
    if _kinds()[field].get(cls.__name__) is not cls:
        msg = (
            f"{field}: {cls.__qualname__} is not one of the library's own "
            f"{field} policies (a {field} written in code cannot be recorded)"
        )
        raise _Unrecordable(msg)
    return {"type": cls.__name__, **typing.cast("dict[str, object]", _put(value, cls))}


def _get_choice(obj: object, field: str, path: str) -> object:
    if obj is None or isinstance(obj, str):
        return obj
    if not isinstance(obj, dict) or obj.get("type") not in _kinds()[field]:
        names = sorted(_kinds()[field])
        msg = f"expected a name or an object whose type is one of {names}"
        raise _inputs_error(f"{path}.type" if isinstance(obj, dict) else path, msg)
    cls = _kinds()[field][obj["type"]]
    return _get({k: v for k, v in obj.items() if k != "type"}, cls, path)


def _put_product(value: object) -> object:
    from ivig_core.products import Product  # noqa: PLC0415 - lazy

    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Product):
        return {"key": value.key}
    msg = f"product: {value!r} is not a product or its name"
    raise _Unrecordable(msg)


def _get_product(obj: object, path: str) -> object:
    if obj is None or isinstance(obj, str):
        return obj
    if not isinstance(obj, dict) or set(obj) != {"key"}:
        raise _inputs_error(path, "expected a name or {'key': product key}")
    try:
        return _product_of(obj["key"], None)
    except _Bad as exc:
        raise _inputs_error(f"{path}.key", exc.message) from None


def _put_amount(value: object, field: str) -> object:
    """A quantity or its text (a rate, a cap)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, pint.Quantity):
        try:
            return {"quantity": _unstructure_quantity(value)}
        except InputError:
            msg = f"{field}: {value} is not in a canonical unit"
            raise _Unrecordable(msg) from None
    from ivig_core.products import AtRiskCap  # noqa: PLC0415 - lazy

    if isinstance(value, AtRiskCap):
        return {"cap": _put(value, AtRiskCap)}
    msg = f"{field}: {value!r} cannot be recorded"
    raise _Unrecordable(msg)


def _get_amount(obj: object, path: str) -> object:
    if obj is None:
        return None
    from ivig_core.products import AtRiskCap  # noqa: PLC0415 - lazy

    if isinstance(obj, dict) and len(obj) == 1:
        if isinstance(obj.get("text"), str):
            return obj["text"]
        if "quantity" in obj:
            try:
                return _structure_quantity(obj["quantity"], None)
            except _Bad as exc:
                raise _inputs_error(f"{path}.quantity{exc.sub}", exc.message) from None
        if "cap" in obj:
            return _get(obj["cap"], AtRiskCap, f"{path}.cap")
    raise _inputs_error(
        path, "expected {'text': ...}, {'quantity': ...} or {'cap': ...}"
    )


def _put_request(request: object) -> dict[str, object]:
    from ivig_core.findings import Override  # noqa: PLC0415 - lazy
    from ivig_core.plan import ProtocolRef  # noqa: PLC0415 - lazy
    from ivig_core.planning.calendar import ClosedDays  # noqa: PLC0415 - lazy
    from ivig_core.planning.request import PlanRequest  # noqa: PLC0415 - lazy
    from ivig_core.planning.split import SplitLimits  # noqa: PLC0415 - lazy
    from ivig_core.rates import RateSchedule  # noqa: PLC0415 - lazy
    from ivig_core.safety import SafetyConfig  # noqa: PLC0415 - lazy

    if not isinstance(request, PlanRequest):
        msg = f"request: {request!r} is not a PlanRequest"
        raise _Unrecordable(msg)
    closed = request.closed
    if closed is not None and not isinstance(closed, ClosedDays):
        msg = (
            "closed: a function for the closed days cannot be recorded (use ClosedDays)"
        )
        raise _Unrecordable(msg)
    safety = request.safety
    return {
        "patient": _put(request.patient, Patient),
        "regimen": _put(request.regimen, Regimen),
        "product": _put_product(request.product),
        "start": request.start.isoformat(),
        "policy": _put_choice(request.policy, "policy"),
        "rounding": _put_choice(request.rounding, "rounding"),
        "indication": request.indication,
        "rate_weight": request.rate_weight,
        "rate_schedule": None
        if request.rate_schedule is None
        else _put(request.rate_schedule, RateSchedule),
        "at_risk_cap": _put_amount(request.at_risk_cap, "at_risk_cap"),
        "closed": None if closed is None else _put(closed, ClosedDays),
        "limits": None if request.limits is None else _put(request.limits, SplitLimits),
        "sc": _put_sc(request.sc),
        "safety": {
            "config": _put(safety.config, SafetyConfig),
            "overrides": [_put(o, Override) for o in safety.overrides],
            "previous_product": _put_product(safety.previous_product),
            "strict": safety.strict,
        },
        "protocol": None
        if request.protocol is None
        else _put(request.protocol.ref, ProtocolRef),
    }


def _put_sc(sc: object) -> object:
    from ivig_core.scig import ScigDose, ScLimits  # noqa: PLC0415 - lazy

    if sc is None:
        return None
    from ivig_core.planning.request import ScOptions  # noqa: PLC0415 - lazy

    assert isinstance(sc, ScOptions)  # noqa: S101 - the request checked it
    first = sc.first_infusions
    return {
        "limits": _put(sc.limits, ScLimits),
        "site_rate": _put_amount(sc.site_rate, "sc.site_rate"),
        "first_infusions": None
        if first is None
        else {"limits": _put(first.limits, ScLimits), "count": first.count},
        "ramp_up": sc.ramp_up,
        "conversion": None if sc.conversion is None else _put(sc.conversion, ScigDose),
    }


_REQUEST_FIELDS: Final = (
    "patient", "regimen", "product", "start", "policy", "rounding", "indication",
    "rate_weight", "rate_schedule", "at_risk_cap", "closed", "limits", "sc",
    "safety", "protocol",
)  # fmt: skip


def _fields(obj: object, names: tuple[str, ...], path: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _inputs_error(path, f"expected an object, got {obj!r}")
    problems = [(f"{path}.{k}", "unknown field") for k in sorted(set(obj) - set(names))]
    problems += [
        (f"{path}.{k}", "required field missing") for k in names if k not in obj
    ]
    if problems:
        raise _InputProblem(problems)
    return obj


def _get_request(obj: object, protocol: Protocol | None, path: str) -> object:
    from ivig_core.findings import Override  # noqa: PLC0415 - lazy
    from ivig_core.plan import ProtocolRef  # noqa: PLC0415 - lazy
    from ivig_core.planning.calendar import ClosedDays  # noqa: PLC0415 - lazy
    from ivig_core.planning.request import PlanRequest  # noqa: PLC0415 - lazy
    from ivig_core.planning.split import SplitLimits  # noqa: PLC0415 - lazy
    from ivig_core.rates import RateSchedule  # noqa: PLC0415 - lazy
    from ivig_core.safety import SafetyConfig, SafetyOptions  # noqa: PLC0415 - lazy

    d = _fields(obj, _REQUEST_FIELDS, path)
    at = f"{path}.".__add__
    ref = (
        None
        if d["protocol"] is None
        else _get(d["protocol"], ProtocolRef, at("protocol"))
    )
    if ref is not None:
        protocol = _request_protocol(ref, protocol, at("protocol"))
    safety = _fields(
        d["safety"], ("config", "overrides", "previous_product", "strict"), at("safety")
    )
    overrides = safety["overrides"]
    if not isinstance(overrides, list):
        raise _inputs_error(at("safety.overrides"), "expected an array")
    if not isinstance(d["start"], str):
        raise _inputs_error(at("start"), "expected a date as 'YYYY-MM-DD'")
    try:
        start = _date(d["start"], None)
    except _Bad as exc:
        raise _inputs_error(at("start"), exc.message) from None
    fields = {
        "patient": _get(d["patient"], Patient, at("patient")),
        "regimen": _get(d["regimen"], Regimen, at("regimen")),
        "product": _get_product(d["product"], at("product")),
        "start": start,
        "policy": _get_choice(d["policy"], "policy", at("policy")),
        "rounding": _get_choice(d["rounding"], "rounding", at("rounding")),
        "indication": d["indication"],
        "rate_weight": d["rate_weight"],
        "rate_schedule": None
        if d["rate_schedule"] is None
        else _get(d["rate_schedule"], RateSchedule, at("rate_schedule")),
        "at_risk_cap": _get_amount(d["at_risk_cap"], at("at_risk_cap")),
        "closed": None
        if d["closed"] is None
        else _get(d["closed"], ClosedDays, at("closed")),
        "limits": None
        if d["limits"] is None
        else _get(d["limits"], SplitLimits, at("limits")),
        "sc": _get_sc(d["sc"], at("sc")),
        "protocol": None if ref is None else protocol,
    }
    try:
        fields["safety"] = SafetyOptions(
            config=_get(safety["config"], SafetyConfig, at("safety.config")),
            overrides=[
                _get(o, Override, at(f"safety.overrides[{i}]"))
                for i, o in enumerate(overrides)
            ],
            previous_product=_get_product(
                safety["previous_product"], at("safety.previous_product")
            ),
            strict=safety["strict"],
        )
        return PlanRequest(**fields)
    except InputError as exc:
        raise _inputs_error(at(exc.field), str(exc)) from None


def _get_sc(obj: object, path: str) -> object:
    if obj is None:
        return None
    from ivig_core.planning.request import FirstInfusions, ScOptions  # noqa: PLC0415 - lazy
    from ivig_core.scig import ScigDose, ScLimits  # noqa: PLC0415 - lazy

    d = _fields(
        obj, ("limits", "site_rate", "first_infusions", "ramp_up", "conversion"), path
    )
    first = d["first_infusions"]
    try:
        return ScOptions(
            limits=_get(d["limits"], ScLimits, f"{path}.limits"),
            site_rate=_get_amount(d["site_rate"], f"{path}.site_rate"),  # type: ignore[arg-type] # checked by the planner
            first_infusions=None
            if first is None
            else FirstInfusions(
                limits=_get(
                    _fields(first, ("limits", "count"), f"{path}.first_infusions")[
                        "limits"
                    ],
                    ScLimits,
                    f"{path}.first_infusions.limits",
                ),
                count=first["count"],
            ),
            ramp_up=d["ramp_up"],
            conversion=None
            if d["conversion"] is None
            else _get(d["conversion"], ScigDose, f"{path}.conversion"),
        )
    except InputError as exc:
        raise _inputs_error(f"{path}.{exc.field}", str(exc)) from None


def _put_arguments(inputs: PlanInputs) -> dict[str, object]:
    from ivig_core.plan import History  # noqa: PLC0415 - lazy

    args = inputs.arguments
    out: dict[str, object] = {}
    for name, value in sorted(args.items()):
        if isinstance(value, PlanInputs):
            out[name] = _inputs_block(value)
        elif isinstance(value, History):
            out[name] = _put(value, History)
        elif isinstance(value, Patient):
            out[name] = _put(value, Patient)
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
        elif value is None or isinstance(value, (str, int)):
            out[name] = value
        else:
            msg = f"arguments.{name}: {value!r} cannot be recorded"
            raise _Unrecordable(msg)
    if inputs.planner == "replan" and args.get("plan") is None:
        msg = "the plan it re-planned records no inputs"
        raise _Unrecordable(msg)
    return out


#: Each planner's own arguments and how they are read.
_ARGUMENTS: Final[Mapping[str, Mapping[str, str]]] = {
    "plan": {},
    "plan_scig": {"cycles": "int", "first_dose": "date?"},
    "plan_scig_regimen": {"start": "date?", "last_ivig": "date?"},
    "replan": {
        "plan": "inputs",
        "administered": "history",
        "patient": "patient?",
        "from_date": "date",
        "decision": "str?",
    },
}


def _get_arguments(
    obj: object, planner: str, protocol: Protocol | None, path: str
) -> dict[str, object]:
    from ivig_core.plan import History  # noqa: PLC0415 - lazy

    kinds = _ARGUMENTS[planner]
    d = _fields(obj, tuple(kinds), path)
    out: dict[str, object] = {}
    for name, kind in kinds.items():
        value, at = d[name], f"{path}.{name}"
        if value is None and kind.endswith("?"):
            out[name] = None
        elif kind.startswith("date"):
            try:
                out[name] = _date(value, None)
            except _Bad as exc:
                raise _inputs_error(at, exc.message) from None
        elif kind == "int":
            try:
                out[name] = _int(value, None)
            except _Bad as exc:
                raise _inputs_error(at, exc.message) from None
        elif kind == "str?":
            if not isinstance(value, str):
                raise _inputs_error(at, f"expected a string or null, got {value!r}")
            out[name] = value
        elif kind.startswith("patient"):
            out[name] = _get(value, Patient, at)
        elif kind == "history":
            out[name] = _get(value, History, at)
        else:
            out[name] = _get_inputs(value, protocol, at)
    return out


def _inputs_block(inputs: PlanInputs | None) -> dict[str, object]:
    """The document's ``inputs``: the request and arguments, or why not."""
    from ivig_core.products import catalogue_version  # noqa: PLC0415 - lazy

    if inputs is None:
        return {
            "catalogue": catalogue_version(),
            "library": library_version(),
            "unrecorded": "the plan records no inputs (assembled by hand)",
        }
    block: dict[str, object] = {
        "catalogue": inputs.catalogue,
        "library": inputs.library,
        "planner": inputs.planner,
    }
    try:
        block["request"] = _put_request(inputs.request)
        block["arguments"] = _put_arguments(inputs)
    except _Unrecordable as exc:
        return {
            **{k: block[k] for k in ("catalogue", "library")},
            "unrecorded": str(exc),
        }
    return block


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _protocols_block(inputs: PlanInputs | None) -> list[dict[str, object]]:
    """The ``inputs.protocols`` entries: each protocol's text, once.

    Every request in the inputs (a re-plan's followed plans' too) names its
    protocol by name, version and hash; the text of each (and of its
    formulary) is written here once, so the document loads without the file.
    A protocol not read from a file (no text) is not written: such a
    document needs ``protocol=`` to load.
    """
    found: dict[str, Protocol] = {}
    while inputs is not None:
        protocol = getattr(inputs.request, "protocol", None)
        text = getattr(protocol, "text", None)
        if protocol is not None and text is not None:
            found.setdefault(protocol.sha256, protocol)
        followed = inputs.arguments.get("plan")
        inputs = followed if isinstance(followed, PlanInputs) else None
    return [
        {
            "file": p.file,
            "formulary": None
            if p.formulary_text is None
            else {"sha256": _sha256(p.formulary_text), "text": p.formulary_text},
            "sha256": sha,
            "text": p.text,
        }
        for sha, p in sorted(found.items())
    ]


def _read_protocols(recorded: object) -> dict[str, Protocol]:
    """The protocols ``inputs.protocols`` carries, by hash, checked and rebuilt.

    Each text's SHA-256 must be the hash recorded with it (the one the
    plan's requests name the protocol by), and its formulary's likewise;
    the text is read again as :func:`~ivig_core.load_protocol` read the
    file (:func:`~ivig_core.protocol.protocol_from_text`).
    """
    if not isinstance(recorded, dict) or "protocols" not in recorded:
        return {}
    block = recorded["protocols"]
    if not isinstance(block, list) or not block:
        raise _inputs_error(
            "inputs.protocols", "expected a non-empty array of protocols"
        )
    out: dict[str, Protocol] = {}
    for i, entry in enumerate(block):
        at = f"inputs.protocols[{i}]"
        d = _fields(entry, ("file", "formulary", "sha256", "text"), at)
        for name in ("file", "sha256", "text"):
            if not isinstance(d[name], str):
                raise _inputs_error(
                    f"{at}.{name}", f"expected a string, got {d[name]!r}"
                )
        formulary = d["formulary"]
        formulary_text = None
        if formulary is not None:
            f = _fields(formulary, ("sha256", "text"), f"{at}.formulary")
            for name in ("sha256", "text"):
                if not isinstance(f[name], str):
                    raise _inputs_error(
                        f"{at}.formulary.{name}", f"expected a string, got {f[name]!r}"
                    )
            _check_hash(f["text"], f["sha256"], f"{at}.formulary")
            formulary_text = f["text"]
        _check_hash(d["text"], d["sha256"], at)
        try:
            protocol = _rebuilt(d["text"], d["file"], formulary_text)
        except InputError as exc:
            detail = exc.detail or str(exc)
            raise _inputs_error(
                f"{at}.text", f"not a protocol load_protocol reads: {detail}"
            ) from None
        if d["sha256"] in out:
            raise _inputs_error(f"{at}.sha256", "a second copy of the same protocol")
        out[d["sha256"]] = protocol
    return out


@functools.lru_cache(maxsize=16)
def _rebuilt(text: str, file: str, formulary_text: str | None) -> Protocol:
    """The protocol a document carries, read again (the last few kept).

    Reading a protocol costs about as much as planning again; a store
    loads many documents made under the same few protocols. A
    :class:`~ivig_core.protocol.Protocol` is immutable, so one is shared.
    """
    from ivig_core.protocol import protocol_from_text  # noqa: PLC0415 - lazy

    return protocol_from_text(text, file=file, formulary_text=formulary_text)


def _check_hash(text: str, recorded: str, at: str) -> None:
    """*text*'s SHA-256 is *recorded*: neither was edited."""
    try:
        actual = _sha256(text)
    except UnicodeEncodeError:
        actual = "(not UTF-8 text)"
    if actual != recorded:
        problem = (
            f"the text's SHA-256 is {actual}, but the document records {recorded}: "
            "the text or its hash was edited"
        )
        raise _InputProblem([(f"{at}.text", problem), (f"{at}.sha256", problem)])


def _request_protocol(
    ref: ProtocolRef, protocol: Protocol | None, path: str
) -> Protocol:
    """The protocol a request names by *ref*: the document's copy or the one given.

    The document's copy (``inputs.protocols``) is what is planned again; a
    protocol given as ``protocol=`` must be the same (the same ref).
    """
    carried = _PROTOCOLS.get()
    own = carried.get(ref.sha256)
    if protocol is not None and protocol.ref != ref:
        raise _inputs_error(
            path,
            f"the plan was made under the local protocol {ref}; the one given is "
            f"{protocol.ref}: pass that protocol (load_protocol) as protocol=",
        )
    if own is not None:
        if own.ref != ref:
            raise _inputs_error(
                path,
                f"names the local protocol {ref}, but the protocol the document "
                f"carries with that hash is {own.ref}",
            )
        return own
    if protocol is not None:
        return protocol
    where = (
        "the document carries none with that hash"
        if carried
        else "the document does not carry it (written by an earlier ivig_core, or "
        "a protocol not read from a file)"
    )
    raise _inputs_error(
        path,
        f"the plan was made under the local protocol {ref}; {where} and none was "
        "given: pass that protocol (load_protocol) as protocol=",
    )


def _made_with(
    products: Catalogue | None,
    protocol: Protocol | None,
    embedded: Iterable[Protocol],
) -> Catalogue | None:
    """The catalogue the plan was made with (for the vials and rates check).

    The shipped catalogue with the formularies of the protocols the document
    carries or the caller gives, and the caller's formulary, in the order
    planning lets them replace the shipped products; ``None``: the shipped
    one.
    """
    from ivig_core.products import Catalogue, default_catalogue  # noqa: PLC0415 - lazy

    local = [p.formulary for p in (*embedded, protocol) if p is not None]
    extra = [c for c in (*local, products) if c is not None]
    if not extra:
        return None
    merged: dict[str, Product] = dict(default_catalogue())
    for catalogue in extra:
        merged.update(catalogue)
    origin = " + ".join(["the shipped catalogue", *(c.origin for c in extra)])
    return Catalogue(products=merged, origin=origin)


def _release(version: str) -> tuple[int, ...]:
    """The release numbers at the head of a version (``"0.2.0.dev1"`` → 0, 2, 0)."""
    found = re.match(r"\d+(?:\.\d+)*", version)
    return () if found is None else tuple(int(p) for p in found.group(0).split("."))


def _check_versions(obj: dict[str, Any], path: str) -> None:
    from ivig_core.products import catalogue_version, version_key  # noqa: PLC0415 - lazy

    catalogue, library = obj.get("catalogue"), obj.get("library")
    if not isinstance(library, str) or not _release(library):
        raise _inputs_error(f"{path}.library", f"expected a version, got {library!r}")
    if _release(library) > _release(library_version()):
        raise _inputs_error(
            f"{path}.library",
            f"made with ivig-core {library}; this library is {library_version()}: "
            "upgrade ivig-core to read it",
        )
    ours = catalogue_version()
    try:
        theirs = version_key(typing.cast("str", catalogue))
    except InputError:
        raise _inputs_error(
            f"{path}.catalogue", f"expected a catalogue version, got {catalogue!r}"
        ) from None
    if theirs > version_key(ours):
        raise _inputs_error(
            f"{path}.catalogue",
            f"made with catalogue {catalogue}; this library has {ours}: upgrade "
            "ivig-core to read it",
        )


def _get_inputs(obj: object, protocol: Protocol | None, path: str) -> PlanInputs:
    if not isinstance(obj, dict):
        raise _inputs_error(
            path,
            "required: what the plan was planned from (a document of an earlier "
            "ivig_core, or its inputs removed); re-plan it, or load it with "
            "verify='arithmetic' (the findings are then not re-derived)",
        )
    _check_versions(obj, path)
    if "unrecorded" in obj:
        raise _inputs_error(
            f"{path}.unrecorded",
            f"the plan's inputs could not be recorded ({obj['unrecorded']}): it "
            "cannot be planned again; load it with verify='arithmetic' (the "
            "findings are then not re-derived)",
        )
    d = _fields(obj, ("arguments", "catalogue", "library", "planner", "request"), path)
    planner = d["planner"]
    if planner not in _ARGUMENTS:
        raise _inputs_error(f"{path}.planner", f"expected one of {list(_ARGUMENTS)}")
    return PlanInputs(
        planner=planner,
        request=_get_request(d["request"], protocol, f"{path}.request"),
        arguments=_get_arguments(
            d["arguments"], planner, protocol, f"{path}.arguments"
        ),
        catalogue=d["catalogue"],
        library=d["library"],
    )


def _differences(
    ours: object, theirs: object, path: str = ""
) -> Iterator[tuple[str, object, object]]:
    """Where two JSON documents differ: (path, document's, re-planned)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for k in sorted(set(ours) | set(theirs)):
            at = f"{path}.{k}" if path else k
            if k not in theirs:
                yield at, ours[k], "(absent)"
            elif k not in ours:
                yield at, "(absent)", theirs[k]
            else:
                yield from _differences(ours[k], theirs[k], at)
    elif isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) == len(theirs):
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
                yield from _differences(a, b, f"{path}[{i}]")
            return
        # An item added or deleted: the first item that differs, whole (the
        # items after it are shifted, not changed), and the lengths.
        i = next(
            (k for k, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
            min(len(ours), len(theirs)),
        )
        absent = "(absent)"
        yield (
            f"{path}[{i}]",
            ours[i] if i < len(ours) else absent,
            theirs[i] if i < len(theirs) else absent,
        )
        yield f"{path}.length", len(ours), len(theirs)
    elif (
        isinstance(ours, float)
        and isinstance(theirs, float)
        and math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    ):
        return
    elif ours != theirs or type(ours) is not type(theirs):
        yield path, ours, theirs


def _short(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _input_catalogues(
    products: Catalogue | None,
    protocol: Protocol | None,
    embedded: Mapping[str, Protocol],
) -> tuple[Mapping[str, Product], ...]:
    """Where the inputs' product keys are looked up, first to last."""
    from ivig_core.products import default_catalogue  # noqa: PLC0415 - lazy

    catalogues: list[Mapping[str, Product]] = []
    if products is not None:
        catalogues.append(products)
    if protocol is not None:
        catalogues.append(protocol.catalogue)
    catalogues.extend(p.catalogue for p in embedded.values())
    catalogues.append(default_catalogue())
    return tuple(catalogues)


def _replayed(
    whole: dict[str, Any],
    recorded: object,
    products: Catalogue | None,
    protocol: Protocol | None,
    embedded: Mapping[str, Protocol],
) -> Plan:
    """The plan planned again from *recorded*, if its document is *whole*."""
    from ivig_core.planning.replan import replay  # noqa: PLC0415 - io reads planning

    token = _CATALOGUES.set(_input_catalogues(products, protocol, embedded))
    carried = _PROTOCOLS.set(embedded)
    deep = "re-planned plans nested too deeply to plan again"
    try:
        inputs = _get_inputs(
            {k: v for k, v in recorded.items() if k != "protocols"}
            if isinstance(recorded, dict)
            else recorded,
            protocol,
            "inputs",
        )
    except _InputProblem as exc:
        raise _fail(exc.problems, recorded, "plan") from None
    except RecursionError:
        raise _fail([("inputs", deep)], None, "plan") from None
    finally:
        _PROTOCOLS.reset(carried)
        _CATALOGUES.reset(token)
    try:
        again = replay(inputs)
    except IvigError as exc:
        problem = f"the plan cannot be made again from its inputs: {exc}"
        raise _fail([("inputs", problem)], None, "plan") from None
    except RecursionError:
        raise _fail([("inputs", deep)], None, "plan") from None
    redone = json.loads(plan_to_json(again))
    redone.pop("schema")
    redone.pop("version")
    for name in ("catalogue", "library"):  # the versions are the document's
        redone["inputs"][name] = whole["inputs"][name]
    if "protocols" not in whole["inputs"]:  # named only, the protocol given
        redone["inputs"].pop("protocols", None)
    found = list(_differences(whole, redone))
    if not found:
        return again
    path, ours, theirs = found[0]
    from ivig_core.products import catalogue_version  # noqa: PLC0415 - lazy

    made, library = whole["inputs"]["catalogue"], whole["inputs"]["library"]
    versions = []
    if made != catalogue_version():
        versions.append(
            f"made with catalogue {made}; this library has {catalogue_version()}"
        )
    if library != library_version():
        versions.append(f"made with ivig-core {library}; this is {library_version()}")
    advice = (
        f" ({'; '.join(versions)}: re-plan it with this version)" if versions else ""
    )
    more = f"; and {len(found) - 1} more difference(s)" if len(found) > 1 else ""
    problem = (
        f"the document says {_short(ours)}, planning it again from its inputs "
        f"gives {_short(theirs)}{advice}{more}"
    )
    return _raise_difference(
        path,
        ours,
        problem,
        [(p, f"{_short(a)} != {_short(b)}") for p, a, b in found[1:]],
    )


def _raise_difference(
    path: str, value: object, problem: str, rest: list[tuple[str, str]]
) -> typing.NoReturn:
    """A document that is not what its inputs give: the first difference."""
    raise DocumentError(
        path,
        value,
        "the plan its recorded inputs give (a document as written by ivig_core)",
        problem,
        ((path, problem), *rest),
    )


# --------------------------------------------------------------------------
# Re-deriving the rate runs


def _off(a: float, b: float) -> bool:
    """Whether two derived floats differ by more than round-off."""
    return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_runs(
    plan: Plan, *, catalogue: Catalogue | None = None
) -> list[tuple[str, str]]:
    """Re-derive every IV infusion's rate run; ``(path, problem)`` pairs.

    Each problem names the path and both values (the document's and the
    re-derived one). A product missing from *catalogue* (a local
    formulary's not given) has its runs checked for internal consistency
    only.

    Args:
        plan: The plan.
        catalogue: The catalogue the plan was made with (default: the
            shipped one); :func:`plan_from_json` passes the shipped one with
            the formularies it was given or the document carries.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *catalogue*.
    """
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "a Plan")
    from ivig_core.products import (  # noqa: PLC0415 - lazy
        Catalogue,
        Route,
        default_catalogue,
    )

    if catalogue is not None and not isinstance(catalogue, Catalogue):
        raise InputError("catalogue", catalogue, "a Catalogue or None (the shipped)")
    product = None
    if plan.route is Route.IV:
        try:
            product = (
                default_catalogue() if catalogue is None else catalogue
            ).get_product(plan.product)
        except InputError:
            product = None
    problems: list[tuple[str, str]] = []
    if plan.route is Route.IV:
        problems.extend(_check_courses(plan))
    for i, inf in enumerate(plan.infusions):
        problems.extend(_check_run(f"infusions[{i}].run", inf, plan, product))
        sel = inf.vials
        if _off(sel.difference_g, sel.dispensed_g - sel.calculated_g):
            problems.append(
                (
                    f"infusions[{i}].vials.difference",
                    (
                        f"{sel.difference_g!r} g is not dispensed − calculated "
                        f"({sel.dispensed_g - sel.calculated_g!r} g)"
                    ),
                )
            )
        if product is not None:
            problems.extend(
                (
                    f"infusions[{i}].vials.vials[{k}]",
                    f"{vial} is not a vial of {product.name}",
                )
                for k, (vial, _) in enumerate(inf.vials.vials)
                if vial not in product.vials
            )
    return list(dict.fromkeys(problems))  # a plan-wide problem once


def _check_courses(plan: Plan) -> Iterator[tuple[str, str]]:
    """The courses re-derived from the regimen: count, phase, dose, interval."""
    from ivig_core.planning.courses import course_list  # noqa: PLC0415 - lazy

    try:
        courses, _ = course_list(plan.regimen)
    except IvigError as exc:
        yield "regimen", f"its courses cannot be derived: {exc}"
        return
    replanned = any(cycle.course is not None for cycle in plan.cycles)
    if plan.ended == "cycles" and not replanned and len(courses) != len(plan.cycles):
        yield (
            "cycles",
            f"{len(plan.cycles)} courses, but the regimen gives {len(courses)}",
        )
    for k, cycle in enumerate(plan.cycles):
        at = f"cycles[{k}]"
        # A re-planned plan's course says which of the regimen's it plans.
        index = (cycle.number if cycle.course is None else cycle.course) - 1
        if not 0 <= index < len(courses):
            if not replanned and plan.ended != "cycles":
                break  # a plan ended by its taper or floor: fewer courses listed
            yield f"{at}.course", f"{index + 1}, but the regimen gives {len(courses)}"
            continue
        course = courses[index]
        if cycle.phase is not course.phase:
            yield (
                f"{at}.phase",
                f"{cycle.phase.value}, but the regimen gives {course.phase.value}",
            )
        if _off(cycle.dose_g_per_kg, course.dose_g_per_kg):
            yield (
                f"{at}.dose_g_per_kg",
                f"{cycle.dose_g_per_kg!r}, regimen: {course.dose_g_per_kg!r}",
            )
        if _off(cycle.interval_days, course.interval_days):
            yield (
                f"{at}.interval_days",
                f"{cycle.interval_days!r}, regimen: {course.interval_days!r}",
            )
        if isinstance(course.days, int) and cycle.days != course.days:
            yield f"{at}.days", f"{cycle.days}, but the regimen gives {course.days}"


def _check_run(
    at: str, inf: Infusion, plan: Plan, product: Product | None
) -> Iterator[tuple[str, str]]:
    from ivig_core.infusion import _label_limit_ml_h  # noqa: PLC0415 - one rule

    run = inf.run
    if run.product != inf.vials.product:
        yield (
            f"{at}.product",
            f"{run.product!r}, but the vials are {inf.vials.product!r}",
        )
    if product is not None and run.product != product.key:
        yield f"{at}.product", f"{run.product!r}, but the plan's is {product.key!r}"
    clock = yield from _check_steps(at, run, product)
    if _off(run.duration_min, clock):
        yield (
            f"{at}.duration_min",
            f"{run.duration_min!r}, but the steps last {clock!r}",
        )
    total = math.fsum(s.volume_ml for s in run.steps)
    if _off(run.volume_ml, total):
        yield f"{at}.volume_ml", f"{run.volume_ml!r} mL, but the steps give {total!r}"
    limits = [run.at_risk_cap_ml_h]
    if product is not None:
        try:
            label = _label_limit_ml_h(
                product,
                plan.indication,
                run.rate_weight_kg,
                product.concentration_g_per_l,
            )[0]
        except InputError as exc:  # an indication the product is not labelled for
            problem = f"{plan.indication!r} with {plan.product!r}: {exc}"
            yield "indication", problem
            yield "product", problem
            return
        limits.append(label)
    for limit in limits:
        if limit is not None and exceeds(run.maximum_ml_h, limit):
            yield (
                f"{at}.maximum_ml_h",
                f"{run.maximum_ml_h!r} mL/h, above the limit {limit!r} mL/h",
            )


def _check_steps(
    at: str, run: InfusionRun, product: Product | None
) -> Generator[tuple[str, str], None, float]:
    from ivig_core.rates import rate_kind, rate_to_ml_h  # noqa: PLC0415 - lazy

    clock = 0.0
    for k, step in enumerate(run.steps):
        where = f"{at}.steps[{k}]"
        if _off(step.start_min, clock):
            yield f"{where}.start_min", f"{step.start_min!r}, but expected {clock!r}"
        clock += step.duration_min
        volume = step.rate_ml_h * step.duration_min / 60.0
        if _off(step.volume_ml, volume):
            yield (
                f"{where}.volume_ml",
                f"{step.volume_ml!r}, but rate × time is {volume!r}",
            )
        if exceeds(step.rate_ml_h, run.maximum_ml_h):
            yield (
                f"{where}.rate_ml_h",
                f"{step.rate_ml_h!r}, above the maximum {run.maximum_ml_h!r}",
            )
        if product is None:
            continue
        scheduled = rate_to_ml_h(
            float(step.scheduled_rate.magnitude),
            rate_kind(step.scheduled_rate),
            run.rate_weight_kg,
            product.concentration_g_per_l,
        )
        cap = run.at_risk_cap_ml_h
        expected = min(scheduled, cap) if step.capped and cap is not None else scheduled
        if _off(step.rate_ml_h, expected):
            yield (
                f"{where}.rate_ml_h",
                f"{step.rate_ml_h!r}, but re-derived {expected!r}",
            )
    return clock


# --------------------------------------------------------------------------
# The integrity seal


def _seal_of(text: str | bytes, key: bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _key(key: object) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
        raise InputError(
            "key",
            "<hidden>",
            f"a secret key of at least {MIN_KEY_BYTES} bytes, held by the host",
        )
    return bytes(key)


def seal_plan(text: str | bytes, *, key: bytes) -> str:
    """An integrity seal for a plan document: HMAC-SHA256 with the host's key.

    A store keeps the seal beside the document; :func:`plan_from_json` with
    the same *key* and the seal refuses the document after any edit, even
    one the re-derivation cannot see (a finding deleted, a note changed).
    The key is the host's: the library never stores or makes one.

    Example:
        >>> seal = seal_plan('{"x": 1}', key=b"0123456789abcdef")
        >>> len(seal)
        64

    .. versionadded:: 0.1.0
    """
    if not isinstance(text, (str, bytes)):
        raise InputError("text", text, "the document's text")
    return _seal_of(text, _key(key))


def verify_seal(text: str | bytes, *, key: bytes | None, seal: str | None) -> None:
    """Refuse *text* unless *seal* is its seal under *key* (constant time).

    Raises:
        DocumentError: ``seal`` missing, malformed or not the document's.

    .. versionadded:: 0.1.0
    """
    if key is None:
        raise InputError("key", None, "the key the seal was made with")
    secret = _key(key)
    if not isinstance(text, (str, bytes)):
        raise _fail([("document", f"expected JSON text, got {text!r}")], text, "plan")
    if not isinstance(seal, str) or not re.fullmatch(r"[0-9a-f]{64}", seal):
        raise _fail(
            [("seal", "missing or malformed: 64 hex digits expected")], seal, "plan"
        )
    if not hmac.compare_digest(_seal_of(text, secret), seal):
        raise _fail(
            [
                (
                    "seal",
                    (
                        "the document was changed after it was sealed "
                        "(or another key was used)"
                    ),
                )
            ],
            seal,
            "plan",
        )


# --------------------------------------------------------------------------
# JSON Schema


_SCHEMA_PATH: Final = Path(__file__).with_name("plan.schema.json")


def _doc_line(cls: type) -> str:
    text = (cls.__doc__ or "").strip()
    return text.splitlines()[0] if text else cls.__name__


class _SchemaBuilder:
    def __init__(self, tagged: set[type]) -> None:
        self.defs: dict[str, object] = {}
        self.tagged = tagged

    def of(self, tp: object) -> dict[str, object]:  # noqa: C901, PLR0911, PLR0912 - a type switch
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is type(None):
            return {"type": "null"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return {"type": "number"}
        if tp is str:
            return {"type": "string"}
        if tp is dt.date:
            return {"type": "string", "format": "date"}
        if _is_quantity(tp):
            self._quantity()
            return {"$ref": "#/$defs/Quantity"}
        if tp is FindingCode:
            return {
                "description": (
                    "A finding code: a registered safety check's code (the "
                    "findings reference lists the library's own)."
                ),
                "type": "string",
                "pattern": CODE_PATTERN,
            }
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"enum": [m.value for m in tp]}
        if origin is Literal:
            return {"enum": list(args)}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.of(a) for a in args]}
        if origin is tuple and len(args) == 2 and args[1] is ...:
            return {"type": "array", "items": self.of(args[0])}
        if origin is tuple:
            return {
                "type": "array",
                "prefixItems": [self.of(a) for a in args],
                "items": False,
                "minItems": len(args),
            }
        if origin in (frozenset, set):
            return {"type": "array", "items": self.of(args[0]), "uniqueItems": True}
        if origin is collections.abc.Mapping and args and args[0] is str:
            return {"type": "object", "additionalProperties": self.of(args[1])}
        if isinstance(tp, type) and tp.__name__ == "Product" and attrs.has(tp):
            return {"description": "A product key.", "type": "string"}
        if isinstance(tp, type) and attrs.has(tp):
            self._class(tp)
            return {"$ref": f"#/$defs/{tp.__name__}"}
        msg = f"no JSON Schema for {tp!r}"
        raise TypeError(msg)

    def _quantity(self) -> None:
        self.defs["Quantity"] = {
            "description": "A quantity in a canonical unit of ivig_core.units.",
            "type": "object",
            "properties": {
                "unit": {"enum": list(UNIT_SYMBOLS)},
                "value": {"type": "number"},
            },
            "required": ["unit", "value"],
            "additionalProperties": False,
        }

    def _class(self, cls: type) -> None:
        name = cls.__name__
        if name in self.defs:
            return
        self.defs[name] = {}  # placeholder against recursion
        properties: dict[str, object] = {}
        if cls in self.tagged:
            properties["type"] = {"const": name}
        for field in attrs.fields(cls):
            if field.init and not (cls is Plan and field.name in _SEPARATE):
                properties[field.name] = self.of(field.type)
        self.defs[name] = {
            "description": _doc_line(cls),
            "type": "object",
            "properties": properties,
            "required": sorted(properties),
            "additionalProperties": False,
        }


def _nullable(schema: dict[str, object]) -> dict[str, object]:
    return {"anyOf": [{"type": "null"}, schema]}


def _closed_object(
    properties: dict[str, object], required: list[str] | None = None
) -> dict[str, object]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties) if required is None else required,
        "additionalProperties": False,
    }


def _inputs_schema(builder: _SchemaBuilder) -> dict[str, object]:
    """The schema of the ``inputs`` block (:func:`plan_to_json`)."""
    from ivig_core.findings import Override  # noqa: PLC0415 - lazy
    from ivig_core.plan import History, ProtocolRef  # noqa: PLC0415 - lazy
    from ivig_core.planning.calendar import ClosedDays  # noqa: PLC0415 - lazy
    from ivig_core.planning.split import SplitLimits  # noqa: PLC0415 - lazy
    from ivig_core.products import AtRiskCap  # noqa: PLC0415 - lazy
    from ivig_core.rates import RateSchedule  # noqa: PLC0415 - lazy
    from ivig_core.safety import SafetyConfig  # noqa: PLC0415 - lazy
    from ivig_core.scig import ScigDose, ScLimits  # noqa: PLC0415 - lazy
    from ivig_core.scig.conversion import ScigFrequency  # noqa: PLC0415 - lazy

    _inputs_converter()
    for cls in (
        Override, History, ProtocolRef, ClosedDays, SplitLimits, AtRiskCap,
        RateSchedule, SafetyConfig, ScigDose, ScLimits, Patient,
    ):  # fmt: skip
        _resolve(cls)
    kinds = _kinds()
    for table in kinds.values():
        for kind in table.values():
            _resolve(kind)
    builder.tagged.update(typing.get_args(ScigFrequency))
    builder.tagged.update(c for table in kinds.values() for c in table.values())
    date: dict[str, object] = {"type": "string", "format": "date"}
    product = {
        "description": "A product's name, or {'key': its catalogue key}.",
        "anyOf": [
            {"type": "null"},
            {"type": "string"},
            _closed_object({"key": {"type": "string"}}),
        ],
    }
    amount = {
        "description": "A quantity, its text, or an at-risk cap.",
        "anyOf": [
            {"type": "null"},
            _closed_object({"text": {"type": "string"}}),
            _closed_object({"quantity": builder.of(units.Quantity)}),
            _closed_object({"cap": builder.of(AtRiskCap)}),
        ],
    }

    def choice(field: str) -> dict[str, object]:
        table = kinds[field]
        return {
            "description": f"A built-in {field} policy's name, or the policy.",
            "anyOf": [
                {"type": "null"},
                {"type": "string"},
                *(builder.of(table[n]) for n in sorted(table)),
            ],
        }

    sc = _closed_object(
        {
            "limits": builder.of(ScLimits),
            "site_rate": amount,
            "first_infusions": _nullable(
                _closed_object(
                    {"limits": builder.of(ScLimits), "count": {"type": "integer"}}
                )
            ),
            "ramp_up": _nullable({"type": "boolean"}),
            "conversion": _nullable(builder.of(ScigDose)),
        }
    )
    builder.defs["PlanRequestRecord"] = {
        "description": "The PlanRequest a plan was planned from.",
        **_closed_object(
            {
                "patient": builder.of(Patient),
                "regimen": builder.of(Regimen),
                "product": product,
                "start": date,
                "policy": choice("policy"),
                "rounding": choice("rounding"),
                "indication": _nullable({"type": "string"}),
                "rate_weight": {"enum": ["dosing", "actual", None]},
                "rate_schedule": _nullable(builder.of(RateSchedule)),
                "at_risk_cap": amount,
                "closed": _nullable(builder.of(ClosedDays)),
                "limits": _nullable(builder.of(SplitLimits)),
                "sc": _nullable(sc),
                "safety": _closed_object(
                    {
                        "config": builder.of(SafetyConfig),
                        "overrides": {"type": "array", "items": builder.of(Override)},
                        "previous_product": product,
                        "strict": {"type": "boolean"},
                    }
                ),
                "protocol": _nullable(builder.of(ProtocolRef)),
            }
        ),
    }
    optional_date = _nullable(date)
    arguments = {
        "plan": _closed_object({}),
        "plan_scig": _closed_object(
            {"cycles": {"type": "integer"}, "first_dose": optional_date}
        ),
        "plan_scig_regimen": _closed_object(
            {"start": optional_date, "last_ivig": optional_date}
        ),
        "replan": _closed_object(
            {
                "plan": {"$ref": "#/$defs/PlanInputsRecord"},
                "administered": builder.of(History),
                "patient": _nullable(builder.of(Patient)),
                "from_date": date,
                "decision": {"enum": ["continue", "step-down", "step-up", None]},
            }
        ),
    }
    versions = {"catalogue": {"type": "string"}, "library": {"type": "string"}}
    description = (
        "What the plan was planned from, with the catalogue and library "
        "versions; planned again and compared on load. The planner's own "
        "arguments: plan_scig: cycles, first_dose; plan_scig_regimen: "
        "start, last_ivig; replan: the followed plan's inputs (plan), "
        "administered, patient, from_date, decision. 'unrecorded' (the "
        "reason) replaces the request for inputs that cannot be written."
    )

    def record(extra: dict[str, object]) -> list[object]:
        return [
            *(
                _closed_object(
                    {
                        **versions,
                        "planner": {"const": planner},
                        "request": {"$ref": "#/$defs/PlanRequestRecord"},
                        "arguments": arguments[planner],
                        **extra,
                    }
                )
                for planner in _ARGUMENTS
            ),
        ]

    unrecorded = _closed_object({**versions, "unrecorded": {"type": "string"}})
    builder.defs["PlanInputsRecord"] = {
        "description": description,
        "anyOf": [*record({}), unrecorded],
    }
    sha256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
    builder.defs["ProtocolTextRecord"] = {
        "description": (
            "A local protocol the plan's requests name (by name, version and "
            "SHA-256): the file's path and text as load_protocol read them, and "
            "its formulary's text; each text's SHA-256 is checked and the "
            "protocol read again on load."
        ),
        **_closed_object(
            {
                "file": {"type": "string"},
                "formulary": _nullable(
                    _closed_object({"sha256": sha256, "text": {"type": "string"}})
                ),
                "sha256": sha256,
                "text": {"type": "string"},
            }
        ),
    }
    protocols = {
        "description": (
            "The text of each local protocol the plan was made under, once "
            "(absent for a plan made under none)."
        ),
        "type": "array",
        "minItems": 1,
        "items": {"$ref": "#/$defs/ProtocolTextRecord"},
    }
    builder.defs["PlanDocumentInputsRecord"] = {
        "description": f"{description} The document's own inputs also carry the "
        "text of the protocols its requests name ('protocols').",
        "anyOf": [
            {"$ref": "#/$defs/PlanInputsRecord"},
            *record({"protocols": protocols}),
        ],
    }
    return {"$ref": "#/$defs/PlanDocumentInputsRecord"}


def plan_json_schema() -> dict[str, object]:
    """The JSON Schema (2020-12) of the plan document, built from the models.

    The package ships it as ``ivig_core/io/plan.schema.json``
    (:func:`plan_schema_text`); a test checks the shipped file equals this.

    .. versionadded:: 0.1.0
    """
    _converter()  # resolves the models' annotations
    classes: tuple[type, ...] = _resolve(Plan)
    tagged = {
        member for union in _tagged_unions(classes) for member in typing.get_args(union)
    }
    builder = _SchemaBuilder(tagged)
    builder.of(Plan)
    plan_def = typing.cast("dict[str, Any]", builder.defs.pop("Plan"))
    properties = dict(plan_def["properties"])
    properties["schema"] = {"const": _PLAN}
    properties["version"] = {"const": SCHEMA_VERSION}
    properties["sources"] = {
        "description": (
            "The publications the plan cites: ID of the project's bibliography, "
            "kind, whether weak, and the rendered citation; recomputed on load."
        ),
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "citation": {"type": "string"},
                "id": {"type": "string"},
                "kind": {"type": "string"},
                "weak": {"type": "boolean"},
            },
            "required": ["citation", "id", "kind", "weak"],
            "additionalProperties": False,
        },
    }
    properties["inputs"] = _inputs_schema(builder)
    properties["totals"] = {
        "description": "Sums over the infusions, recomputed on load.",
        "type": "object",
        "properties": {key: {"type": "number"} for key in TOTALS},
        "required": list(TOTALS),
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:ivig-core:schema:plan:{SCHEMA_VERSION}",
        "title": "ivig_core plan document",
        "description": plan_def["description"],
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
        "$defs": dict(sorted(builder.defs.items())),
    }


def plan_schema_text() -> str:
    """The plan JSON Schema as the text of the shipped ``plan.schema.json``.

    .. versionadded:: 0.1.0
    """
    return (
        json.dumps(plan_json_schema(), sort_keys=True, ensure_ascii=False, indent=2)
        + "\n"
    )


def write_plan_schema(path: Path = _SCHEMA_PATH) -> Path:
    """Regenerate the shipped schema file (run after a model change).

    .. versionadded:: 0.1.0
    """
    path.write_text(plan_schema_text(), encoding="utf-8")
    return path
