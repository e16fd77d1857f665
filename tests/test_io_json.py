"""JSON documents: round trips, determinism, the schema, and tampered input."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import worked
from ivig_core import InputError, Patient, PlanningError
from ivig_core.errors import DocumentError
from ivig_core.infusion import rate_schedule
from ivig_core.io import MissingExtraError, require
from ivig_core.io.json import (
    UNIT_SYMBOLS,
    patient_from_json,
    patient_to_json,
    plan_from_json,
    plan_json_schema,
    plan_schema_text,
    plan_to_json,
    regimen_from_json,
    regimen_to_json,
)
from ivig_core.plan import Plan
from ivig_core.planning.course import plan_course
from ivig_core.products import get_product
from ivig_core.rates import RateSchedule
from ivig_core.regimen import (
    PRESETS,
    Combined,
    DoseSteps,
    Floor,
    Hold,
    IntervalExtension,
    PercentPerInfusion,
    Regimen,
    Stop,
    Taper,
    get_preset,
)
from ivig_core.testing import adult_patients, patients
from processes import cold_import
from worked import MONDAY


SCHEMA_FILE = (
    Path(__file__).parent.parent / "src" / "ivig_core" / "io" / "plan.schema.json"
)


@cache
def schedules() -> dict[str, tuple[str, str, RateSchedule]]:
    """Product, indication and rate schedule combinations the catalogue supports."""
    octagam = get_product("octagam 10%")
    gamunex = get_product("gamunex-c")
    return {
        "octagam-dm": (
            "octagam 10%",
            "dermatomyositis",
            rate_schedule(
                octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
            ),
        ),
        "octagam-itp": ("octagam 10%", "itp", rate_schedule(octagam, "itp")),
        "bivigam-pi": ("bivigam", "pi", rate_schedule(get_product("bivigam"), "pi")),
        "gamunex-cidp": (
            "gamunex-c",
            "cidp",
            rate_schedule(gamunex, "cidp", increment="2 mg/kg/min", interval="30 min"),
        ),
    }


def make_plan(
    who: Patient, regimen: Regimen, combo: str = "octagam-dm", **kw: Any
) -> Plan:
    """Plan *regimen* for *who* with a catalogue schedule."""
    product, indication, schedule = schedules()[combo]
    options: dict[str, Any] = {
        "start": MONDAY,
        "policy": "ideal",
        "rounding": "never-below",
        "rate_weight": "dosing",
    }
    options.update(kw)
    return plan_course(
        who,
        regimen,
        product,
        indication=indication,
        rate_schedule=schedule,
        **options,
    )


@cache
def example_text() -> str:
    """The worked example's JSON."""
    return plan_to_json(worked.example_plan_at_risk())


# --------------------------------------------------------------------------
# Round trips


def test_example_plan_round_trips() -> None:
    """A full plan with induction, maintenance and taper reads back equal."""
    plan = worked.example_plan_at_risk()
    assert plan_from_json(example_text()) == plan
    assert plan_to_json(plan_from_json(example_text())) == example_text()


def test_document_envelope_and_units() -> None:
    """The document names its schema and version; quantities carry units."""
    doc = json.loads(example_text())
    assert doc["schema"] == "ivig_core.plan"
    assert doc["version"] == 1
    assert doc["dosing_weight"]["weight"]["unit"] == "kg"
    assert doc["infusions"][0]["vials"]["volume"]["unit"] == "mL"
    assert doc["regimen"]["taper"]["strategy"]["type"] == "DoseSteps"
    assert doc["regimen"]["taper"]["end"] == {"type": "Stop"}
    assert doc["totals"]["dispensed_g"] == worked.EXAMPLE_TOTAL_DISPENSED_G  # 702 g
    assert (
        doc["totals"]["dispensed_g"] == worked.example_plan_at_risk().total_dispensed_g
    )
    assert doc["start"] == "2026-01-05"
    assert doc["indication"] == "dermatomyositis"
    codes = [f["code"] for f in doc["safety"]["findings"]]
    assert "IGA_NOT_MEASURED" not in codes  # serum IgA is recorded
    assert plan_from_json(example_text()).safety == worked.example_plan_at_risk().safety


@st.composite
def regimens(draw: st.DrawFn) -> Regimen:
    """Presets with every choice made, some with a taper."""
    name = draw(st.sampled_from(sorted(PRESETS)))
    preset = get_preset(name)
    choices: dict[str, Any] = {}
    if preset.induction is not None and preset.induction.days is None:
        allowed = preset.induction.allowed_days
        choices["induction_days"] = draw(st.integers(allowed.low, allowed.high or 5))
    maintenance = preset.maintenance
    if maintenance is not None:
        if maintenance.days is None:
            allowed = maintenance.allowed_days
            choices["maintenance_days"] = draw(
                st.integers(allowed.low, min(allowed.high or 2, 2))
            )
        if maintenance.cycles is None:
            allowed = maintenance.allowed_cycles
            choices["cycles"] = draw(
                st.integers(allowed.low, min(allowed.high or 4, 4))
            )
        if draw(st.booleans()):
            choices["taper"] = draw(tapers())
    return preset.choose(**choices)


def tapers() -> st.SearchStrategy[Taper]:
    """A few taper strategies with both endings."""
    strategies = st.sampled_from(
        [
            DoseSteps(fractions=(0.75, 0.5), hold=Hold(cycles=1), source="test"),
            PercentPerInfusion(percent=25.0, of="starting", source="test"),
            IntervalExtension(intervals=("6 week",), hold=Hold(cycles=1), source="t"),
        ]
    )
    ends = st.sampled_from([Stop(), Floor(intensity="0.05 g/kg/week")])
    return st.builds(lambda s, e: Taper(strategy=s, end=e), strategies, ends)


@settings(max_examples=30)
@given(
    who=adult_patients(),
    regimen=regimens(),
    combo=st.sampled_from(sorted(schedules())),
    start=st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)),
    policy=st.sampled_from(["actual", "ideal", "adjusted"]),
)
def test_generated_plans_round_trip(
    who: Patient, regimen: Regimen, combo: str, start: dt.date, policy: str
) -> None:
    """plan_from_json(plan_to_json(p)) == p, and the text is stable."""
    try:
        plan = make_plan(who, regimen, combo, start=start, policy=policy)
    except (PlanningError, InputError):
        reject()
    text = plan_to_json(plan)
    back = plan_from_json(text)
    assert back == plan
    assert plan_to_json(back) == text


@st.composite
def full_patients(draw: st.DrawFn) -> Patient:
    """Patients with the optional fields drawn too."""
    base = draw(patients())
    return Patient(
        sex=base.sex,
        age=base.age,
        height=base.height,
        weight=base.weight,
        serum_iga=draw(st.none() | st.just("7 mg/dL") | st.just("0.9 g/L")),
        serum_creatinine=draw(st.none() | st.just("88.4 umol/L")),
        abo_group=draw(st.none() | st.sampled_from(["O", "A", "B", "AB"])),
        pregnant=draw(st.none() | st.booleans()),
        risk_factors=base.risk_factors,
    )


@given(full_patients())
def test_patients_round_trip(patient: Patient) -> None:
    """patient_from_json(patient_to_json(p)) == p for any valid patient."""
    text = patient_to_json(patient)
    assert patient_from_json(text) == patient
    assert patient_to_json(patient_from_json(text)) == text


@pytest.mark.parametrize(
    "regimen",
    [
        *PRESETS.values(),
        worked.seed_000_with_taper(),
        get_preset("myositis-2gkg-then-1gkg-4w").choose(
            taper=Taper(
                strategy=Combined(
                    parts=(
                        IntervalExtension(
                            intervals=("6 week",), hold=Hold(cycles=2), source="t"
                        ),
                        PercentPerInfusion.procid(of="previous"),
                    )
                ),
                end=Floor.per_course(dose="0.5 g/kg", interval="8 week"),
            )
        ),
    ],
    ids=lambda r: r.name,
)
def test_regimens_round_trip(regimen: Regimen) -> None:
    """Presets (open choices included) and combined tapers read back equal."""
    text = regimen_to_json(regimen)
    assert regimen_from_json(text) == regimen
    assert json.loads(text)["schema"] == "ivig_core.regimen"


_BYTES_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import test_io_json as t
sys.stdout.write(t.example_text())
"""


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Two interpreters with different hash seeds write the same bytes."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", _BYTES_SCRIPT, str(Path(__file__).parent)],
            capture_output=True,
            check=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].decode("utf-8") == example_text()


# --------------------------------------------------------------------------
# Bad documents

Mutator = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Mutator:
    """A mutator setting the value at a dotted path (``a.b[2].c``)."""

    def mutate(doc: dict[str, Any]) -> None:
        parts = path.replace("[", ".").replace("]", "").split(".")
        target: Any = doc
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is _DELETE:
            del target[last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


_DELETE = object()

BAD_PLANS: list[tuple[str, Mutator, str, str]] = [
    (
        "tampered daily grams",
        _set("infusions[3].dispensed_g", 60.0),
        "infusions[3].dispensed_g",
        "does not match its vials",
    ),
    (
        "tampered daily grams and vials",
        lambda d: [
            _set("infusions[3].dispensed_g", 60.0)(d),
            _set("infusions[3].vials.dispensed.value", 60.0)(d),
        ],
        "infusions[3].vials.dispensed",
        "not the grams in its vials",
    ),
    (
        "course total no longer adds up",
        _set("cycles[1].dispensed_g", 58.0),
        "cycles[1].dispensed_g",
        "not the sum of its days",
    ),
    (
        "plan total no longer adds up",
        _set("totals.dispensed_g", 1.0),
        "totals.dispensed_g",
        "not the sum over the infusions",
    ),
    (
        "calculated dose edited",
        _set("infusions[0].calculated_g", 80.0),
        "infusions[0].calculated_g",
        "dose × dosing weight",
    ),
    (
        "missing field",
        _set("infusions[3].dispensed_g", _DELETE),
        "infusions[3].dispensed_g",
        "required field missing",
    ),
    ("missing totals", _set("totals", _DELETE), "totals", "missing"),
    (
        "unknown field",
        _set("infusions[2].dispensed_mg", 1.0),
        "infusions[2].dispensed_mg",
        "unknown field",
    ),
    (
        "unknown unit",
        _set("dosing_weight.weight.unit", "stone"),
        "dosing_weight.weight.unit",
        "unknown unit 'stone'",
    ),
    (
        "wrong dimension",
        _set("dosing_weight.weight.unit", "mL"),
        "dosing_weight.weight",
        "is not a mass",
    ),
    (
        "quantity without a unit",
        _set("dosing_weight.weight", 57.0),
        "dosing_weight.weight",
        "expected an object",
    ),
    (
        "number as a string",
        _set("infusions[1].volume_ml", "570"),
        "infusions[1].volume_ml",
        "expected a number",
    ),
    (
        "bool for an integer",
        _set("cycles[0].days", value=True),
        "cycles[0].days",
        "expected a whole number",
    ),
    (
        "out-of-range weight",
        _set("dosing_weight.weight.value", -3),
        "dosing_weight.weight",
        "outside the accepted range",
    ),
    (
        "bad date",
        _set("start", "2026-13-01"),
        "start",
        "not a calendar date",
    ),
    (
        "datetime for a date",
        _set("infusions[0].date", "2026-01-05T10:00"),
        "infusions[0].date",
        "YYYY-MM-DD",
    ),
    (
        "unknown enum value",
        _set("infusions[0].phase", "bogus"),
        "infusions[0].phase",
        "bogus",
    ),
    (
        "unknown taper kind",
        _set("regimen.taper.strategy.type", "Bogus"),
        "regimen.taper.strategy.type",
        "unknown type 'Bogus'",
    ),
    (
        "array expected",
        _set("infusions", {}),
        "infusions",
        "expected an array",
    ),
    (
        "phase not the course's",
        _set("infusions[2].phase", "taper"),
        "infusions[2].phase",
        "but course 2 is maintenance",
    ),
    (
        "course out of order",
        _set("cycles[2].number", 7),
        "cycles[2].number",
        "expected 3",
    ),
    (
        "dates out of order",
        _set("infusions[1].date", "2026-01-04"),
        "infusions[1].date",
        "not after",
    ),
    (
        "unknown finding code",
        _set("safety.findings[0].code", "NOT_A_CODE"),
        "safety.findings[0].code",
        "NOT_A_CODE",
    ),
    (
        "regimen with open choices",
        _set("regimen.maintenance.cycles", None),
        "regimen",
        "choices still open",
    ),
    (
        "no infusions",
        lambda d: [_set("infusions", [])(d), _set("cycles", [])(d)],
        "infusions",
        "at least one",
    ),
    ("other schema", _set("schema", "ivig_core.patient"), "schema", "expected"),
    (
        "unknown schema version",
        _set("version", 2),
        "version",
        "unknown schema version 2",
    ),
    ("missing version", _set("version", _DELETE), "version", "unknown schema"),
]


@pytest.mark.parametrize(
    ("mutate", "path", "needle"),
    [pytest.param(m, p, n, id=name) for name, m, p, n in BAD_PLANS],
)
def test_bad_plan_documents(mutate: Mutator, path: str, needle: str) -> None:
    """Each malformed or tampered document is refused, naming the field's path."""
    doc = json.loads(example_text())
    mutate(doc)
    with pytest.raises(DocumentError) as info:
        plan_from_json(json.dumps(doc))
    err = info.value
    assert isinstance(err, InputError)
    assert err.field == path, err.errors
    assert needle in str(err), str(err)
    assert str(err).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "not JSON"),
        ("[]", "expected a JSON object"),
        ('{"schema": "ivig_core.plan", "version": 1, "x": NaN}', "NaN"),
        (b"\xff", "not UTF-8"),
        ("{}", "schema: required field missing"),
    ],
)
def test_not_a_document(text: str | bytes, needle: str) -> None:
    """Text that is not a document at all is refused as a whole."""
    with pytest.raises(DocumentError, match=needle) as info:
        plan_from_json(text)
    assert info.value.field in {"document", "schema"}


def test_every_problem_is_listed() -> None:
    """All problems are gathered, the first one names the error."""
    doc = json.loads(example_text())
    doc["infusions"][0]["day"] = "1"
    doc["infusions"][1]["cycle"] = None
    doc["notes"] = "a string"
    with pytest.raises(DocumentError) as info:
        plan_from_json(json.dumps(doc))
    paths = [path for path, _ in info.value.errors]
    assert paths == ["infusions[0].day", "infusions[1].cycle", "notes"]
    assert "(and 2 more problem(s): infusions[1].cycle: " in str(info.value)
    assert "; notes: " in str(info.value)


def test_bad_patient_document() -> None:
    """A patient document with several bad fields names each path."""
    doc = json.loads(patient_to_json(worked.at_risk_woman()))
    doc["weight"]["unit"] = "lb"
    doc["sex"] = "x"
    del doc["height"]
    doc["risk_factors"] = ["diabetes", "diabetes"]
    with pytest.raises(DocumentError) as info:
        patient_from_json(json.dumps(doc))
    assert dict(info.value.errors).keys() == {
        "height",
        "risk_factors",
        "sex",
        "weight.unit",
    }


def test_duplicate_set_items_are_refused() -> None:
    """A set written with a duplicate item is refused, naming the field."""
    doc = json.loads(patient_to_json(worked.at_risk_woman()))
    doc["risk_factors"] = ["diabetes", "diabetes"]
    with pytest.raises(
        DocumentError,
        match=r"^risk_factors: duplicate items in a set; allowed: a patient document",
    ) as info:
        patient_from_json(json.dumps(doc))
    assert info.value.field == "risk_factors"


def test_document_error_pickles() -> None:
    """DocumentError keeps its path and problem list through pickle."""
    with pytest.raises(DocumentError) as info:
        plan_from_json("{}")
    again = pickle.loads(pickle.dumps(info.value))  # noqa: S301 - our own object
    assert again.field == info.value.field
    assert again.errors == info.value.errors


def test_writers_refuse_other_objects() -> None:
    """The writers refuse an object of the wrong type."""
    with pytest.raises(
        InputError, match=r"^plan: .*; allowed: a Plan \(from plan_course\)"
    ):
        plan_to_json(worked.at_risk_woman())  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^patient: .*; allowed: a Patient"):
        patient_to_json(worked.example_plan_at_risk())  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^regimen: .*; allowed: a Regimen"):
        regimen_to_json(worked.example_plan_at_risk())  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Schema and extras


def test_shipped_schema_is_the_generated_one() -> None:
    """plan.schema.json in the package equals what the models generate."""
    regenerate = (
        "the plan models changed: regenerate the shipped schema with "
        "python -c 'from ivig_core.io.json import write_plan_schema; "
        "write_plan_schema()' and review the diff"
    )
    assert SCHEMA_FILE.read_text(encoding="utf-8") == plan_schema_text(), regenerate


def _check(  # noqa: C901, PLR0912 - a small schema walker
    schema: dict[str, Any], value: object, defs: dict[str, Any]
) -> None:
    """A small JSON Schema check: types, required and unknown properties."""
    if "$ref" in schema:
        _check(defs[schema["$ref"].rsplit("/", 1)[1]], value, defs)
    elif "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _check(option, value, defs)
            except AssertionError as exc:
                errors.append(exc)
            else:
                return
        raise AssertionError(errors)
    elif "enum" in schema:
        assert value in schema["enum"]
    elif "const" in schema:
        assert value == schema["const"]
    elif schema.get("type") == "object" and "required" not in schema:  # a map
        assert isinstance(value, dict)
        for item in value.values():
            _check(schema["additionalProperties"], item, defs)
    elif schema.get("type") == "object":
        assert isinstance(value, dict)
        assert set(value) == set(schema["required"]), set(value) ^ set(
            schema["required"]
        )
        for key, sub in schema["properties"].items():
            _check(sub, value[key], defs)
    elif schema.get("type") == "array":
        assert isinstance(value, list)
        if "prefixItems" in schema:
            for sub, item in zip(schema["prefixItems"], value, strict=True):
                _check(sub, item, defs)
        else:
            for item in value:
                _check(schema["items"], item, defs)
    else:
        kinds: dict[str, type | tuple[type, ...]] = {
            "number": (int, float),
            "integer": int,
            "string": str,
            "boolean": bool,
            "null": type(None),
        }
        assert isinstance(value, kinds[schema["type"]])


def test_documents_follow_the_schema() -> None:
    """The example document satisfies the published schema."""
    schema = plan_json_schema()
    _check(schema, json.loads(example_text()), schema["$defs"])  # type: ignore[arg-type]


def test_protocol_documents_follow_the_schema() -> None:
    """A plan made under a protocol (it carries the protocol) follows the schema."""
    from ivig_core import load_protocol, plan_course  # noqa: PLC0415 - this test
    from ivig_core.regimen import get_preset  # noqa: PLC0415 - this test

    district = Path(__file__).parent.parent / "examples" / "protocols"
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-gammaplex-5"),
        "gammaplex-5",
        start=worked.MONDAY,
        protocol=load_protocol(district / "district-hospital.toml"),
    )
    doc = json.loads(plan_to_json(plan))
    assert doc["inputs"]["protocols"][0]["formulary"] is not None
    schema = plan_json_schema()
    _check(schema, doc, schema["$defs"])  # type: ignore[arg-type]


def test_schema_lists_the_units() -> None:
    """The Quantity definition lists exactly the canonical unit symbols."""
    defs: Any = plan_json_schema()["$defs"]
    assert defs["Quantity"]["properties"]["unit"]["enum"] == list(UNIT_SYMBOLS)
    assert {"kg", "g", "mL", "g/kg", "mL/h", "mg/kg/min"} <= set(UNIT_SYMBOLS)


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing optional dependency raises an error naming the extra."""
    monkeypatch.setitem(sys.modules, "cattrs", None)
    with pytest.raises(MissingExtraError, match=r'pip install "ivig-core\[json\]"'):
        require("cattrs", extra="json", purpose="JSON")


def test_io_package_imports_no_extra() -> None:
    """Importing ivig_core and ivig_core.io loads none of the optional extras."""
    assert cold_import("ivig_core", "ivig_core.io", "ivig_core.cli").extras() == set()


def test_safety_report_round_trips() -> None:
    """A safety report with findings and an override reads back equal."""
    from ivig_core.io.json import report_from_json, report_to_json  # noqa: PLC0415
    from ivig_core.safety import Override, assess  # noqa: PLC0415 - local to test

    who = worked.at_risk_woman()
    report = assess(
        who,
        worked.example_plan_at_risk(),
        indication="dermatomyositis",
        overrides=[Override(code="IGA_DEFICIENCY_PRODUCT", reason="discussed")],
    )
    text = report_to_json(report)
    assert report_from_json(text) == report
    doc = json.loads(text)
    assert doc["schema"] == "ivig_core.safety_report"
    assert doc["overrides"][0]["reason"] == "discussed"
    doc["findings"][0]["severity"] = "catastrophic"
    with pytest.raises(DocumentError) as info:
        report_from_json(json.dumps(doc))
    assert info.value.field == "findings[0].severity"


def test_subcutaneous_plan_round_trips() -> None:
    """An SC plan (route, sites and per-site limits per day) reads back equal."""
    from ivig_core.planning.scig import plan_scig_regimen  # noqa: PLC0415
    from ivig_core.scig import get_scig_preset  # noqa: PLC0415

    regimen = get_scig_preset("hizentra-cidp-0.2").choose(maintenance_days=2, cycles=2)
    limits = worked.hizentra_later_limits("CIDP, later infusions")
    sc = plan_scig_regimen(
        worked.woman("80 kg"),
        regimen,
        "hizentra",
        last_ivig=MONDAY,
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
    )
    text = plan_to_json(sc.plan)
    assert plan_from_json(text) == sc.plan
    doc = json.loads(text)
    assert doc["route"] == "sc"
    assert doc["infusions"][0]["sc"]["sites"] >= 1
    doc["infusions"][0]["sc"]["sites"] = "4"
    with pytest.raises(DocumentError) as info:
        plan_from_json(json.dumps(doc))
    assert info.value.field == "infusions[0].sc.sites"
    doc = json.loads(text)
    doc["infusions"][1]["sc"]["volume_ml"] += 10.0
    with pytest.raises(DocumentError, match="not the day's volume") as info:
        plan_from_json(json.dumps(doc))
    assert info.value.field == "infusions[1].sc.volume_ml"
