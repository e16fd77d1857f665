"""Bad input: every case raises the library's own error naming the field.

Each row is (what is called, the keyword arguments, the error class, the
field the message must name). Nothing but an IvigError may escape.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import (
    Q_,
    DocumentError,
    InputError,
    IvigError,
    UnitError,
    adjusted_body_weight,
    bmi,
    convert_to_scig,
    creatinine_clearance,
    dosing_weight,
    get_product,
    ideal_body_weight,
    load_formulary,
    plan_many,
)
from ivig_core.batch import iter_plans
from ivig_core.cli import main as cli_main
from ivig_core.dosing_weight import AdjustedWeight, UkRequestForm, Us120PercentIbw
from ivig_core.io.fhir import plan_to_fhir
from ivig_core.planning import split_units, taper_steps
from ivig_core.products import MaintenanceDuration, Source
from ivig_core.rates import RateStep
from ivig_core.regimen import DayRange, DoseSteps, Induction, Stop
from ivig_core.safety import SafetyConfig
from ivig_core.scig import LabelFactor, UserFactor, Weekly
from processes import cli
from worked import example_plan, woman


PRIVIGEN_SOURCE = Source.cited(("privigen-uspi",))


def ibw(**changes: object) -> object:
    """ideal_body_weight with good defaults and *changes*."""
    return ideal_body_weight(**{"height": "165 cm", "sex": "female", **changes})  # type: ignore[arg-type]


def adj(**changes: object) -> object:
    """adjusted_body_weight with good defaults and *changes*."""
    return adjusted_body_weight(**{"actual": "92 kg", "ideal": "57 kg", **changes})  # type: ignore[arg-type]


def crcl(**changes: object) -> object:
    """creatinine_clearance with good defaults and *changes*."""
    args = {
        "age": "54 year",
        "weight": "70 kg",
        "sex": "male",
        "serum_creatinine": "1 mg/dL",
        **changes,
    }
    return creatinine_clearance(**args)  # type: ignore[arg-type]


def body_mass(**changes: object) -> object:
    """Bmi with good defaults and *changes*."""
    return bmi(**{"weight": "92 kg", "height": "165 cm", **changes})


def dw(policy: object) -> object:
    """dosing_weight for a good patient under *policy*."""
    return dosing_weight(woman(), policy)  # type: ignore[arg-type]


CASES: list[tuple[str, Callable[[], object], type[IvigError], str]] = [
    # bare numbers: units are never assumed
    ("weight bare int", lambda: woman(weight=92), UnitError, "weight"),
    ("weight bare float", lambda: woman(weight=92.0), UnitError, "weight"),
    ("weight numeric string", lambda: woman(weight="92"), UnitError, "weight"),
    ("height bare", lambda: woman(height=165), UnitError, "height"),
    ("age bare", lambda: woman(age=54), UnitError, "age"),
    ("iga bare", lambda: woman(serum_iga=90), UnitError, "serum_iga"),
    (
        "creatinine bare",
        lambda: woman(serum_creatinine=1.0),
        UnitError,
        "serum_creatinine",
    ),
    ("bmi weight bare", lambda: body_mass(weight=92), UnitError, "weight"),
    ("ibw height bare", lambda: ibw(height=165), UnitError, "height"),
    ("adjbw ideal bare", lambda: adj(ideal=57), UnitError, "ideal"),
    # wrong dimensions
    ("weight in cm", lambda: woman(weight="92 cm"), UnitError, "weight"),
    ("height in kg", lambda: woman(height="165 kg"), UnitError, "height"),
    ("age in kg", lambda: woman(age="54 kg"), UnitError, "age"),
    ("weight in mL", lambda: woman(weight="92 mL"), UnitError, "weight"),
    ("iga in mg", lambda: woman(serum_iga="90 mg"), UnitError, "serum_iga"),
    (
        "creatinine in mmol",
        lambda: woman(serum_creatinine="1 mmol"),
        UnitError,
        "serum_creatinine",
    ),
    ("crcl weight in years", lambda: crcl(weight="70 year"), UnitError, "weight"),
    (
        "short stature in kg",
        lambda: UkRequestForm(short_stature_below="132 kg"),
        UnitError,
        "short_stature_below",
    ),
    # unknown units and unreadable strings
    ("unknown unit", lambda: woman(weight="92 kgs-ish"), UnitError, "weight"),
    ("no number", lambda: woman(weight="heavy"), UnitError, "weight"),
    ("empty string", lambda: woman(height=""), UnitError, "height"),
    ("nan string", lambda: woman(weight="nan kg"), UnitError, "weight"),
    # NaN, infinities
    ("weight NaN", lambda: woman(weight=Q_(math.nan, "kg")), InputError, "weight"),
    ("height inf", lambda: woman(height=Q_(math.inf, "cm")), InputError, "height"),
    ("age -inf", lambda: woman(age=Q_(-math.inf, "year")), InputError, "age"),
    (
        "bmi NaN height",
        lambda: body_mass(height=Q_(math.nan, "m")),
        InputError,
        "height",
    ),
    # zero, negative, implausible
    ("weight zero", lambda: woman(weight="0 kg"), InputError, "weight"),
    ("weight negative", lambda: woman(weight="-70 kg"), InputError, "weight"),
    ("weight in grams slip", lambda: woman(weight="92 mg"), InputError, "weight"),
    ("weight 700 kg", lambda: woman(weight="700 kg"), InputError, "weight"),
    ("height zero", lambda: woman(height="0 cm"), InputError, "height"),
    ("height in mm slip", lambda: woman(height="1650 cm"), InputError, "height"),
    ("age negative", lambda: woman(age="-1 year"), InputError, "age"),
    ("age 200", lambda: woman(age="200 year"), InputError, "age"),
    (
        "creatinine zero",
        lambda: woman(serum_creatinine="0 mg/dL"),
        InputError,
        "serum_creatinine",
    ),
    ("iga negative", lambda: woman(serum_iga="-1 mg/dL"), InputError, "serum_iga"),
    (
        "pre-pregnancy weight negative",
        lambda: woman(pre_pregnancy_weight="-1 kg"),
        InputError,
        "pre_pregnancy_weight",
    ),
    ("crcl child", lambda: crcl(age="10 year"), InputError, "age"),
    (
        "crcl creatinine zero",
        lambda: crcl(serum_creatinine="0 mg/dL"),
        InputError,
        "serum_creatinine",
    ),
    ("ibw short default", lambda: ibw(height="140 cm"), InputError, "height"),
    # unknown enumerations and wrong types
    ("sex unknown", lambda: woman(sex="unknown"), InputError, "sex"),
    ("sex abbreviation", lambda: woman(sex="f"), InputError, "sex"),
    ("sex None", lambda: woman(sex=None), InputError, "sex"),
    ("sex int", lambda: woman(sex=1), InputError, "sex"),
    ("blood group", lambda: woman(abo_group="C"), InputError, "abo_group"),
    (
        "risk factor unknown",
        lambda: woman(risk_factors=["vampirism"]),
        InputError,
        "risk_factors",
    ),
    (
        "risk factors as string",
        lambda: woman(risk_factors="diabetes"),
        InputError,
        "risk_factors",
    ),
    ("pregnant string", lambda: woman(pregnant="yes"), InputError, "pregnant"),
    ("formula unknown", lambda: ibw(formula="broca"), InputError, "formula"),
    ("formula int", lambda: ibw(formula=1), InputError, "formula"),
    ("ibw sex", lambda: ibw(sex="other"), InputError, "sex"),
    ("below_60in unknown", lambda: ibw(below_60in="round"), InputError, "below_60in"),
    ("factor zero", lambda: adj(factor=0.0), InputError, "factor"),
    ("factor above one", lambda: adj(factor=1.5), InputError, "factor"),
    ("factor string", lambda: adj(factor="0.4"), InputError, "factor"),
    ("factor NaN", lambda: adj(factor=math.nan), InputError, "factor"),
    ("policy factor", lambda: AdjustedWeight(factor=-0.4), InputError, "factor"),
    ("policy unknown", lambda: dw("heaviest"), InputError, "policy"),
    ("policy wrong type", lambda: dw(42), InputError, "policy"),
    (
        "patient wrong type",
        lambda: dosing_weight("patient", "actual"),  # type: ignore[arg-type]
        InputError,
        "patient",
    ),
    ("weight is a list", lambda: woman(weight=[92, "kg"]), UnitError, "weight"),
    ("weight is a bool", lambda: woman(weight=True), UnitError, "weight"),
    ("weight is a tuple", lambda: woman(weight=(92, "kg")), UnitError, "weight"),
    # issue 14: plausibility bounds (each with its reason in the message)
    ("height signed inches", lambda: woman(height="6 ft -3 in"), UnitError, "height"),
    ("height inches >= 12", lambda: woman(height="5 ft 15 in"), UnitError, "height"),
    (
        "creatinine slip",
        lambda: woman(serum_creatinine="0.001 mg/dL"),
        InputError,
        "serum_creatinine",
    ),
    (
        "rate above every label",
        lambda: RateStep(rate="80 mg/kg/min"),
        InputError,
        "rate",
    ),
    ("rate cap tiny", lambda: RateStep(rate="0.0001 mg/kg/min"), InputError, "rate"),
    (
        "rate step of 1e-9 min",
        lambda: RateStep(rate="1 mg/kg/min", duration="1e-9 min"),
        InputError,
        "duration",
    ),
    (
        "policy threshold 120",
        lambda: Us120PercentIbw(threshold=120),
        InputError,
        "threshold",
    ),
    (
        "policy threshold NaN",
        lambda: Us120PercentIbw(threshold=math.nan),
        InputError,
        "threshold",
    ),
    (
        "SCIg factor 137",
        lambda: UserFactor(factor=137, reason="slip"),
        InputError,
        "rule.factor",
    ),
    (
        "IVIg interval of a second",
        lambda: convert_to_scig(
            ivig_dose="30 g",
            ivig_interval="1 s",
            product="hizentra",
            rule=LabelFactor(),
            frequency=Weekly(),
        ),
        InputError,
        "ivig_interval",
    ),
    (
        "dose in mg/kg",
        lambda: Induction(
            dose="2 mg/kg", allowed_days=DayRange(low=2, high=5), source="s"
        ),
        InputError,
        "induction.dose",
    ),
    # issue 14: foreign exceptions, now the library's own
    ("split days 10**9", lambda: split_units(0, 10**9), InputError, "days"),
    (
        "taper subnormal interval",
        lambda: taper_steps(
            DoseSteps.jnd_2023(),
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=5e-324,
        ),
        InputError,
        "maintenance.interval",
    ),
    (
        "indication not a string",
        lambda: get_product("privigen").indication(3),  # type: ignore[arg-type]
        InputError,
        "indication",
    ),
    (
        "SC product to the IV planner",
        lambda: get_product("hizentra").indication("pi"),
        InputError,
        "product",
    ),
    (
        "last IVIg in year 9999",
        lambda: convert_to_scig(
            ivig_dose="30 g",
            ivig_interval="4 week",
            product="hizentra",
            rule=LabelFactor(),
            frequency=Weekly(),
            last_ivig=dt.date(9999, 12, 31),
        ),
        InputError,
        "last_ivig",
    ),
    (
        "formulary path not a path",
        lambda: load_formulary(3),  # type: ignore[arg-type]
        InputError,
        "path",
    ),
    ("product name not a string", lambda: get_product(3), InputError, "product"),  # type: ignore[arg-type]
    (
        "plan_many of a number",
        lambda: plan_many(3),  # type: ignore[arg-type]
        InputError,
        "requests",
    ),
    # A scalar pint quantity where a collection is expected: Python calls it
    # Iterable (it has __iter__) but it refuses to iterate (_checks.iterates).
    (
        "plan_many of a scalar quantity",
        lambda: plan_many(Q_(3.0, "kg")),
        InputError,
        "requests",
    ),
    (
        "iter_plans of a scalar quantity",
        lambda: next(iter_plans(Q_(3.0, "kg"))),
        InputError,
        "requests",
    ),
    (
        "console argv a scalar quantity",
        lambda: cli_main(Q_(3.0, "kg")),  # type: ignore[arg-type]
        InputError,
        "argv",
    ),
    (
        "console argv not strings",
        lambda: cli_main(["plan", 3]),  # type: ignore[list-item]
        InputError,
        "argv[1]",
    ),
    (
        "FHIR patient identifiers a scalar quantity",
        lambda: plan_to_fhir(
            example_plan(),
            patient="Patient/p1",
            authored=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
            patient_identifiers=Q_(3.0, "kg"),
        ),
        InputError,
        "patient_identifiers",
    ),
    # The soft findings' parameters (issue 14 item 2)
    (
        "rounding tolerance a bare number",
        lambda: SafetyConfig(rounding_tolerance=0.1),
        UnitError,
        "rounding_tolerance",
    ),
    (
        "rounding tolerance of a mass",
        lambda: SafetyConfig(rounding_tolerance="10 kg"),
        UnitError,
        "rounding_tolerance",
    ),
    (
        "rounding tolerance 0 %",
        lambda: SafetyConfig(rounding_tolerance="0 %"),
        InputError,
        "rounding_tolerance",
    ),
    (
        "rounding tolerance above 50 %",
        lambda: SafetyConfig(rounding_tolerance="50.1 %"),
        InputError,
        "rounding_tolerance",
    ),
    (
        "label duration of 0 months",
        lambda: MaintenanceDuration(
            indication="cidp", months=0, words="w", source=PRIVIGEN_SOURCE
        ),
        InputError,
        "months",
    ),
    (
        "label duration without the label's words",
        lambda: MaintenanceDuration(
            indication="cidp", months=6, source=PRIVIGEN_SOURCE
        ),
        InputError,
        "words",
    ),
]


def test_table_is_big_enough() -> None:
    """The issue asks for at least 40 bad-input cases."""
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [pytest.param(c, e, f, id=name) for name, c, e, f in CASES],
)
def test_bad_input(
    call: Callable[[], object], error: type[IvigError], field: str
) -> None:
    """The call raises the library's error, and the message starts with the field."""
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"{field}:")
    assert info.value.field == field  # type: ignore[attr-defined]
    assert isinstance(info.value, IvigError)


@given(
    weight=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
        st.lists(st.integers(), max_size=2),
        st.builds(lambda x: Q_(x, "kg"), st.floats()),
    ),
)
def test_fuzz_only_library_errors_escape(weight: Any) -> None:
    """Whatever is passed as a weight: a patient in range, or an error naming weight."""
    refused: InputError | None = None
    try:
        patient = woman(weight=weight)
    except InputError as error:
        refused = error
    if refused is None:
        assert 0.2 <= patient.weight.m_as("kg") <= 650  # Patient's accepted range
    else:
        assert refused.field == "weight"


# --------------------------------------------------------------------------
# Documents, formulary files and the console: the same contract


_PATIENT_JSON = (
    '{"schema": "ivig_core.patient", "version": 1, "sex": "female", '
    '"age": {"unit": "year", "value": 54.0}}'
)

DOCUMENTS: list[tuple[str, object, str]] = [
    ("binary", b"\xff\xfe\x00garbage", "document"),
    ("nested 1000 deep", "[" * 1000 + "]" * 1000, "document"),
    ("not an object", "[1, 2]", "document"),
    ("newer version", '{"schema": "ivig_core.patient", "version": 9}', "version"),
    ("wrong schema", '{"schema": "ivig_core.plan", "version": 1}', "schema"),
    ("NaN", '{"schema": "ivig_core.patient", "version": 1, "x": NaN}', "document"),
    ("missing fields", _PATIENT_JSON, "height"),
    ("not text", 42, "document"),
]


@pytest.mark.parametrize(
    ("text", "field"),
    [pytest.param(t, f, id=name) for name, t, f in DOCUMENTS],
)
def test_bad_documents(text: object, field: str) -> None:
    """A bad document: a DocumentError naming the path; nothing returned."""
    from ivig_core.io.json import patient_from_json  # noqa: PLC0415 - extra

    result = None
    with pytest.raises(DocumentError) as info:
        result = patient_from_json(text)  # type: ignore[arg-type]
    assert result is None
    assert info.value.field == field


FORMULARIES: list[tuple[str, str, str]] = [
    ("invalid TOML", "schema = ", "invalid TOML"),
    ("no products", "schema = 1\n", "products"),
    ("binary", "\udcff", "cannot read"),
]


@pytest.mark.parametrize(
    ("content", "needle"),
    [pytest.param(c, n, id=name) for name, c, n in FORMULARIES],
)
def test_bad_formulary_files(tmp_path: Path, content: str, needle: str) -> None:
    """A bad formulary file: an InputError naming the file; nothing loaded."""
    path = tmp_path / "local.toml"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    loaded = None
    with pytest.raises(InputError) as info:
        loaded = load_formulary(path)
    assert loaded is None
    assert str(path) in str(info.value)
    assert needle in str(info.value)


_SCIG = (
    "scig",
    "--sex",
    "female",
    "--age",
    "54 year",
    "--height",
    "165 cm",
    "--weight",
    "70 kg",
    "--ivig-dose",
    "30 g",
    "--ivig-interval",
    "4 week",
    "--product",
    "hizentra",
    "--rule",
    "label",
    "--frequency",
    "weekly",
    "--cycles",
    "2",
    "--policy",
    "actual",
    "--rounding",
    "never-below",
    "--site-rate",
    "label-maximum",
    "--situation",
    "PI, later infusions",
    "--max-sites",
    "4",
    "--limits-source",
    "infusion-centre protocol 12",
)


def _with(args: tuple[str, ...], flag: str, value: str) -> tuple[str, ...]:
    out = list(args)
    if flag in out:
        out[out.index(flag) + 1] = value
    else:
        out += [flag, value]
    return tuple(out)


CONSOLE: list[tuple[str, tuple[str, ...], str]] = [
    ("formulary missing", _with(_SCIG, "--formulary", "missing.toml"), "--formulary"),
    ("cycles 10**9", _with(_SCIG, "--cycles", str(10**9)), "--cycles"),
    ("height signed", _with(_SCIG, "--height", "6 ft -3 in"), "--height"),
    ("factor 137", _with(_SCIG, "--rule", "factor=137"), "--rule"),
]


@pytest.mark.parametrize(
    ("args", "flag"),
    [pytest.param(a, f, id=name) for name, a, f in CONSOLE],
)
def test_bad_console_input(args: tuple[str, ...], flag: str) -> None:
    """Exit 2, one line naming the flag the user typed, nothing printed."""
    done = cli(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert f"{flag}:" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_the_bad_input_table_covers_every_entry_point() -> None:
    """API, documents, formulary files and the console each have cases."""
    assert len(CASES) >= 80
    assert len(DOCUMENTS) + len(FORMULARIES) + len(CONSOLE) >= 15
