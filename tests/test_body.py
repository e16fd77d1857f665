"""Body-size maths: worked examples, formula tables and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import (
    Q_,
    InputError,
    Sex,
    adjusted_body_weight,
    bmi,
    creatinine_clearance,
    ideal_body_weight,
)
from ivig_core.body import IbwFormula, adjbw_kg, bmi_kg_m2, crcl_ml_min, ibw_kg
from ivig_core.testing import heights, masses
from ivig_core.units import Quantity


REL = 1e-3  # the issue asks for worked examples to 0.1 %


class TestWorkedExample:
    """Reference worked example: female, 165 cm, 92 kg (reference §1.1-1.2)."""

    def test_devine_ibw(self) -> None:
        """Devine: 45.5 + 2.3 x (165 / 2.54 - 60) = 56.91 kg."""
        expected = 45.5 + 2.3 * (165 / 2.54 - 60)
        got = ideal_body_weight(height="165 cm", sex="female").m_as("kg")
        assert got == pytest.approx(56.91, rel=REL)
        assert got == pytest.approx(expected, rel=1e-12)

    def test_adjbw(self) -> None:
        """AdjBW at 0.4: 56.91 + 0.4 x (92 - 56.91) = 70.95 kg."""
        got = adjusted_body_weight(actual="92 kg", ideal="56.909 kg").m_as("kg")
        assert got == pytest.approx(70.95, rel=REL)

    def test_bmi(self) -> None:
        """BMI: 92 / 1.65**2 = 33.79 kg/m2."""
        got = bmi(weight="92 kg", height="165 cm").m_as("kg/m**2")
        assert got == pytest.approx(33.79, rel=REL)

    def test_same_in_pounds_and_feet(self) -> None:
        """The same woman in lb and ft/in gives the same numbers."""
        metric = ideal_body_weight(height="165 cm", sex="female")
        imperial = ideal_body_weight(height=Q_(165 / 2.54, "inch"), sex="FEMALE")
        assert math.isclose(metric.m_as("kg"), imperial.m_as("kg"), rel_tol=1e-12)


@pytest.mark.parametrize(
    ("formula", "sex", "base", "per_inch"),
    [
        (IbwFormula.DEVINE, Sex.MALE, 50.0, 2.3),
        (IbwFormula.DEVINE, Sex.FEMALE, 45.5, 2.3),
        (IbwFormula.ROBINSON, Sex.MALE, 52.0, 1.9),
        (IbwFormula.ROBINSON, Sex.FEMALE, 49.0, 1.7),
        (IbwFormula.MILLER, Sex.MALE, 56.2, 1.41),
        (IbwFormula.MILLER, Sex.FEMALE, 53.1, 1.36),
        (IbwFormula.HAMWI, Sex.MALE, 48.0, 2.7),
        (IbwFormula.HAMWI, Sex.FEMALE, 45.5, 2.2),
    ],
)
def test_adult_formula_constants(
    formula: IbwFormula, sex: Sex, base: float, per_inch: float
) -> None:
    """Each adult formula matches reference §1.1 at 60 in and at 70 in."""
    at_60 = ideal_body_weight(height="60 inch", sex=sex, formula=formula)
    at_70 = ideal_body_weight(height="70 inch", sex=sex, formula=formula.value)
    assert at_60.m_as("kg") == pytest.approx(base, rel=1e-12)
    assert at_70.m_as("kg") == pytest.approx(base + 10 * per_inch, rel=1e-12)


class TestShortStature:
    """Below 60 in the behaviour is an explicit choice (reference §1.7)."""

    def test_refuses_by_default(self) -> None:
        """The default refuses, naming the height and the way out."""
        with pytest.raises(
            InputError,
            match=(
                r"^height: 150 cm is below 60 in, where the devine formula is "
                r"not defined; allowed: at least 152\.4 cm \(60 in\) for this "
                r"formula, or choose below_60in='extrapolate' or 'clamp'$"
            ),
        ):
            ideal_body_weight(height="150 cm", sex="male")

    def test_extrapolates(self) -> None:
        """Extrapolate subtracts 2.3 kg per inch below 60 in (Devine)."""
        got = ideal_body_weight(height="58 inch", sex="male", below_60in="extrapolate")
        assert got.m_as("kg") == pytest.approx(50.0 - 2 * 2.3)

    def test_clamps(self) -> None:
        """Clamp returns the 60-in value."""
        got = ideal_body_weight(height="58 inch", sex="female", below_60in="clamp")
        assert got.m_as("kg") == pytest.approx(45.5)

    def test_extrapolation_that_goes_non_positive_is_refused(self) -> None:
        """A line extended to zero or below is refused, not returned."""
        with pytest.raises(
            InputError, match=r"^height: .*; allowed: a height where the formula"
        ):
            ideal_body_weight(height="40 cm", sex="female", below_60in="extrapolate")

    def test_unknown_choice(self) -> None:
        """An unknown below_60in choice is refused."""
        with pytest.raises(
            InputError,
            match=r"^below_60in: got 'guess'; allowed: one of "
            r"\['refuse', 'extrapolate', 'clamp'\]$",
        ):
            ideal_body_weight(height="150 cm", sex="male", below_60in="guess")  # type: ignore[arg-type]


class TestClinPk:
    """clinPK calc_ibw paediatric rules (reference §1.1)."""

    def test_short_child(self) -> None:
        """Ages 1-17 under 5 ft: height_cm**2 x 1.65 / 1000."""
        got = ideal_body_weight(
            height="120 cm", sex="male", formula="clinpk", age="8 year"
        )
        assert got.m_as("kg") == pytest.approx(120**2 * 1.65 / 1000)

    def test_tall_child(self) -> None:
        """Ages 1-17 at or over 5 ft: 42.2 + 2.27 per inch (female)."""
        got = ideal_body_weight(
            height="65 inch", sex="female", formula="clinpk", age="15 year"
        )
        assert got.m_as("kg") == pytest.approx(42.2 + 5 * 2.27)

    def test_adult_is_devine_without_clamp(self) -> None:
        """From 18 years clinPK applies Devine linearly, also below 5 ft."""
        got = ideal_body_weight(
            height="58 inch", sex="male", formula="clinpk", age="30 year"
        )
        assert got.m_as("kg") == pytest.approx(50.0 - 2 * 2.3)

    def test_infant_refused(self) -> None:
        """Under 1 year clinPK gives no IBW: refused with the reason."""
        with pytest.raises(
            InputError,
            match=r"^age: 0\.5 year is under 1 year, .*; allowed: at least 1 year "
            r"for the clinPK formula$",
        ):
            ideal_body_weight(
                height="60 cm", sex="male", formula="clinpk", age="6 month"
            )

    def test_needs_age(self) -> None:
        """The clinPK formula without an age is refused."""
        with pytest.raises(
            InputError, match=r"^age: .*; allowed: an age: the clinPK formula"
        ):
            ideal_body_weight(height="120 cm", sex="male", formula="clinpk")


class TestCreatinineClearance:
    """Cockcroft-Gault (Nephron 1976;16:31-41)."""

    def test_male(self) -> None:
        """(140 - 54) x 70 / (72 x 1.0) = 83.6 mL/min."""
        got = creatinine_clearance(
            age="54 year", weight="70 kg", sex="male", serum_creatinine="1 mg/dL"
        )
        assert got.m_as("mL/min") == pytest.approx((140 - 54) * 70 / 72)

    def test_female_and_micromolar(self) -> None:
        """Female x 0.85; 88.4 umol/L is 1.0 mg/dL (M = 113.12 g/mol)."""
        got = creatinine_clearance(
            age="54 year", weight="70 kg", sex="female", serum_creatinine="88.4 umol/L"
        )
        expected = (140 - 54) * 70 / (72 * (88.4 * 113.12 / 10_000)) * 0.85
        assert got.m_as("mL/min") == pytest.approx(expected, rel=1e-12)
        assert got.m_as("mL/min") == pytest.approx(71.07, rel=REL)

    def test_child_refused(self) -> None:
        """Under 18 years is outside the population the formula came from."""
        with pytest.raises(InputError, match=r"^age: .*; allowed: at least 18 years"):
            creatinine_clearance(
                age="10 year", weight="30 kg", sex="male", serum_creatinine="0.5 mg/dL"
            )


# --------------------------------------------------------------------------
# Properties

sexes = st.sampled_from(Sex)
adult_heights = heights(152.4, 250.0)


@given(
    h1=adult_heights,
    h2=adult_heights,
    sex=sexes,
    formula=st.sampled_from(
        [IbwFormula.DEVINE, IbwFormula.ROBINSON, IbwFormula.MILLER, IbwFormula.HAMWI]
    ),
)
def test_ibw_rises_with_height(
    h1: Quantity, h2: Quantity, sex: Sex, formula: IbwFormula
) -> None:
    """IBW never falls as height rises."""
    a = ideal_body_weight(height=h1, sex=sex, formula=formula).m_as("kg")
    b = ideal_body_weight(height=h2, sex=sex, formula=formula).m_as("kg")
    if h1.m_as("cm") <= h2.m_as("cm"):
        assert a <= b + 1e-9
    else:
        assert b <= a + 1e-9


def test_five_feet_is_sixty_inches() -> None:
    """'5 ft' is 60 in even after a float round trip through cm."""
    height = Q_(152.4, "cm").to("foot")
    assert ideal_body_weight(height=height, sex="male").m_as("kg") == 50.0


@given(
    actual=st.floats(20, 300),
    ideal=st.floats(20, 120),
    factor=st.floats(0.01, 1.0),
)
def test_adjbw_between_ideal_and_actual(
    actual: float, ideal: float, factor: float
) -> None:
    """AdjBW lies between IBW and actual weight, whichever is larger."""
    value = adjbw_kg(actual, ideal, factor)
    assert min(actual, ideal) - 1e-9 <= value <= max(actual, ideal) + 1e-9


@given(weight=masses(), height=heights())
def test_bmi_units_do_not_matter(weight: Quantity, height: Quantity) -> None:
    """BMI from any units equals the float formula in kg and cm."""
    got = bmi(weight=weight, height=height).m_as("kg/m**2")
    expected = bmi_kg_m2(weight.m_as("kg"), height.m_as("cm"))
    assert math.isclose(got, expected, rel_tol=1e-9)


@given(
    age=st.floats(18, 125),
    weight=st.floats(1, 300),
    scr=st.floats(0.1, 20),
    sex=sexes,
)
def test_crcl_female_is_085_of_male(
    age: float, weight: float, scr: float, sex: Sex
) -> None:
    """The female value is 0.85 x the male value, everything else equal."""
    male = crcl_ml_min(age, weight, Sex.MALE, scr)
    female = crcl_ml_min(age, weight, Sex.FEMALE, scr)
    assert math.isclose(female, 0.85 * male, rel_tol=1e-12)
    assert crcl_ml_min(age, weight, sex, scr) >= 0


@given(height_cm=st.floats(152.4, 250), sex=sexes)
def test_float_core_matches_quantity_api(height_cm: float, sex: Sex) -> None:
    """The float core and the Quantity API agree exactly."""
    via_api = ideal_body_weight(height=Q_(height_cm, "cm"), sex=sex).m_as("kg")
    assert via_api == ibw_kg(height_cm, sex)
