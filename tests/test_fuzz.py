"""Fuzz: only the library's own errors escape the public API, for any value.

The way ``whenever`` fuzzes its API: every public callable (the names in
``ivig_core.__all__`` and in each public module's ``__all__``) is called
with arbitrary values of arbitrary types, and nothing but an
:class:`~ivig_core.IvigError` may escape. A second fuzz calls the main entry
points with good arguments and one or two replaced by arbitrary values, so
the bad value travels past the first check into the pipeline.

Sizes are bounded (short collections, a few leaves), and the library caps
every count (``_checks.MAX_COUNT``), so no call runs for minutes. The
settings are the ``ci`` profile's (derandomised, no deadline) with the
example counts below.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import inspect
import typing
from collections.abc import Callable
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivig_core
from ivig_core import Q_, IvigError
from ivig_core.io import json as io_json
from ivig_core.scig import LabelFactor, Weekly
from test_api import PUBLIC_MODULES
from worked import (
    LAST_IVIG,
    MONDAY,
    hizentra_conversion,
    hizentra_first_infusions,
    hizentra_later_limits,
    octagam,
    octagam_dm_schedule,
    seed_000_with_taper,
    woman,
)


#: Examples per public callable in the broad fuzz (178 callables).
EXAMPLES_PER_CALLABLE: Final = 25
#: Examples per entry point in the one-bad-argument fuzz.
EXAMPLES_PER_ENTRY_POINT: Final = 100

#: Not callables of the library's own: typing constructs (Protocols, type
#: aliases) and pint's Quantity class, re-exported for annotations.
NOT_CALLABLE: Final = frozenset(
    {
        "ivig_core.DosingWeightPolicy",
        "ivig_core.Quantity",
        "ivig_core.body.ShortStature",
        "ivig_core.regimen.DaysChoice",
        "ivig_core.vials.RoundingPolicy",
    }
)
#: Callables with effects outside the call: writing the shipped schema file,
#: the console (it exits), drawing (matplotlib) and the process-wide
#: registry (tested in test_units).
EFFECTS: Final = frozenset(
    {
        "ivig_core.io.json.write_plan_schema",
        "ivig_core.cli.main",
        "ivig_core.io.plot.plot_plan",
        "ivig_core.set_registry",
        "ivig_core.units.set_registry",
    }
)


def _named(qualified: str) -> object:
    module, _, attr = qualified.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _public_callables() -> dict[str, Callable[..., object]]:
    found: dict[int, tuple[str, Callable[..., object]]] = {}
    for module_name in ("", *PUBLIC_MODULES):
        name = "ivig_core" + (f".{module_name}" if module_name else "")
        if module_name in {"testing", "cli", "io.plot"}:
            continue  # strategies, the console, drawing: see EFFECTS
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            qualified = f"{name}.{attr}"
            if (
                attr.startswith("__")
                or qualified in EFFECTS
                or any(obj is _named(n) for n in NOT_CALLABLE)
                or not callable(obj)
                or typing.get_origin(obj) is not None  # a type alias (Literal)
                or (
                    isinstance(obj, type) and issubclass(obj, BaseException | enum.Enum)
                )
            ):
                continue
            found.setdefault(id(obj), (qualified, obj))
    return dict(sorted(found.values()))


CALLABLES: Final = _public_callables()

#: Values worth trying anywhere: near-misses of good inputs and the classic
#: slips (a bare number, a signed feet-and-inches, a subnormal, a huge count,
#: the last date).
_NEAR: Final = (
    "92 kg",
    "165 cm",
    "54 year",
    "2 g/kg",
    "4 week",
    "1 mg/dL",
    "1 mg/kg/min",
    "30 min",
    "privigen",
    "hizentra",
    "cidp",
    "female",
    "actual",
    "never-below",
    "6 ft -3 in",
    "5 ft 15 in",
    "1e400 kg",
    "-1 kg",
    "5e-324 kg",
    "year",
    "",
    "\x00",
    10**9,
    2**70,
    -1,
    0,
    5e-324,
    float("nan"),
    float("inf"),
    dt.date.max,
    dt.date.min,
    dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.dates(),
    st.complex_numbers(max_magnitude=1e3),
    st.sampled_from(_NEAR),
    st.builds(Q_, st.floats(allow_nan=True), st.sampled_from(["kg", "g", "mL", "day"])),
)
#: Arbitrary values of arbitrary types, bounded in size.
ANY: Final = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=6,
)


def _call(fn: Callable[..., object], args: dict[str, Any]) -> None:
    try:
        fn(**args)
    except IvigError as err:
        _says_what_is_wrong(err, args)


def _says_what_is_wrong(err: IvigError, args: dict[str, Any] | None = None) -> None:
    """An escaping error has a message; an InputError names a field and a range.

    A function that takes the caller's name for the value (``field=``) names it
    as given, even when the fuzz gave a name that is not a name.
    """
    assert str(err)
    if isinstance(err, ivig_core.InputError):
        caller = (args or {}).get("field", "")
        assert err.field or err.field == caller, repr(err)
        assert err.allowed, repr(err)
        assert str(err).startswith(f"{err.field}: "), repr(err)


def _parameters(fn: Callable[..., object]) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in {p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY}
    ]


def test_the_fuzz_covers_the_public_api() -> None:
    """Every public function and class is fuzzed (none skipped unseen)."""
    assert len(CALLABLES) > 150
    assert "ivig_core.plan_course" in CALLABLES
    assert "ivig_core.plan_from_json" in CALLABLES


@pytest.mark.parametrize("name", list(CALLABLES))
@settings(
    max_examples=EXAMPLES_PER_CALLABLE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_any_value_of_any_type_raises_only_ivig_errors(
    name: str, data: st.DataObject
) -> None:
    """Arbitrary values for every parameter: only an IvigError escapes."""
    fn = CALLABLES[name]
    args: dict[str, Any] = {}
    for p in _parameters(fn):
        if p.default is not p.empty and data.draw(st.booleans(), label="default"):
            continue
        args[p.name] = data.draw(ANY, label=p.name)
    _call(fn, args)


def _good() -> dict[str, tuple[Callable[..., object], dict[str, Any]]]:
    """Each main entry point with arguments that plan."""
    return {
        "plan_course": (
            ivig_core.plan_course,
            {
                "patient": woman(),
                "regimen": seed_000_with_taper(),
                "product": octagam(),
                "start": MONDAY,
                "policy": "ideal",
                "rounding": "never-below",
                "indication": "dermatomyositis",
                "rate_weight": "dosing",
                "rate_schedule": octagam_dm_schedule(),
                "at_risk_cap": None,
                "closed": None,
                "limits": None,
                "strict": False,
            },
        ),
        "plan_scig": (
            ivig_core.plan_scig,
            {
                "patient": woman("70 kg"),
                "conversion": hizentra_conversion(),
                "policy": "actual",
                "rounding": "never-below",
                "limits": hizentra_later_limits(),
                "first_infusions": hizentra_first_infusions(),
                "site_rate": "label-maximum",
                "cycles": 3,
            },
        ),
        "convert_to_scig": (
            ivig_core.convert_to_scig,
            {
                "ivig_dose": "30 g",
                "ivig_interval": "4 week",
                "product": "hizentra",
                "rule": LabelFactor(),
                "frequency": Weekly(),
                "last_ivig": LAST_IVIG,
            },
        ),
        "Patient": (
            ivig_core.Patient,
            {
                "sex": "female",
                "age": "54 year",
                "height": "165 cm",
                "weight": "92 kg",
                "serum_creatinine": "1 mg/dL",
            },
        ),
        "dosing_weight": (
            ivig_core.dosing_weight,
            {"patient": woman(), "policy": "uk-request-form"},
        ),
        "rate_schedule": (
            ivig_core.rate_schedule,
            {
                "product": octagam(),
                "indication": "dermatomyositis",
                "increment": "1 mg/kg/min",
                "interval": "30 min",
            },
        ),
        "creatinine_clearance": (
            ivig_core.creatinine_clearance,
            {
                "age": "54 year",
                "weight": "70 kg",
                "sex": "male",
                "serum_creatinine": "1 mg/dL",
            },
        ),
    }


GOOD: Final = _good()


@pytest.mark.parametrize("entry", list(GOOD))
@settings(
    max_examples=EXAMPLES_PER_ENTRY_POINT,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_one_bad_argument_among_good_ones_raises_only_ivig_errors(
    entry: str, data: st.DataObject
) -> None:
    """Good arguments with one or two replaced: only an IvigError escapes."""
    fn, good = GOOD[entry]
    args = dict(good)
    names = sorted(args)
    for name in data.draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True),
        label="replaced",
    ):
        args[name] = data.draw(ANY, label=name)
    _call(fn, args)


@settings(max_examples=EXAMPLES_PER_ENTRY_POINT)
@given(
    text=st.one_of(st.text(max_size=200), st.binary(max_size=200)),
    kind=st.sampled_from(["plan", "patient", "regimen", "report"]),
)
def test_any_text_raises_only_document_errors(text: str | bytes, kind: str) -> None:
    """Any text or bytes given to a loader: a DocumentError or a value of its kind."""
    loader = getattr(io_json, f"{kind}_from_json")
    try:
        loaded = loader(text)
    except ivig_core.DocumentError as err:
        _says_what_is_wrong(err)
    else:  # a value only if the text was a document of its kind
        assert isinstance(loaded, _LOADED[kind])


_LOADED: Final = {
    "plan": ivig_core.Plan,
    "patient": ivig_core.Patient,
    "regimen": ivig_core.Regimen,
    "report": ivig_core.SafetyReport,
}


def test_typing_names_are_not_fuzzed_by_accident() -> None:
    """The skipped names are typing constructs or pint's class, as stated."""
    for qualified in NOT_CALLABLE:
        module, _, attr = qualified.rpartition(".")
        obj = getattr(importlib.import_module(module), attr)
        assert (
            typing.get_origin(obj) is not None
            or getattr(obj, "_is_protocol", False)
            or obj is ivig_core.Quantity
        ), qualified
