"""Populations: the table in, plans per scenario out, the impact report."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivig_core import Patient
from ivig_core.cli import main
from ivig_core.errors import InputError, IvigError, UnitError
from ivig_core.infusion import rate_schedule
from ivig_core.plan import Plan
from ivig_core.planning import plan_course
from ivig_core.population import (
    RESULT_COLUMNS,
    PlanSettings,
    Scenario,
    impact_report,
    plan_population,
    plan_rows,
    read_population,
    synthetic_population,
)
from ivig_core.population.report import SUMMED
from ivig_core.regimen import get_preset


SHIPPED = (
    Path(__file__).parent.parent / "examples" / "population" / "synthetic-1000.csv"
)
START = dt.date(2026, 1, 5)  # a Monday
# The rate step and time per step are the example site's local policy (the
# labels of these products give none for these indications).
SETTINGS = PlanSettings(
    start=START,
    rate_weight="dosing",
    rate_increment="1 mg/kg/min",
    rate_interval="30 min",
)
SCENARIOS = (
    Scenario(policy="actual", rounding="never-below"),
    Scenario(policy="adjusted", rounding="never-below"),
    Scenario(policy="bloodstar-2026", rounding="nearest-within:10 %"),
)


def _row(**cells: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "A",
        "sex": "female",
        "age": "54 year",
        "height": "165 cm",
        "weight": "92 kg",
        "preset": "cidp-ice",
        "induction_days": 2,
        "maintenance_days": 1,
        "product": "privigen",
        "indication": "cidp",
    }
    row.update(cells)
    return row


def _plan_course(row: pd.Series, scenario: Scenario) -> Plan:
    """The same patient planned by plan_course directly."""
    patient = Patient(
        sex=row["sex"],
        age=f"{row['age_year']} year",
        height=f"{row['height_cm']} cm",
        weight=f"{row['weight_kg']} kg",
        **{
            name: f"{row[column]} mg/dL"
            for name, column in (
                ("serum_creatinine", "serum_creatinine_mg_dl"),
                ("serum_iga", "serum_iga_mg_dl"),
            )
            if not pd.isna(row[column])
        },
    )

    def choice(name: str) -> int | None:
        return None if pd.isna(row[name]) else int(row[name])

    regimen = get_preset(row["preset"]).choose(
        cycles=choice("cycles"),
        induction_days=choice("induction_days"),
        maintenance_days=choice("maintenance_days"),
    )
    return plan_course(
        patient,
        regimen,
        row["product"],
        start=START,
        policy=scenario.policy,
        rounding=scenario.rounding_policy(),
        indication=row["indication"],
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            row["product"],
            row["indication"],
            increment="1 mg/kg/min",
            interval="30 min",
        ),
    )


# --- reading ------------------------------------------------------------------


def test_units_in_the_header_or_the_cell() -> None:
    """A unit in the header (weight (lb), height_cm...) is appended to the cell."""
    table = pd.DataFrame(
        {
            "Sex": ["female", "male"],
            "age [year]": [54, 61],
            "height_cm": [165.0, 178.0],
            "weight (lb)": [202.8, 176.4],
            "serum_creatinine_umol_l": [88.4, None],
            "product": ["privigen"] * 2,
            "indication": ["cidp"] * 2,
            "preset": ["cidp-ice"] * 2,
            "notes": ["ignored", "ignored"],
        }
    )
    frame = read_population(table).frame
    assert frame["age"].tolist() == ["54 year", "61 year"]
    assert frame["weight"].tolist() == ["202.8 lb", "176.4 lb"]
    assert frame["serum_creatinine"].tolist() == ["88.4 µmol/L", None]
    assert frame["id"].tolist() == ["1", "2"]
    assert "notes" not in frame


def test_layout_errors_name_the_column(tmp_path: Path) -> None:
    """A missing column, a bad header unit, a wrong file type stop the read."""
    with pytest.raises(
        InputError,
        match=(
            r"^columns: missing: weight, product, indication; allowed: the "
            r"columns sex, age, height, weight, product, indication$"
        ),
    ):
        read_population(pd.DataFrame({"sex": [], "age": [], "height": []}))
    bad_unit = pd.DataFrame({"weight (stone-ish)": [1]})
    with pytest.raises(
        UnitError,
        match=(
            r"^weight \(stone-ish\): weight \(stone-ish\): unknown unit "
            r"'stone-ish' in '1 stone-ish'; allowed: a unit pint knows, "
            r"e\.g\. 'kg', 'lb', 'cm', 'in'; allowed: a unit such as kg, "
            r"lb, cm, in, year$"
        ),
    ):
        read_population(bad_unit)
    wrong_kind = pd.DataFrame({"weight [cm]": [1]})
    with pytest.raises(
        UnitError,
        match=(
            r"^weight \[cm\]: got 'cm'; allowed: a unit of weight \(e\.g\. "
            r"kg\)$"
        ),
    ):
        read_population(wrong_kind)
    with pytest.raises(InputError, match=r"^population: .*\.csv or \.parquet"):
        read_population(tmp_path / "table.xlsx")


def test_bad_rows_are_reported_and_the_run_goes_on() -> None:
    """Row number and field for each bad row; the good rows are planned."""
    table = pd.DataFrame(
        [
            _row(id="good"),
            _row(id="bare", weight="92"),
            _row(id="typo", preset="cidp-icee"),
            _row(id="short", height="140 cm"),
            _row(id="product", product="no such product"),
        ]
    )
    results = plan_population(read_population(table), SCENARIOS[:2], SETTINGS)
    assert list(results.columns) == list(RESULT_COLUMNS)
    bad = results[results["status"] == "bad-row"]
    assert bad[["row", "id", "field"]].to_numpy().tolist() == [
        [2, "bare", "weight"],
        [3, "typo", "preset"],
        [5, "product", "product"],
    ]
    refused = results[results["status"] == "refused"]
    # adjusted body weight needs IBW, not defined below 60 in: that scenario
    # only is refused for the short patient.
    assert refused[["id", "scenario", "field"]].to_numpy().tolist() == [
        ["short", "adjusted/never-below", "height"]
    ]
    planned = results[results["status"] == "planned"]
    assert sorted(set(planned["id"])) == ["good", "short"]


# --- the plans are plan_course's ---------------------------------------------


@settings(max_examples=8)
@given(
    random_state=st.integers(0, 10_000),
    n=st.integers(1, 4),
    scenarios=st.lists(st.sampled_from(SCENARIOS), min_size=1, max_size=3, unique=True),
)
def test_totals_are_the_sums_of_the_plan_course_plans(
    random_state: int, n: int, scenarios: list[Scenario]
) -> None:
    """Each planned row equals plan_course's plan; totals are their sums."""
    table = synthetic_population(n, random_state=random_state, children=0.3)
    results = plan_population(read_population(table), scenarios, SETTINGS)
    horizon = START + dt.timedelta(days=SETTINGS.horizon_days)
    expected: dict[str, dict[str, float]] = {}
    for scenario in scenarios:
        for number, (_, row) in enumerate(table.iterrows(), start=1):
            mine = results[
                (results["row"] == number) & (results["scenario"] == scenario.name)
            ]
            assert len(mine) == 1
            try:
                direct = _plan_course(row, scenario)
            except IvigError as error:
                assert mine["status"].item() == "refused"
                field = error.field if isinstance(error, InputError) else None
                got_field = mine["field"].item()
                assert got_field == field or (field is None and pd.isna(got_field))
                continue
            assert mine["status"].item() == "planned"
            infusions = [i for i in direct.infusions if i.date < horizon]
            got = mine.iloc[0]
            assert got["dosing_weight_kg"] == direct.dosing_weight.weight_kg
            assert math.isclose(
                got["calculated_g_year"], sum(i.calculated_g for i in infusions)
            )
            assert math.isclose(
                got["dispensed_g_year"], sum(i.dispensed_g for i in infusions)
            )
            assert got["vials_year"] == sum(
                c for i in infusions for _, c in i.vials.vials
            )
            assert math.isclose(
                got["infusion_hours_year"],
                sum(i.run.duration_min for i in infusions) / 60.0,
            )
            assert bool(got["ready_to_issue"]) is direct.ready_to_issue
    report = impact_report(results)
    totals = report.totals.to_dict(orient="index")
    differences = report.differences.to_dict(orient="index")
    planned = results[results["status"] == "planned"]
    per_row = planned.groupby("row")["scenario"].nunique()
    compared = planned[planned["row"].isin(per_row.index[per_row == len(scenarios)])]
    for scenario in scenarios:
        mine = compared[compared["scenario"] == scenario.name]
        for name in SUMMED:
            assert math.isclose(
                totals[scenario.name][name], mine[name].sum(), abs_tol=1e-6
            )
        expected[scenario.name] = {name: totals[scenario.name][name] for name in SUMMED}
    base = expected[scenarios[0].name]
    for scenario in scenarios:
        assert math.isclose(
            differences[scenario.name]["dispensed_g_year"],
            expected[scenario.name]["dispensed_g_year"] - base["dispensed_g_year"],
            abs_tol=1e-6,
        )


# --- the shipped population and the report --------------------------------------


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    """The first 40 rows of the shipped synthetic population, planned."""
    population = read_population(SHIPPED)
    return plan_population(population.frame.iloc[:40], SCENARIOS, SETTINGS)


def test_the_shipped_population_is_the_generator_s() -> None:
    """≥ 1 000 synthetic patients, reproducible from synthetic_population."""
    population = read_population(SHIPPED)
    assert len(population) >= 1_000
    again = synthetic_population(len(population))
    assert again.to_csv(index=False) == SHIPPED.read_text(encoding="utf-8")
    ages = again["age_year"]
    assert (ages < 18).any()
    assert (ages >= 18).any()


def test_report_on_the_shipped_population(
    shipped: pd.DataFrame, tmp_path: Path
) -> None:
    """Totals, differences, changes, written tables and the plot."""
    report = impact_report(shipped, top=5)
    assert report.scenarios == tuple(s.name for s in SCENARIOS)
    assert report.baseline == "actual/never-below"
    assert (report.differences.loc[report.baseline] == 0).all()
    # Adjusted weight is never above actual weight: fewer grams calculated.
    differences = report.differences.to_dict(orient="index")
    assert differences["adjusted/never-below"]["calculated_g_year"] < 0
    assert len(report.changes) == 5
    assert report.changes["largest_change_g"].abs().is_monotonic_decreasing
    text = report.to_text()
    assert "Totals" in text
    assert "Patients who change most" in text
    csv = report.write(tmp_path / "results.csv")
    parquet = report.write(tmp_path / "results.parquet")
    assert len(pd.read_csv(csv)) == len(shipped)
    assert len(pd.read_parquet(parquet)) == len(shipped)
    report.write(tmp_path / "totals.csv", "totals")
    with pytest.raises(
        InputError,
        match=(
            r"^table: got 'nope'; allowed: one of results, totals, "
            r"distributions, differences, changes$"
        ),
    ):
        report.write(tmp_path / "x.csv", "nope")
    with pytest.raises(InputError, match=r"^path: "):
        report.write(tmp_path / "x.xlsx")
    pytest.importorskip("matplotlib")
    report.plot(tmp_path / "impact.png")
    assert (tmp_path / "impact.png").stat().st_size > 0


def test_baseline_and_top_are_checked(shipped: pd.DataFrame) -> None:
    """An unknown baseline is refused naming the field."""
    other = impact_report(shipped, baseline="adjusted/never-below")
    assert (other.differences.loc["adjusted/never-below"] == 0).all()
    with pytest.raises(
        InputError,
        match=(
            r"^baseline: got 'nope'; allowed: one of actual/never-below, "
            r"adjusted/never-below, bloodstar-2026/nearest-within:10 %$"
        ),
    ):
        impact_report(shipped, baseline="nope")


def test_process_pool_gives_the_serial_results(shipped: pd.DataFrame) -> None:
    """engine='processes' returns the same table, in the same order."""
    rows = read_population(SHIPPED).frame.iloc[:40]
    pooled = plan_population(
        rows, SCENARIOS, SETTINGS, engine="processes", workers=2, chunk_rows=15
    )
    pd.testing.assert_frame_equal(pooled, shipped)


def test_dask_local_cluster_gives_the_serial_results(shipped: pd.DataFrame) -> None:
    """Partitions planned on a local Dask cluster: the same table."""
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    rows = read_population(SHIPPED).frame.iloc[:40]
    with (
        distributed.LocalCluster(
            n_workers=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        on_dask = plan_population(
            rows, SCENARIOS, SETTINGS, engine="dask", chunk_rows=15
        )
    pd.testing.assert_frame_equal(on_dask, shipped)


def test_scenarios_and_settings_are_checked() -> None:
    """Bad policies, roundings, engines are refused naming the field."""
    with pytest.raises(
        InputError,
        match=(
            r"^policy: no built-in policy 'nope'; allowed: one of "
            r"\['actual', 'ideal', 'ideal-or-actual', 'adjusted', "
            r"'us-120-percent-ibw', 'uk-request-form', 'ontario', "
            r"'bloodstar-2026'\]$"
        ),
    ):
        Scenario(policy="nope", rounding="never-below")
    with pytest.raises(
        InputError,
        match=(
            r"^rounding: got 'nearest-within'; allowed: "
            r"nearest-within:VALUE with its tolerance \(e\.g\. "
            r"'nearest-within:10 %', 'nearest-increment:5 g'\)$"
        ),
    ):
        Scenario(policy="actual", rounding="nearest-within")
    with pytest.raises(
        InputError,
        match=(
            r"^rounding: got 'never-below:5 g'; allowed: no parameter for "
            r"'never-below'$"
        ),
    ):
        Scenario(policy="actual", rounding="never-below:5 g")
    with pytest.raises(
        InputError, match=r"^rate_weight: got 'ideal'; allowed: 'dosing' or 'actual'$"
    ):
        PlanSettings(start=START, rate_weight="ideal")
    with pytest.raises(
        InputError,
        match=(
            r"^start: got datetime\.datetime\(2026, 1, 5, 0, 0\); allowed: "
            r"a datetime\.date \(not a datetime\)$"
        ),
    ):
        PlanSettings(start=dt.datetime(2026, 1, 5), rate_weight="dosing")  # noqa: DTZ001
    with pytest.raises(
        InputError,
        match=(
            r"^scenarios: got \['actual/never-below', "
            r"'actual/never-below'\]; allowed: scenarios with different "
            r"names$"
        ),
    ):
        plan_population(pd.DataFrame(), [SCENARIOS[0], SCENARIOS[0]], SETTINGS)
    with pytest.raises(
        InputError,
        match=(
            r"^engine: got 'spark'; allowed: 'serial', 'processes' or "
            r"'dask'$"
        ),
    ):
        plan_population(pd.DataFrame(), SCENARIOS, SETTINGS, engine="spark")  # type: ignore[arg-type]
    with pytest.raises(
        InputError,
        match=r"^workers: got 1001; allowed: a whole number >= 1 and <= 1000$",
    ):
        plan_population(
            pd.DataFrame([_row()]),
            SCENARIOS,
            SETTINGS,
            engine="processes",
            workers=1001,
        )


def test_regimens_by_indication() -> None:
    """Rows without a preset take the site's regimen for their indication."""
    table = pd.DataFrame(
        [_row(preset=None, induction_days=None, maintenance_days=None)]
    )
    regimen = get_preset("cidp-ice").choose(induction_days=2, maintenance_days=1)
    site = PlanSettings(
        start=START,
        rate_weight="dosing",
        rate_increment="1 mg/kg/min",
        rate_interval="30 min",
        regimens={"CIDP": regimen},
    )
    with_preset = plan_rows(
        read_population(pd.DataFrame([_row()])).frame, SCENARIOS[:1], site
    )
    by_indication = plan_rows(read_population(table).frame, SCENARIOS[:1], site)
    pd.testing.assert_frame_equal(by_indication, with_preset)
    none = plan_rows(read_population(table).frame, SCENARIOS[:1], SETTINGS)
    assert none[["status", "field"]].to_numpy().tolist() == [["bad-row", "preset"]]


def test_synthetic_population_is_reproducible_and_checked() -> None:
    """Same state, same table; bad arguments name the field."""
    a = synthetic_population(50, random_state=3)
    assert a.equals(synthetic_population(50, random_state=3))
    assert not a.equals(synthetic_population(50, random_state=4))
    with pytest.raises(
        InputError, match=r"^children: got 1\.5; allowed: a number >= 0 and <= 1$"
    ):
        synthetic_population(5, children=1.5)
    with pytest.raises(InputError, match=r"^n: got -1; allowed: a whole number >= 0$"):
        synthetic_population(-1)


def test_cli_impact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ivig-core impact: the report, the files; a bad flag is named."""
    small = tmp_path / "small.csv"
    # the file reads: its 1000 patients, one row each, numbered from 1
    shipped = read_population(SHIPPED).frame
    assert (len(shipped), shipped["row"].tolist()[:3]) == (1000, [1, 2, 3])
    pd.read_csv(SHIPPED).head(12).to_csv(small, index=False)
    args = [
        "impact", str(small), "--policy", "actual", "--policy", "adjusted",
        "--rounding", "never-below", "--start", "2026-01-05",
        "--rate-weight", "dosing", "--rate-increment", "1 mg/kg/min",
        "--rate-interval", "30 min", "--results", str(tmp_path / "r.parquet"),
        "--totals", str(tmp_path / "t.csv"), "--no-progress",
    ]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "baseline 'actual/never-below'" in out
    assert len(pd.read_parquet(tmp_path / "r.parquet")) == 24
    assert list(pd.read_csv(tmp_path / "t.csv")["scenario"]) == [
        "actual/never-below",
        "adjusted/never-below",
    ]
    bad = [*args[:6], "--rounding", "nearest-within", *args[8:]]
    assert main(bad) == 2
    assert "--rounding" in capsys.readouterr().err


def test_empty_population() -> None:
    """No rows: an empty table with the result columns."""
    frame = read_population(pd.DataFrame([_row()])).frame.iloc[:0]
    results = plan_population(frame, SCENARIOS, SETTINGS)
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert results.empty


def test_a_raw_table_is_read_first() -> None:
    """A table as from a file is read; a Population's slice keeps its rows."""
    table = synthetic_population(6, random_state=5)
    population = read_population(table)
    direct = plan_population(table, SCENARIOS[:1], SETTINGS)
    pd.testing.assert_frame_equal(
        direct, plan_population(population, SCENARIOS[:1], SETTINGS)
    )
    tail = plan_population(population.frame.iloc[3:], SCENARIOS[:1], SETTINGS)
    assert tail["row"].tolist() == [4, 5, 6]
