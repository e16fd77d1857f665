"""Local protocols as data: load_protocol, protocol= on the planners, --protocol."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from ivig_core import Patient, get_preset, load_protocol, plan_course
from ivig_core.cli import EXIT_BAD_INPUT, EXIT_OK, main
from ivig_core.errors import DocumentError, InputError
from ivig_core.io.json import patient_to_json, plan_from_json, plan_to_json
from ivig_core.planning import PlanRequest
from ivig_core.planning.pipeline import plan as run_plan


EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "protocols"
DISTRICT = EXAMPLES / "district-hospital.toml"
IGA_UNIT = EXAMPLES / "iga-deficiency-clinic.toml"
START = dt.date(2026, 1, 5)  # a Monday
PATIENT = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg")


def _write(tmp_path: Path, text: str, name: str = "local.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize("path", [DISTRICT, IGA_UNIT])
def test_example_protocols_load(path: Path) -> None:
    """Both shipped examples load, with their name, version and file hash."""
    protocol = load_protocol(path)
    assert protocol.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert protocol.policy is not None
    assert protocol.rounding is not None
    assert protocol.rate_weight in {"dosing", "actual"}
    assert protocol.rates


def test_district_protocol_holds_its_decisions() -> None:
    """Policy parameters, rounding, steps, safety, calendar and formulary."""
    p = load_protocol(DISTRICT)
    assert p.policy is not None
    assert p.policy.name == "adjusted"
    assert p.rounding is not None
    assert p.rounding.name == "never-below"
    assert ("privigen", "cidp") in p.rates
    assert p.safety is not None
    assert p.safety.thrombosis_age_from_years == 65.0
    assert p.safety.premedication.name == "Ward protocol IV-11"
    assert p.closed_weekdays == frozenset({5, 6})
    assert dt.date(2026, 12, 25) in p.closed_dates
    assert p.formulary is not None
    assert p.product("gammaplex-5").vials


def test_three_bad_fields_all_reported(tmp_path: Path) -> None:
    """Three bad fields in three tables: one error listing all three."""
    path = _write(
        tmp_path,
        """
[protocol]
name = "Bad"
version = "1"
[dosing_weight]
policy = "adjusted"
factor = -1
[rounding]
policy = "sometimes"
[rates]
weight = "heavy"
""",
    )
    with pytest.raises(DocumentError) as info:
        load_protocol(path)
    err = info.value
    assert len(err.errors) == 3
    where = [w for w, _ in err.errors]
    assert where == [
        f"{path}: [dosing_weight] factor",
        f"{path}: [rounding]",
        f"{path}: [rates] weight",
    ]
    message = str(err)
    assert "3 problem(s)" in message
    assert "sometimes" in message
    assert "heavy" in message


def test_unknown_tables_and_fields_reported(tmp_path: Path) -> None:
    """Misspelt tables and fields are refused, not ignored."""
    path = _write(
        tmp_path,
        """
[protocol]
name = "P"
version = "1"
colour = "blue"
[calender]
closed_weekends = true
[calendar]
closed_weekdays = ["funday"]
closed_dates = ["2026-12-25"]
""",
    )
    with pytest.raises(DocumentError) as info:
        load_protocol(path)
    where = [w for w, _ in info.value.errors]
    assert f"{path}: [calender]" in where
    assert f"{path}: [protocol] colour" in where
    assert where.count(f"{path}: [calendar] closed_weekdays") == 1
    assert where.count(f"{path}: [calendar] closed_dates") == 1


@pytest.mark.parametrize("missing", ["name", "version"])
def test_name_and_version_required(tmp_path: Path, missing: str) -> None:
    """A protocol without a name or a version cannot be recorded: refused."""
    fields = {"name": 'name = "P"', "version": 'version = "1"'}
    del fields[missing]
    path = _write(tmp_path, "[protocol]\n" + "\n".join(fields.values()) + "\n")
    with pytest.raises(DocumentError, match=rf"\[protocol\] {missing}"):
        load_protocol(path)


def test_unreadable_and_non_toml_files(tmp_path: Path) -> None:
    """A missing file and a non-TOML file name the file."""
    with pytest.raises(DocumentError, match="cannot read"):
        load_protocol(tmp_path / "absent.toml")
    with pytest.raises(DocumentError, match="not a UTF-8 TOML file"):
        load_protocol(_write(tmp_path, "[protocol\n"))


def test_bad_rate_entries_name_the_entry(tmp_path: Path) -> None:
    """A rate entry for an unknown product or a bad step names its number."""
    path = _write(
        tmp_path,
        """
[protocol]
name = "P"
version = "1"
[[rates.steps]]
product = "no-such-product"
indications = ["pi"]
increment = "1 mg/kg/min"
[[rates.steps]]
product = "privigen"
indications = ["pi"]
increment = "1 mL"
interval = "30 min"
""",
    )
    with pytest.raises(DocumentError) as info:
        load_protocol(path)
    where = [w for w, _ in info.value.errors]
    assert f"{path}: [[rates.steps]] #1 product" in where
    assert f"{path}: [[rates.steps]] #2 (pi)" in where


# --------------------------------------------------------------- planning


def test_plan_needs_only_patient_regimen_product_and_start() -> None:
    """With a protocol, the policies come from it and the plan records it."""
    protocol = load_protocol(DISTRICT)
    plan = plan_course(
        PATIENT, get_preset("itp-privigen"), "privigen", start=START, protocol=protocol
    )
    assert plan.protocol == protocol.ref
    assert plan.dosing_weight.policy == "adjusted"
    assert plan.rounding == "never-below"
    assert plan.indication == "itp"
    assert any("Local protocol: Example District Hospital" in n for n in plan.notes)
    # the protocol's steps: 1 mg/kg/min every 30 min (Privigen ITP: 0.5 -> 4)
    assert "local policy" in " ".join(plan.infusions[0].run.notes)


def test_gammagard_sd_planned_with_the_protocols_rates() -> None:
    """Gammagard S/D (no labelled rates in the catalogue) with a unit's rates."""
    protocol = load_protocol(IGA_UNIT)
    regimen = get_preset("kawasaki-gammagard-sd-single")
    plan = plan_course(PATIENT, regimen, "gammagard-sd", start=START, protocol=protocol)
    run = plan.infusions[0].run
    assert "local protocol Example immunology day unit" in run.schedule_source
    # maximum 4 mL/kg/h x 70 kg (rate weight "actual")
    assert run.maximum_ml_h == pytest.approx(280.0)
    assert plan.infusions[0].calculated_g == pytest.approx(
        plan.dosing_weight.weight_kg * 1.0
    )


def test_without_a_protocol_gammagard_sd_is_refused() -> None:
    """Without local rates, Gammagard S/D cannot be planned (the label's lack)."""
    with pytest.raises(
        InputError,
        match=(
            r"^indication: Gammagard S/D has no labelled rates for "
            r"kawasaki in the catalogue \(UNCONFIRMED in the sources "
            r"read\); use a local protocol; allowed: an indication whose "
            r"label rates are in the catalogue$"
        ),
    ):
        plan_course(
            PATIENT,
            get_preset("kawasaki-gammagard-sd-single"),
            "gammagard-sd",
            start=START,
            policy="actual",
            rounding="never-below",
            rate_weight="dosing",
        )


def test_closed_days_from_the_protocol() -> None:
    """The protocol's closed dates move a course (25 Dec 2026, a Friday)."""
    protocol = load_protocol(DISTRICT)
    plan = plan_course(
        PATIENT,
        get_preset("itp-privigen"),
        "privigen",
        start=dt.date(2026, 12, 24),
        protocol=protocol,
    )
    assert plan.cycles[0].start == dt.date(2026, 12, 28)


def test_explicit_values_win_and_say_so() -> None:
    """A value given explicitly is used, and the plan notes it."""
    protocol = load_protocol(DISTRICT)
    plan = plan_course(
        PATIENT,
        get_preset("itp-privigen"),
        "privigen",
        start=START,
        policy="actual",
        protocol=protocol,
    )
    assert plan.dosing_weight.policy == "actual"
    assert any("policy was given explicitly" in n for n in plan.notes)


@pytest.mark.parametrize("name", ["policy", "rounding", "rate_weight"])
def test_without_protocol_each_policy_is_required(name: str) -> None:
    """No protocol: policy, rounding and rate weight stay required, by name."""
    given: dict[str, object] = {
        "policy": "actual",
        "rounding": "never-below",
        "rate_weight": "dosing",
    }
    del given[name]
    what = name.replace("_", " ")  # "a rate weight (required, ...)"
    with pytest.raises(
        InputError,
        match=rf"^{name}: got None; allowed: a {what} \(required, no default\), "
        "or a protocol that sets one$",
    ):
        PlanRequest(
            patient=PATIENT,
            regimen=get_preset("itp-octagam-10"),
            product="octagam-10",
            start=START,
            indication="itp",
            **given,  # type: ignore[arg-type]
        )


def test_plan_request_refuses_a_non_protocol() -> None:
    """protocol= takes a Protocol only."""
    with pytest.raises(
        InputError,
        match=(
            r"^protocol: got 'district'; allowed: a Protocol "
            r"\(ivig_core\.load_protocol\)$"
        ),
    ):
        run_plan(
            PlanRequest(
                patient=PATIENT,
                regimen=get_preset("itp-octagam-10"),
                product="octagam-10",
                start=START,
                policy="actual",
                rounding="never-below",
                indication="itp",
                rate_weight="dosing",
                protocol="district",  # type: ignore[arg-type]
            )
        )


def test_plan_json_records_the_protocol() -> None:
    """The plan's JSON keeps the protocol's name, version and hash."""
    protocol = load_protocol(DISTRICT)
    plan = plan_course(
        PATIENT, get_preset("itp-privigen"), "privigen", start=START, protocol=protocol
    )
    doc = json.loads(plan_to_json(plan))
    assert doc["protocol"] == {
        "name": protocol.name,
        "version": protocol.version,
        "sha256": protocol.sha256,
    }
    # re-planned on load: with the protocol it was made under (replay)
    loaded = plan_from_json(plan_to_json(plan), protocol=protocol)
    assert loaded.protocol == protocol.ref


# ---------------------------------------------------------------------- CLI


def test_cli_plan_with_a_protocol_and_five_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--patient, --preset, --product, --start and --protocol: a whole plan."""
    patient = _write(tmp_path, patient_to_json(PATIENT), "patient.json")
    args = [
        "plan",
        "--patient", str(patient),
        "--preset", "itp-privigen",
        "--product", "privigen",
        "--start", "2026-01-05",
        "--protocol", str(DISTRICT),
    ]  # fmt: skip
    assert sum(a.startswith("--") for a in args) == 5
    code = main(args)
    out = capsys.readouterr().out
    # The protocol rounds never below: 2 × 62.15 g = 124.29 g becomes 125 g
    # from Privigen's 5, 10, 20 and 40 g vials (65 g and 60 g), within the
    # 10 % rounding tolerance, so the whole plan is made and ready to issue.
    assert code == EXIT_OK, out
    assert "ROUNDING_CHANGES_DOSE" not in out
    assert "40+20+5 g" in out
    assert "Local protocol: Example District Hospital" in out


def test_cli_gammagard_sd_with_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    """Gammagard S/D from the CLI, with the unit's protocol rates."""
    code = main([
        "plan",
        "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg",
        "--preset", "cll-gammagard-sd", "--interval", "4 week",
        "--maintenance-days", "1", "--cycles", "2",
        "--product", "gammagard-sd", "--start", "2026-01-05",
        "--protocol", str(IGA_UNIT),
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    assert "Gammagard S/D" in out


def test_cli_without_protocol_names_the_missing_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No protocol and no --policy: the error names --policy."""
    code = main([
        "plan",
        "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg",
        "--preset", "itp-octagam-10", "--product", "octagam-10",
        "--start", "2026-01-05", "--rounding", "never-below", "--rate-weight", "dosing",
    ])  # fmt: skip
    assert code == EXIT_BAD_INPUT
    assert "--policy" in capsys.readouterr().err


def test_cli_bad_protocol_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad protocol file: exit 2, every problem on stderr."""
    path = _write(
        tmp_path,
        '[protocol]\nname = "P"\nversion = "1"\n[rounding]\npolicy = "x"\n'
        '[rates]\nweight = "y"\n',
    )
    code = main([
        "plan",
        "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg",
        "--preset", "itp-octagam-10", "--product", "octagam-10",
        "--start", "2026-01-05", "--protocol", str(path),
    ])  # fmt: skip
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "[rounding]" in err
    assert "[rates] weight" in err


def test_cli_formulary_on_plan(capsys: pytest.CaptureFixture[str]) -> None:
    """The plan verb takes --formulary: the district formulary's vials."""
    code = main([
        "plan",
        "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg",
        "--preset", "itp-gammaplex-5", "--product", "gammaplex-5",
        "--start", "2026-01-05", "--policy", "actual", "--rounding", "never-below",
        "--rate-weight", "dosing", "--rate-increment", "0.5 mg/kg/min",
        "--formulary", str(EXAMPLES / "district-formulary.toml"),
    ])  # fmt: skip
    out = capsys.readouterr()
    assert code == EXIT_OK, out.err
    assert "3×20+10 g" in out.out  # 70 g from 20 g and 10 g vials
