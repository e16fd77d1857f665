"""Regimen values, taper strategies and presets."""

from __future__ import annotations

import attrs
import pytest

from ivig_core import Q_, InputError, UnitError
from ivig_core.regimen import (
    PRESETS,
    Combined,
    DayRange,
    DoseSteps,
    Floor,
    Hold,
    Induction,
    IntervalExtension,
    Maintenance,
    PercentPerInfusion,
    Regimen,
    Stop,
    Taper,
    get_preset,
)


def maintenance(**changes: object) -> Maintenance:
    """ICE-like maintenance with *changes*."""
    fields: dict[str, object] = {
        "dose": "1 g/kg",
        "interval": "3 week",
        "allowed_days": DayRange(low=1, high=2),
        "days": 1,
        "allowed_cycles": DayRange(low=1),
        "cycles": 2,
        "source": "test",
    }
    fields.update(changes)
    return Maintenance(**fields)  # type: ignore[arg-type]


def test_induction_holds_dose_in_g_per_kg() -> None:
    """A course dose given in mg/kg is held in g/kg."""
    i = Induction(
        dose=Q_(2000, "mg/kg"), allowed_days=DayRange(low=2, high=5), source="s"
    )
    assert i.dose_g_per_kg == 2.0
    assert i.days is None


def test_induction_from_daily_dose() -> None:
    """A daily dose on fixed days becomes the course dose and fixed days."""
    i = Induction.from_daily(daily_dose="0.4 g/kg/day", days=5, source="s")
    assert i.dose_g_per_kg == pytest.approx(2.0)
    assert i.allowed_days == DayRange(low=5, high=5)
    assert i.days == 5


@pytest.mark.parametrize("dose", ["0 g/kg", "-1 g/kg"])
def test_zero_or_negative_induction_dose_refused(dose: str) -> None:
    """A zero or negative course dose names the field."""
    with pytest.raises(
        InputError, match=r"^induction\.dose: .*; allowed: a value > 0 g/kg$"
    ):
        Induction(dose=dose, allowed_days=DayRange(low=2, high=5), source="s")


def test_percent_is_not_a_dose_per_kg() -> None:
    """'2 %' is refused as a g/kg dose (units are never guessed)."""
    with pytest.raises(
        UnitError,
        match=(
            r"^induction\.dose: 2\.0 % is not written as mass per body "
            r"mass; allowed: a dose per body mass written as mass per body "
            r"mass, e\.g\. '2 g/kg' or '400 mg/kg'$"
        ),
    ):
        Induction(dose="2 %", allowed_days=DayRange(low=2, high=5), source="s")


def test_bare_number_dose_refused() -> None:
    """A bare number is not a dose."""
    with pytest.raises(
        UnitError,
        match=(
            r"^maintenance\.dose: got 1\.0 \(a bare number; units are "
            r"never assumed\); allowed: a dose per body mass as a pint "
            r"Quantity or a string such as '2 g/kg' or '400 mg/kg'$"
        ),
    ):
        maintenance(dose=1.0)


@pytest.mark.parametrize("days", [1, 6])
def test_induction_days_outside_allowed_refused(days: int) -> None:
    """Days outside the allowed range name the field and the range."""
    with pytest.raises(
        InputError,
        match=(
            r"^induction\.days: .*; allowed: 2-5 days \(the regimen's "
            r"allowed days\) or 'fewest'$"
        ),
    ):
        Induction(
            dose="2 g/kg", allowed_days=DayRange(low=2, high=5), days=days, source="s"
        )


def test_fewest_needs_upper_bound() -> None:
    """'fewest' is refused where the source gives no upper bound on days."""
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.days: got 'fewest'; allowed: a number of days: "
            r"'fewest' needs an upper bound on the days$"
        ),
    ):
        maintenance(allowed_days=DayRange(low=1), days="fewest")


def test_interval_shorter_than_course_refused() -> None:
    """An interval shorter than the course would overlap courses."""
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.interval: an interval of 1 day is shorter "
            r"than a 2-day course: courses would overlap; allowed: at "
            r"least the course length \(2 days\)$"
        ),
    ):
        maintenance(interval="1 day", days=2)


def test_interval_must_be_whole_days() -> None:
    """A fractional-day interval is refused, not rounded."""
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.interval: 4\.5 days is not whole; allowed: a "
            r"whole number of days$"
        ),
    ):
        maintenance(interval="4.5 day")


def test_cycles_outside_allowed_refused() -> None:
    """A number of cycles outside the allowed range names the field."""
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.cycles: got 7; allowed: 1-6 cycles \(the "
            r"regimen's allowed cycles\)$"
        ),
    ):
        maintenance(allowed_cycles=DayRange(low=1, high=6), cycles=7)


def test_intensity_is_dose_per_week() -> None:
    """1 g/kg every 4 weeks is 0.25 g/kg/week."""
    m = maintenance(interval="4 week")
    assert m.intensity_g_per_kg_per_week == pytest.approx(0.25)


def test_day_range_refuses_inverted() -> None:
    """A range whose top is below its bottom is refused."""
    with pytest.raises(InputError, match=r"^high: .*; allowed: ≥ low \(5\)"):
        DayRange(low=5, high=2)


def test_dose_steps_refuse_rising_fraction() -> None:
    """Fractions that rise would raise the dose: refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^fractions: 0\.75 after 0\.5 would raise the dose; allowed: "
            r"non-increasing fractions \(a taper never raises the dose\)$"
        ),
    ):
        DoseSteps(fractions=(0.5, 0.75), hold=Hold(cycles=1), source="s")


def test_dose_steps_refuse_fraction_above_one() -> None:
    """A fraction above 1 is refused."""
    with pytest.raises(
        InputError, match=r"^fractions: .*; allowed: fractions 0-1 of the starting"
    ):
        DoseSteps(fractions=(1.2,), hold=Hold(cycles=1), source="s")


def test_interval_extension_refuses_shorter_interval() -> None:
    """A shorter interval after a longer one raises intensity: refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^intervals: 35 days after 42 days would raise the dose "
            r"intensity; allowed: non-decreasing intervals \(a shorter "
            r"interval raises the dose intensity\)$"
        ),
    ):
        IntervalExtension(
            intervals=("6 week", "5 week"), hold=Hold(cycles=1), source="s"
        )


def test_hold_needs_exactly_one() -> None:
    """A hold is cycles or a duration, not both or neither."""
    with pytest.raises(
        InputError, match=r"^hold: .*; allowed: exactly one of cycles= or"
    ):
        Hold()
    with pytest.raises(
        InputError, match=r"^hold: .*; allowed: exactly one of cycles= or"
    ):
        Hold(cycles=1, duration="4 week")


def test_hold_duration_must_be_whole_intervals() -> None:
    """12 weeks is not a whole number of 5-week intervals: refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^hold\.duration: 84 days is 2\.4 intervals of 35 days; "
            r"allowed: a whole number of 35-day intervals$"
        ),
    ):
        Hold(duration="12 week").cycles_at(35.0)


def test_percent_per_infusion_requires_basis() -> None:
    """Whether a percentage is of the starting or previous dose is required."""
    with pytest.raises(
        InputError, match=r"^of: .*; allowed: 'starting' \(each step removes"
    ):
        PercentPerInfusion(percent=25, of="start", source="s")


def test_percent_out_of_range_refused() -> None:
    """0 % or more than 100 % per infusion is refused."""
    with pytest.raises(
        InputError, match=r"^percent: .*; allowed: a number of percent in \(0,"
    ):
        PercentPerInfusion(percent=0, of="starting", source="s")


def test_combined_needs_two_parts() -> None:
    """Combining one strategy is refused."""
    with pytest.raises(
        InputError, match=r"^parts: .*; allowed: at least two strategies to"
    ):
        Combined(parts=(DoseSteps.jnd_2023(),))


def test_floor_per_course() -> None:
    """A floor of 0.5 g/kg every 4 weeks is 0.125 g/kg/week."""
    assert Floor.per_course(
        dose="0.5 g/kg", interval="4 week"
    ).intensity_g_per_kg_per_week == pytest.approx(0.125)


def test_floor_refuses_zero() -> None:
    """A zero floor is refused (use Stop)."""
    with pytest.raises(
        InputError, match=r"^floor\.intensity: .*; allowed: a value > 0 g/kg/week"
    ):
        Floor(intensity="0 g/kg/week")


def test_taper_needs_maintenance() -> None:
    """A taper without maintenance has nothing to start from."""
    with pytest.raises(
        InputError, match=r"^taper: .*; allowed: a regimen with maintenance \(a"
    ):
        Regimen(
            name="x",
            induction=Induction(
                dose="2 g/kg", allowed_days=DayRange.exactly(2), source="s"
            ),
            taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
            source="s",
        )


def test_regimen_needs_a_phase() -> None:
    """A regimen with neither induction nor maintenance is refused."""
    with pytest.raises(
        InputError, match=r"^regimen: .*; allowed: an induction, a maintenance,"
    ):
        Regimen(name="x", source="s")


def test_first_maintenance_before_induction_ends_refused() -> None:
    """Maintenance starting inside the induction course is refused."""
    with pytest.raises(
        InputError,
        match=r"^first_maintenance_after: .*; allowed: at least the induction's 5",
    ):
        Regimen(
            name="x",
            induction=Induction(
                dose="2 g/kg", allowed_days=DayRange.exactly(5), days=5, source="s"
            ),
            maintenance=maintenance(),
            first_maintenance_after="3 day",
            source="s",
        )


def test_presets_cite_sources() -> None:
    """Every preset and each of its phases names its source."""
    for name, regimen in PRESETS.items():
        assert regimen.name == name
        assert regimen.source
        for phase in (regimen.induction, regimen.maintenance):
            if phase is not None:
                assert phase.source


def test_seed_000_preset_values() -> None:
    """Seed 000: 2 g/kg over 2-5 days, then 1 g/kg every 4 weeks (documented)."""
    r = get_preset("myositis-2gkg-then-1gkg-4w")
    assert r.induction is not None
    assert r.maintenance is not None
    assert r.induction.dose_g_per_kg == 2.0
    assert r.induction.allowed_days == DayRange(low=2, high=5)
    assert r.maintenance.dose_g_per_kg == 1.0
    assert r.maintenance.interval_days == 28.0
    assert any("4 weeks" in text for text in r.fixed)


def test_seed_004_preset_values() -> None:
    """Seed 004: 1 g/kg on day 1 and day 2, monthly, 1-6 cycles."""
    r = get_preset("dm-privigen-1gkg-2d-4w")
    assert r.induction is None
    assert r.maintenance is not None
    assert r.maintenance.dose_g_per_kg == 2.0
    assert r.maintenance.days == 2
    assert r.maintenance.allowed_cycles == DayRange(low=1, high=6)
    assert r.open_choices == ("cycles (allowed 1-6 cycles)",)


def test_octagam_and_ice_presets() -> None:
    """Octagam DM 2 g/kg over 2-5 days q4w; ICE 2 g/kg then 1 g/kg q3w x7."""
    octagam = get_preset("octagam10-dm").maintenance
    assert octagam is not None
    assert (octagam.dose_g_per_kg, octagam.interval_days) == (2.0, 28.0)
    assert octagam.allowed_days == DayRange(low=2, high=5)
    ice = get_preset("cidp-ice")
    assert ice.maintenance is not None
    assert ice.maintenance.cycles == 7
    assert ice.maintenance.interval_days == 21.0
    assert ice.first_maintenance_days == 21.0


def test_presets_leave_ranges_open() -> None:
    """A preset with a range does not pick a value in it."""
    assert not get_preset("myositis-2gkg-then-1gkg-4w").is_complete
    assert not get_preset("octagam10-dm").is_complete


def test_choose_fills_and_checks() -> None:
    """choose() fills choices and refuses values outside the ranges."""
    r = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=3, maintenance_days=1, cycles=4
    )
    assert r.is_complete
    assert r.induction is not None
    assert r.induction.days == 3
    with pytest.raises(
        InputError,
        match=(
            r"^induction\.days: 6 days is outside the allowed 2-5 days; "
            r"allowed: 2-5 days \(the regimen's allowed days\) or "
            r"'fewest'$"
        ),
    ):
        get_preset("myositis-2gkg-then-1gkg-4w").choose(induction_days=6)
    with pytest.raises(
        InputError,
        match=(
            r"^maintenance\.cycles: got 7; allowed: 1-6 cycles \(the "
            r"regimen's allowed cycles\)$"
        ),
    ):
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=7)


def test_choose_without_phase_refused() -> None:
    """Choosing induction days for a regimen without induction is refused."""
    with pytest.raises(
        InputError, match=r"^induction_days: .*; allowed: no induction here"
    ):
        get_preset("dm-privigen-1gkg-2d-4w").choose(induction_days=2)


def test_unknown_preset_suggests() -> None:
    """An unknown preset name suggests close matches."""
    with pytest.raises(
        InputError,
        match=(
            r"^preset: no preset 'cidp-ic'; did you mean cidp-ice, "
            r"cidp-privigen\?; allowed: one of \['pi-privigen', "
            r"'pi-octagam-5', 'pi-gamunex-c', 'pi-gammagard-liquid', "
            r"'pi-gammagard-sd', 'pi-panzyga', 'pi-bivigam', 'pi-asceniv', "
            r"'pi-gammaplex-5', 'itp-privigen', 'itp-octagam-10', "
            r"'itp-panzyga', 'itp-gammaplex-5', 'itp-gamunex-c', "
            r"'itp-gammagard-sd', 'cidp-privigen', 'cidp-gamunex-c', "
            r"'cidp-gammagard-liquid', 'cidp-panzyga', 'cidp-ice', "
            r"'mmn-gammagard-liquid', 'kawasaki-gammagard-sd-single', "
            r"'kawasaki-gammagard-sd-4-days', 'cll-gammagard-sd', "
            r"'octagam10-dm', 'myositis-2gkg-then-1gkg-4w', "
            r"'dm-privigen-1gkg-2d-4w'\]$"
        ),
    ):
        get_preset("cidp-ic")


def test_regimen_is_frozen() -> None:
    """Regimens are immutable."""
    r = get_preset("cidp-ice")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        r.name = "y"  # type: ignore[misc]


def test_checks_hold_with_validators_disabled() -> None:
    """Converter checks hold even when attrs validators are off."""
    with attrs.validators.disabled(), pytest.raises(InputError):
        Induction(dose="0 g/kg", allowed_days=DayRange(low=2, high=5), source="s")
