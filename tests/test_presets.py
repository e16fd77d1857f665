"""Regimen presets: one per labelled indication, planned end to end.

The expected numbers are worked by hand from the label text quoted in each
preset's ``source`` (a 70 kg patient, dosed on actual weight): a daily dose
in g/kg times 70 kg, the days the label gives, the interval it gives, and
the catalogue's labelled maximum rate for the indication.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest

from ivig_core import InputError, Patient
from ivig_core.infusion import rate_schedule
from ivig_core.plan import Plan
from ivig_core.planning import plan_course
from ivig_core.products import Product, Vial, get_product
from ivig_core.rates import RateSchedule
from ivig_core.regimen import PRESETS, get_preset, read_presets, renamed_preset


START = dt.date(2026, 1, 5)
PATIENT = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg")
#: A local schedule for products whose label rates the catalogue lacks
#: (Gammagard S/D): a test value, not a clinical one.
LOCAL = RateSchedule.ramp(
    start="0.5 mg/kg/min",
    increment="0.5 mg/kg/min",
    every="30 min",
    maximum="4 mg/kg/min",
    source="test local protocol",
)
BANNED = re.compile(
    r"seed|reference §|clinical\.md|\[(label|mfr-site|secondary)\]", re.IGNORECASE
)


def _product(key: str) -> Product:
    """The catalogue's product; Gammaplex 5 % with a local formulary's vials.

    The catalogue lists no Gammaplex 5 % vials; the US label's sizes (2.5 g
    in 50 mL, 5/100, 10/200, 20/400) stand in for a local formulary here.
    """
    prod = get_product(key)
    if prod.vials:
        return prod
    vials = tuple(
        Vial(grams=f"{g} g", volume=f"{g * 20:g} mL") for g in (2.5, 5, 10, 20)
    )
    return attrs.evolve(prod, vials=vials)


def _plan(name: str, product: str, **choices: object) -> Plan:
    regimen = get_preset(name).choose(**choices)  # type: ignore[arg-type]
    prod = _product(product)
    indication = regimen.indication
    assert indication is not None
    if regimen.off_label:  # not labelled: the product's CIDP rates
        indication = "cidp"
    kwargs: dict[str, object] = {}
    if prod.indications[indication].ramp is None:
        kwargs["rate_schedule"] = LOCAL
    else:
        # where the label leaves the step size or interval open, a test
        # local policy fills it (1 mg/kg/min every 30 min)
        for extra in (
            {},
            {"increment": "1 mg/kg/min"},
            {"increment": "1 mg/kg/min", "interval": "30 min"},
        ):
            try:
                kwargs["rate_schedule"] = rate_schedule(prod, indication, **extra)
                break
            except InputError:
                continue
    return plan_course(
        PATIENT,
        regimen,
        prod,
        start=START,
        policy="actual",
        rounding="never-below",
        indication=indication,
        rate_weight="dosing",
        **kwargs,  # type: ignore[arg-type]
    )


# (preset, product, choices, days of course 1, g per day of course 1,
#  days from course 1 to course 2 or None, label maximum mg/kg/min)
WORKED = [
    # Privigen PI: 200-800 mg/kg every 3-4 weeks -> 0.4 g/kg x 70 kg = 28 g
    (
        "pi-privigen",
        "privigen",
        {"dose": "0.4 g/kg", "interval": "4 week", "maintenance_days": 1, "cycles": 2},
        1,
        28.0,
        28,
        8.0,
    ),
    (
        "pi-octagam-5",
        "octagam-5",
        {"dose": "0.6 g/kg", "interval": "21 day", "maintenance_days": 1, "cycles": 2},
        1,
        42.0,
        21,
        3.33,
    ),
    (
        "pi-gamunex-c",
        "gamunex-c",
        {"dose": "0.3 g/kg", "interval": "3 week", "maintenance_days": 1, "cycles": 2},
        1,
        21.0,
        21,
        8.0,
    ),
    # Gammagard Liquid PI maximum: 5 mL/kg/h (label) = 8.33 mg/kg/min at 10 %
    (
        "pi-gammagard-liquid",
        "gammagard-liquid",
        {"dose": "0.5 g/kg", "interval": "28 day", "maintenance_days": 1, "cycles": 2},
        1,
        35.0,
        28,
        5.0 / 0.6,
    ),
    (
        "pi-gammagard-sd",
        "gammagard-sd",
        {"dose": "0.3 g/kg", "maintenance_days": 1, "cycles": 2},
        1,
        21.0,
        28,
        None,
    ),
    (
        "pi-panzyga",
        "panzyga",
        {"dose": "0.6 g/kg", "interval": "4 week", "maintenance_days": 1, "cycles": 2},
        1,
        42.0,
        28,
        14.0,
    ),
    (
        "pi-bivigam",
        "bivigam",
        {"dose": "0.8 g/kg", "interval": "4 week", "maintenance_days": 1, "cycles": 2},
        1,
        56.0,
        28,
        6.0,
    ),
    (
        "pi-asceniv",
        "asceniv",
        {"dose": "0.3 g/kg", "interval": "3 week", "maintenance_days": 1, "cycles": 2},
        1,
        21.0,
        21,
        8.0,
    ),
    (
        "pi-gammaplex-5",
        "gammaplex-5",
        {"dose": "0.8 g/kg", "interval": "4 week", "maintenance_days": 1, "cycles": 2},
        1,
        56.0,
        28,
        4.0,
    ),
    # Chronic ITP: 1 g/kg/day on 2 consecutive days -> 70 g on each of 2 days
    ("itp-privigen", "privigen", {}, 2, 70.0, None, 4.0),
    ("itp-octagam-10", "octagam-10", {}, 2, 70.0, None, 12.0),
    ("itp-panzyga", "panzyga", {}, 2, 70.0, None, 8.0),
    ("itp-gammaplex-5", "gammaplex-5", {}, 2, 70.0, None, 4.0),
    # Gamunex-C ITP: 2 g/kg total; 2 days chosen -> 70 g a day
    ("itp-gamunex-c", "gamunex-c", {"induction_days": 2}, 2, 70.0, None, 8.0),
    # Gammagard S/D ITP: 1 g/kg, up to 3 doses on alternate days
    ("itp-gammagard-sd", "gammagard-sd", {"cycles": 3}, 1, 70.0, 2, None),
    # CIDP: loading 2 g/kg (140 g) over the days chosen
    (
        "cidp-privigen",
        "privigen",
        {"induction_days": 2, "maintenance_days": 1, "cycles": 1},
        2,
        70.0,
        21,
        8.0,
    ),
    (
        "cidp-gamunex-c",
        "gamunex-c",
        {"induction_days": 4, "maintenance_days": 2, "cycles": 1},
        4,
        35.0,
        21,
        8.0,
    ),
    (
        "cidp-gammagard-liquid",
        "gammagard-liquid",
        {"induction_days": 5, "maintenance_days": 4, "cycles": 1},
        5,
        28.0,
        21,
        9.0,
    ),
    ("cidp-panzyga", "panzyga", {"dose": "1.5 g/kg", "cycles": 1}, 2, 70.0, 21, 12.0),
    (
        "cidp-ice",
        "gamunex-c",
        {"induction_days": 2, "maintenance_days": 1},
        2,
        70.0,
        21,
        8.0,
    ),
    # MMN: 0.5-2.4 g/kg per month -> 1 g/kg on 1 day = 70 g every 28 days
    (
        "mmn-gammagard-liquid",
        "gammagard-liquid",
        {"dose": "1 g/kg", "maintenance_days": 1, "cycles": 2},
        1,
        70.0,
        28,
        9.0,
    ),
    # Kawasaki: a single 1 g/kg dose, or 400 mg/kg on 4 days (28 g a day)
    ("kawasaki-gammagard-sd-single", "gammagard-sd", {}, 1, 70.0, None, None),
    ("kawasaki-gammagard-sd-4-days", "gammagard-sd", {}, 4, 28.0, None, None),
    # CLL: 400 mg/kg every 3-4 weeks -> 28 g
    (
        "cll-gammagard-sd",
        "gammagard-sd",
        {"interval": "3 week", "maintenance_days": 1, "cycles": 2},
        1,
        28.0,
        21,
        None,
    ),
    # Dermatomyositis, Octagam 10 %: 2 g/kg over 2-5 days every 4 weeks
    (
        "octagam10-dm",
        "octagam-10",
        {"maintenance_days": 4, "cycles": 2},
        4,
        35.0,
        28,
        4.0,
    ),
    (
        "myositis-2gkg-then-1gkg-4w",
        "octagam-10",
        {"induction_days": 2, "maintenance_days": 1, "cycles": 1},
        2,
        70.0,
        28,
        4.0,
    ),
    ("dm-privigen-1gkg-2d-4w", "privigen", {"cycles": 2}, 2, 70.0, 28, 8.0),
]


def test_every_preset_has_a_worked_example() -> None:
    """The worked table covers every shipped preset."""
    assert sorted(row[0] for row in WORKED) == sorted(PRESETS)


@pytest.mark.parametrize(
    ("name", "product", "choices", "days", "grams", "gap", "maximum"), WORKED
)
def test_preset_planned_end_to_end(
    *,
    name: str,
    product: str,
    choices: dict[str, object],
    days: int,
    grams: float,
    gap: int | None,
    maximum: float | None,
) -> None:
    """Each preset plans with its label's dose, days, interval and rate."""
    plan = _plan(name, product, **choices)
    first = plan.cycles[0]
    assert first.days == days
    day_one = [i for i in plan.infusions if i.cycle == 1]
    assert len(day_one) == days
    for infusion in day_one:
        assert infusion.calculated_g == pytest.approx(grams)
    if gap is not None:
        assert (plan.cycles[1].planned_start - first.planned_start).days == gap
    if maximum is not None:
        # 10 % products: 1 mg/kg/min = 0.6 mL/kg/h -> x 70 kg; 5 %: twice that
        conc = float(get_product(product).concentration.to("g/L").magnitude)
        ml_h = maximum * 70.0 * 60.0 / conc
        assert max(i.run.maximum_ml_h for i in plan.infusions) == pytest.approx(
            ml_h, rel=1e-3
        )


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_cites_sources_and_no_team_notes(name: str) -> None:
    """Every preset cites bibliography IDs; its text has no team-note words."""
    r = PRESETS[name]
    assert r.sources
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in r.sources)
    for text in (r.source, *r.fixed, *r.advice, r.name):
        assert not BANNED.search(text), text


@pytest.mark.parametrize("name", [n for n, r in PRESETS.items() if r.products])
def test_label_preset_names_a_labelled_indication(name: str) -> None:
    """A label preset's products carry its indication, unless off-label."""
    r = PRESETS[name]
    for key in r.products:
        labelled = r.indication in set(get_product(key).indications)
        assert labelled != r.off_label, (key, r.indication)


def test_off_label_preset_says_so() -> None:
    """Privigen is not labelled for dermatomyositis: the preset says so."""
    r = get_preset("dm-privigen-1gkg-2d-4w")
    assert r.off_label
    assert any("Off-label" in a for a in r.advice)
    assert "droracle-privigen-dm" in r.sources


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("seed-000-myositis", "myositis-2gkg-then-1gkg-4w"),
        ("seed-004-privigen-dm", "dm-privigen-1gkg-2d-4w"),
    ],
)
def test_old_names_accepted_with_a_deprecation_hint(old: str, new: str) -> None:
    """The old preset names still work, with a DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match=new):
        assert get_preset(old) is PRESETS[new]
    assert renamed_preset(old) == new
    assert old not in PRESETS


def test_pi_dose_outside_label_range_refused() -> None:
    """A PI dose outside 200-800 mg/kg names the field and the range."""
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.dose: 0\.9 g/kg is outside 0\.2-0\.8 g/kg; "
            r"allowed: 0\.2-0\.8 g/kg \(the regimen's allowed dose\)$"
        ),
    ):
        get_preset("pi-privigen").choose(dose="0.9 g/kg")


@pytest.mark.parametrize("interval", ["20 day", "29 day"])
def test_pi_interval_outside_label_range_refused(interval: str) -> None:
    """An interval outside every 3-4 weeks is refused (boundaries around)."""
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.interval: .*; allowed: 21-28 days \(the "
            r"regimen's allowed interval\)$"
        ),
    ):
        get_preset("pi-gamunex-c").choose(interval=interval)


@pytest.mark.parametrize("interval", ["21 day", "28 day"])
def test_pi_interval_at_the_label_bounds_accepted(interval: str) -> None:
    """3 and 4 weeks, the bounds, are accepted."""
    r = get_preset("pi-gamunex-c").choose(interval=interval)
    assert r.maintenance is not None
    assert r.maintenance.interval is not None


def test_open_dose_is_an_open_choice() -> None:
    """A PI preset leaves the dose and interval open, as the label does."""
    r = get_preset("pi-privigen")
    assert "maintenance_dose (allowed 0.2-0.8 g/kg)" in r.open_choices
    assert "maintenance_interval (allowed 21-28 days)" in r.open_choices
    assert any("trough IgG" in a for a in r.advice)


def test_preset_file_lists_every_problem_at_once() -> None:
    """A presets file with three problems reports all three, each placed."""
    text = """
schema = 1
[presets.a]
source = "x"
sources = ["x"]
colour = "red"
[presets.a.maintenance]
dose = "-1 g/kg"
interval = "4 week"
days = 1
cycles = 1
[presets.b]
sources = ["x"]
[presets.b.induction]
dose = "1 g/kg"
days = 1
"""
    with pytest.raises(InputError) as info:
        read_presets(text, "local.toml")
    message = str(info.value)
    assert "3 problem(s) in local.toml" in message
    assert "[presets.a]: unknown field 'colour'" in message
    assert "[presets.a.maintenance]" in message
    assert "maintenance.dose" in message
    assert "[presets.b]: source: required" in message
