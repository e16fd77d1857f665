"""Hypothesis strategies for testing code that uses ivig_core.

Install with the ``testing`` extra (``pip install "ivig-core[testing]"``);
the core library does not depend on Hypothesis.

Magnitudes are drawn in a canonical unit and range, then shown in a drawn
display unit, so a range means the same thing whatever unit is drawn (a
range drawn in the display unit would shift with the unit).

Example:
    >>> from hypothesis import given
    >>> from ivig_core.testing import patients
    >>> @given(patients())
    ... def test_weight_is_positive(p):
    ...     assert p.weight_kg > 0
    >>> test_weight_is_positive()

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from hypothesis import strategies as st

from ivig_core import units
from ivig_core.patient import (
    AGE_RANGE_YEARS,
    HEIGHT_RANGE_CM,
    WEIGHT_RANGE_KG,
    Patient,
    RiskFactor,
    Sex,
)
from ivig_core.units import Quantity


__all__ = [
    "adult_patients",
    "ages",
    "heights",
    "masses",
    "patients",
]

_MASS_UNITS = ("kilogram", "pound", "gram")
_LENGTH_UNITS = ("centimeter", "inch", "meter", "foot")
#: Relative margin kept from each bound: a value drawn at a bound and shown in
#: another unit can convert back a few ulps outside it.
_MARGIN = 1e-9


def _shown(
    lo: float, hi: float, unit: units.UnitSpec, display: tuple[str, ...]
) -> st.SearchStrategy[Quantity]:
    """Magnitudes drawn in canonical *unit* within [lo, hi], shown in *display*."""
    return st.builds(
        lambda value, shown: units.quantity(value, unit).to(shown),
        st.floats(lo + abs(lo) * _MARGIN, hi - abs(hi) * _MARGIN),
        st.sampled_from(display),
    )


def masses(
    lo_kg: float = WEIGHT_RANGE_KG[0],
    hi_kg: float = WEIGHT_RANGE_KG[1],
) -> st.SearchStrategy[Quantity]:
    """Body masses between *lo_kg* and *hi_kg*, in kg, lb or g."""
    return _shown(lo_kg, hi_kg, units.KG, _MASS_UNITS)


def heights(
    lo_cm: float = HEIGHT_RANGE_CM[0],
    hi_cm: float = HEIGHT_RANGE_CM[1],
) -> st.SearchStrategy[Quantity]:
    """Heights between *lo_cm* and *hi_cm*, in cm, in, m or ft."""
    return _shown(lo_cm, hi_cm, units.CM, _LENGTH_UNITS)


def ages(
    lo_years: float = AGE_RANGE_YEARS[0],
    hi_years: float = AGE_RANGE_YEARS[1],
) -> st.SearchStrategy[Quantity]:
    """Ages between *lo_years* and *hi_years*, in years."""
    return _shown(lo_years, hi_years, units.YEAR, ("year",))


@st.composite
def patients(
    draw: st.DrawFn,
    *,
    min_age_years: float = AGE_RANGE_YEARS[0],
    min_height_cm: float = HEIGHT_RANGE_CM[0],
    max_height_cm: float = HEIGHT_RANGE_CM[1],
    weight_kg: tuple[float, float] = WEIGHT_RANGE_KG,
    risk_factors: bool = True,
) -> Patient:
    """Valid patients across the accepted ranges, in mixed units."""
    sex = draw(st.sampled_from(Sex))
    factors = (
        draw(st.frozensets(st.sampled_from(RiskFactor), max_size=4))
        if risk_factors
        else frozenset()
    )
    return Patient(
        sex=sex,
        age=draw(ages(min_age_years)),
        height=draw(heights(min_height_cm, max_height_cm)),
        weight=draw(masses(*weight_kg)),
        risk_factors=factors,
    )


def adult_patients() -> st.SearchStrategy[Patient]:
    """Adults 152.4-250 cm tall and 30-250 kg: where adult formulas apply.

    The bounds sit inside the accepted ranges so that converting to other
    units and back cannot step outside them.
    """
    return patients(
        min_age_years=18.0,
        min_height_cm=152.4,
        max_height_cm=250.0,
        weight_kg=(30.0, 250.0),
    )
