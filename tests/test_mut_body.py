"""Body maths: every formula constant pinned by a worked example computed by hand.

Sources, as body.py cites them: Devine 1974, Robinson 1983, Miller 1983 and Hamwi
1964 lines (base weight at 60 in + kg per inch above); clinPK ``calc_ibw``;
Cockcroft DW, Gault MH. Nephron 1976;16:31-41; AdjBW factor 0.4 (BloodSTAR, UK
request form). Each expected value below is worked by hand in its comment.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ivig_core import InputError, Sex
from ivig_core.body import (
    IbwFormula,
    adjbw_kg,
    adjusted_body_weight,
    bmi,
    bmi_kg_m2,
    check_factor,
    check_short_stature,
    crcl_ml_min,
    creatinine_clearance,
    ibw_kg,
    ideal_body_weight,
)
from mutation_helpers import refused


M, F = Sex.MALE, Sex.FEMALE
FIVE_FT_CM = 152.4  # 60 in × 2.54 cm
FIVE_FT_TEN_CM = 177.8  # 70 in × 2.54 cm


@pytest.mark.parametrize(
    ("formula", "sex", "at_60in", "at_70in"),
    [
        # base at 60 in; base + 10 in × kg/in at 70 in
        (IbwFormula.DEVINE, M, 50.0, 73.0),  # 50 + 10 × 2.3
        (IbwFormula.DEVINE, F, 45.5, 68.5),  # 45.5 + 10 × 2.3
        (IbwFormula.ROBINSON, M, 52.0, 71.0),  # 52 + 10 × 1.9
        (IbwFormula.ROBINSON, F, 49.0, 66.0),  # 49 + 10 × 1.7
        (IbwFormula.MILLER, M, 56.2, 70.3),  # 56.2 + 10 × 1.41
        (IbwFormula.MILLER, F, 53.1, 66.7),  # 53.1 + 10 × 1.36
        (IbwFormula.HAMWI, M, 48.0, 75.0),  # 48 + 10 × 2.7
        (IbwFormula.HAMWI, F, 45.5, 67.5),  # 45.5 + 10 × 2.2
    ],
)
def test_adult_lines(
    formula: IbwFormula, sex: Sex, at_60in: float, at_70in: float
) -> None:
    """Each adult line at exactly 5 ft and at 5 ft 10 in."""
    assert ibw_kg(FIVE_FT_CM, sex, formula) == pytest.approx(at_60in, abs=1e-9)
    assert ibw_kg(FIVE_FT_TEN_CM, sex, formula) == pytest.approx(at_70in, abs=1e-9)


def test_devine_is_the_default_and_the_inch_is_2_54_cm() -> None:
    """180 cm = 70.866 in: 50 + 2.3 × 10.866 = 74.992 kg (Devine, male)."""
    assert ibw_kg(180.0, M) == pytest.approx(74.99212598, abs=1e-6)
    q = ideal_body_weight(height="180 cm", sex="male")
    assert q.magnitude == pytest.approx(74.99212598, abs=1e-6)
    assert str(q.units) == "kilogram"


def test_just_above_60_inches_uses_the_line() -> None:
    """153 cm = 60.236 in: 50 + 2.3 × 0.236 = 50.543 kg (not the 60-in 50 kg)."""
    assert ibw_kg(153.0, M) == pytest.approx(50.54330709, abs=1e-6)


def test_five_feet_typed_in_feet_is_not_below_60_inches() -> None:
    """'5 ft' round-trips to 59.999999999999996 in: still 60 in, 50 kg."""
    assert ideal_body_weight(height="5 ft", sex="male").magnitude == pytest.approx(50.0)


def test_below_60_inches_refuse_clamp_extrapolate() -> None:
    """150 cm = 59.055 in: refused; clamped to 50 kg; extrapolated 47.827 kg."""
    detail = "150 cm is below 60 in, where the devine formula is not defined"
    allowed = (
        "at least 152.4 cm (60 in) for this formula, or choose "
        "below_60in='extrapolate' or 'clamp'"
    )
    with refused("height", 150.0, allowed, detail):
        ibw_kg(150.0, M)
    assert ibw_kg(150.0, M, below_60in="clamp") == 50.0
    # 50 + 2.3 × (150 / 2.54 − 60) = 50 − 2.3 × 0.944882 = 47.826772
    assert ibw_kg(150.0, M, below_60in="extrapolate") == pytest.approx(
        47.82677165, abs=1e-6
    )
    with refused("height", 152.39, allowed, detail.replace("150", "152.39")):
        ibw_kg(152.39, M)


def test_extrapolated_line_must_stay_positive() -> None:
    """Devine male reaches 0 kg at 60 − 50/2.3 = 38.26 in (97.2 cm).

    97.75 cm = 38.4843 in: 50 − 2.3 × 21.5157 = 0.5138 kg, small but positive; 90 cm
    = 35.433 in: 50 − 2.3 × 24.567 = −6.5 kg, refused.
    """
    assert ibw_kg(97.75, M, below_60in="extrapolate") == pytest.approx(
        0.51378, abs=1e-5
    )
    with refused(
        "height",
        90.0,
        "a height where the formula gives a positive weight",
        "the devine line gives -6.5 kg at 90 cm",
    ):
        ibw_kg(90.0, M, below_60in="extrapolate")


@pytest.mark.parametrize(
    ("height", "sex", "age", "expected"),
    [
        (FIVE_FT_TEN_CM, M, 10.0, 61.7),  # 39 + 2.27 × 10
        (FIVE_FT_TEN_CM, F, 10.0, 64.9),  # 42.2 + 2.27 × 10
        (FIVE_FT_CM, M, 10.0, 39.0),  # exactly 5 ft: the line, not the square
        (FIVE_FT_CM, F, 10.0, 42.2),
        (153.0, M, 10.0, 39.53622047),  # 39 + 2.27 × 0.23622
        (140.0, M, 10.0, 32.34),  # 140² × 1.65 / 1000 (below 5 ft)
        (140.0, F, 1.0, 32.34),  # age 1 is the lowest clinPK age
        (FIVE_FT_TEN_CM, M, 17.99, 61.7),  # still a child
        (FIVE_FT_TEN_CM, M, 18.0, 73.0),  # 18: Devine 50 + 2.3 × 10
        (150.0, M, 30.0, 47.82677165),  # adults: Devine extrapolated below 5 ft
    ],
)
def test_clinpk(height: float, sex: Sex, age: float, expected: float) -> None:
    """The clinPK calc_ibw: child lines, the short-child square, Devine from 18."""
    assert ibw_kg(height, sex, IbwFormula.CLINPK, age_years=age) == pytest.approx(
        expected, abs=1e-6
    )


def test_clinpk_age_required_and_at_least_one_year() -> None:
    """The clinPK formula gives no IBW without an age, nor under 1 year."""
    with refused(
        "age",
        None,
        "an age: the clinPK formula depends on it",
        "the clinPK formula needs the age, and none was given",
    ):
        ibw_kg(170.0, M, IbwFormula.CLINPK)
    with refused(
        "age",
        0.99,
        "at least 1 year for the clinPK formula",
        "0.99 year is under 1 year, where clinPK gives no IBW and doses on actual "
        "weight",
    ):
        ibw_kg(70.0, M, IbwFormula.CLINPK, age_years=0.99)


def test_short_stature_choices() -> None:
    """Each choice is returned as given; anything else names below_60in."""
    for choice in ("refuse", "extrapolate", "clamp"):
        assert check_short_stature(choice) == choice
    with refused("below_60in", "round", "one of ['refuse', 'extrapolate', 'clamp']"):
        check_short_stature("round")


def test_formula_parse_names_the_field() -> None:
    """An unknown formula is refused naming the formula field."""
    with pytest.raises(
        ValueError,
        match=(
            r"^formula: got 'broca'; allowed: one of \['devine', "
            r"'robinson', 'miller', 'hamwi', 'clinpk'\]$"
        ),
    ) as caught:
        IbwFormula.parse("broca")
    assert getattr(caught.value, "field", None) == "formula"


def test_adjusted_body_weight_factor_0_4() -> None:
    """92 kg actual, 56.9 kg ideal: 56.9 + 0.4 × 35.1 = 70.94 kg."""
    assert adjbw_kg(92.0, 56.9) == pytest.approx(70.94, abs=1e-9)
    assert adjusted_body_weight(actual="92 kg", ideal="56.9 kg").magnitude == (
        pytest.approx(70.94, abs=1e-9)
    )
    # a site factor of 0.25: 56.9 + 0.25 × 35.1 = 65.675 kg
    assert adjusted_body_weight(
        actual="92 kg", ideal="56.9 kg", factor=0.25
    ).magnitude == pytest.approx(65.675, abs=1e-9)


def test_adjusted_body_weight_names_its_fields() -> None:
    """A bad actual or ideal weight is refused under its own name."""
    with pytest.raises(
        ValueError,
        match=(
            r"^actual: 92\.0 m is not a mass \(its dimension is "
            r"\[length\]\); allowed: a mass, e\.g\. '70 kg' or '154 lb'$"
        ),
    ):
        adjusted_body_weight(actual="92 m", ideal="56.9 kg")
    with pytest.raises(
        ValueError,
        match=(
            r"^ideal: -1 kg is outside the accepted range; allowed: "
            r"\[0\.2, 650\] kg$"
        ),
    ):
        adjusted_body_weight(actual="92 kg", ideal="-1 kg")
    with refused("factor", 1.5, "a number in (0, 1], e.g. 0.4"):
        adjusted_body_weight(actual="92 kg", ideal="56.9 kg", factor=1.5)


@pytest.mark.parametrize("value", [1.0, 1e-9, 0.4])
def test_factor_inside_the_range(value: float) -> None:
    """(0, 1]: 1 is allowed, any positive number up to it too."""
    assert check_factor(value) == value


@pytest.mark.parametrize("value", [0.0, -0.1, 1.0000001, 2.0])
def test_factor_outside_the_range(value: float) -> None:
    """0, below 0 and above 1 are refused naming the field and the range."""
    with refused("factor", value, "a number in (0, 1], e.g. 0.4"):
        check_factor(value)
    with refused("policy.factor", value, "a number in (0, 1], e.g. 0.4"):
        check_factor(value, field="policy.factor")


def test_factor_not_a_number() -> None:
    """A string is refused with the same range."""
    with refused("factor", "0.4", "a number in (0, 1], e.g. 0.4"):
        check_factor("0.4")


def test_bmi_worked() -> None:
    """92 kg, 165 cm: 92 / 1.65² = 92 / 2.7225 = 33.7925 kg/m²."""
    q = bmi(weight="92 kg", height="165 cm")
    assert q.magnitude == pytest.approx(33.79247016, abs=1e-6)


@pytest.mark.parametrize(
    ("age", "weight", "sex", "scr", "expected"),
    [
        (54.0, 70.0, M, 1.0, 83.61111111),  # 86 × 70 / 72
        (54.0, 70.0, F, 1.0, 71.06944444),  # × 0.85
        (18.0, 70.0, M, 1.0, 118.6111111),  # 122 × 70 / 72: 18 is allowed
        (80.0, 60.0, F, 2.0, 21.25),  # 60 × 60 / 144 × 0.85
    ],
)
def test_cockcroft_gault(
    age: float, weight: float, sex: Sex, scr: float, expected: float
) -> None:
    """(140 − age) × weight / (72 × SCr), × 0.85 for women (Nephron 1976)."""
    assert crcl_ml_min(age, weight, sex, scr) == pytest.approx(expected, abs=1e-6)
    q = creatinine_clearance(
        age=f"{age} year",
        weight=f"{weight} kg",
        sex=sex,
        serum_creatinine=f"{scr} mg/dL",
    )
    assert q.magnitude == pytest.approx(expected, abs=1e-6)


def test_cockcroft_gault_refused_under_18() -> None:
    """17.9 years is refused naming the age and the adult range."""
    with refused(
        "age",
        "17.9 year",
        "at least 18 years (Cockcroft-Gault was derived in adults)",
        "17.9 year is under 18",
    ):
        creatinine_clearance(
            age="17.9 year", weight="70 kg", sex="male", serum_creatinine="1 mg/dL"
        )


# --------------------------------------------------------------------------
# The float core checks its own inputs (it is public): each refusal names
# the argument, with what is allowed.

_ABOVE_0 = "a number > 0"
_FINITE = "a number > 0 (finite)"


@pytest.mark.parametrize("bad", [0.0, -70.0])
def test_float_core_refuses_weights_and_heights_at_or_below_zero(bad: float) -> None:
    """0 and below are refused for each weight, height and creatinine."""
    with refused("weight", bad, _ABOVE_0):
        bmi_kg_m2(bad, 170.0)
    with refused("height", bad, _ABOVE_0):
        bmi_kg_m2(70.0, bad)
    with refused("height", bad, _ABOVE_0):
        ibw_kg(bad, Sex.MALE)
    with refused("actual", bad, _ABOVE_0):
        adjbw_kg(bad, 60.0)
    with refused("ideal", bad, _ABOVE_0):
        adjbw_kg(90.0, bad)
    with refused("weight", bad, _ABOVE_0):
        crcl_ml_min(60.0, bad, Sex.MALE, 1.0)
    with refused("serum_creatinine", bad, _ABOVE_0):
        crcl_ml_min(60.0, 70.0, Sex.MALE, bad)


def test_float_core_refuses_nan() -> None:
    """NaN is refused as not finite, naming the argument."""
    nan = float("nan")
    calls: tuple[tuple[Callable[[], float], str], ...] = (
        (lambda: bmi_kg_m2(nan, 170.0), "weight"),
        (lambda: bmi_kg_m2(70.0, nan), "height"),
        (lambda: ibw_kg(nan, Sex.MALE), "height"),
        (lambda: adjbw_kg(nan, 60.0), "actual"),
        (lambda: adjbw_kg(90.0, nan), "ideal"),
        (lambda: crcl_ml_min(60.0, nan, Sex.MALE, 1.0), "weight"),
        (lambda: crcl_ml_min(60.0, 70.0, Sex.MALE, nan), "serum_creatinine"),
    )
    for call, field in calls:
        with pytest.raises(InputError) as caught:
            call()
        assert (caught.value.field, caught.value.allowed) == (field, _FINITE)


def test_float_core_refuses_wrong_kinds() -> None:
    """A sex, formula or age of the wrong kind is refused by name."""
    with refused("sex", "M", "a Sex"):
        ibw_kg(170.0, "M")  # type: ignore[arg-type]
    with refused("formula", "devine", "an IbwFormula"):
        ibw_kg(170.0, Sex.MALE, "devine")  # type: ignore[arg-type]
    with refused("age", "x", "a number"):
        ibw_kg(170.0, Sex.MALE, IbwFormula.CLINPK, age_years="x")  # type: ignore[arg-type]
    with refused("age", "x", "a number"):
        crcl_ml_min("x", 70.0, Sex.MALE, 1.0)  # type: ignore[arg-type]
    with refused("sex", "F", "a Sex"):
        crcl_ml_min(60.0, 70.0, "F", 1.0)  # type: ignore[arg-type]
