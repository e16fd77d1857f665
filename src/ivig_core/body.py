"""Body-size maths: BMI, ideal and adjusted body weight, creatinine clearance.

Each public function takes quantities (or strings such as ``"165 cm"``) and
returns a quantity. The arithmetic lives in small float functions whose names
carry their units (``ibw_kg``, ``bmi_kg_m2``); they are public so that batch
code can call them without pint, and they are tested directly.

Every constant cites its sources next to it, by ID of the project's
bibliography (:mod:`ivig_core.sources`, rendered in the docs' bibliography);
the explanation page ``docs/explanation/dosing-weight.rst`` gives them with
their valid ranges.
"""

from __future__ import annotations

from typing import Final, Literal, assert_never, get_args

import attrs

from ivig_core import units
from ivig_core._checks import finite as _finite
from ivig_core._checks import instance as _instance
from ivig_core._checks import is_number
from ivig_core._checks import real as _real
from ivig_core._enum import ParsedEnum
from ivig_core.errors import InputError
from ivig_core.patient import (
    Sex,
    read_age_years,
    read_creatinine_mg_dl,
    read_height_cm,
    read_weight_kg,
)
from ivig_core.units import KG, KG_PER_M2, ML_PER_MIN, Quantity


__all__ = [
    "ADJBW_FACTOR",
    "IbwFormula",
    "ShortStature",
    "adjbw_kg",
    "adjusted_body_weight",
    "bmi",
    "bmi_kg_m2",
    "crcl_ml_min",
    "creatinine_clearance",
    "ibw_kg",
    "ideal_body_weight",
]

#: Centimetres per inch: the international inch, exactly 2.54 cm (1959). The
#: NBA BloodSTAR calculator uses 0.393701 in/cm, which differs by 1e-6.
CM_PER_INCH: Final = 2.54
#: The IBW formulas are anchored at 60 inches (5 ft, 152.4 cm).
IBW_BASE_INCHES: Final = 60.0
#: Heights within this many inches of 60 in count as 60 in: "5 ft" converted
#: to cm and back is 59.999999999999996 in in binary floating point, and must
#: not be refused as "below 60 in". (Representation error, not rounding.)
_FLOAT_SLACK_INCHES: Final = 1e-9

#: The adjusted-body-weight factor: AdjBW = IBW + 0.4 × (actual − IBW).
#: NBA BloodSTAR ("DDW"), the UK Ig request form (DH Clinical Guidelines for
#: Immunoglobulin Use, 2nd ed. update 2011), a US IVIG order set and clinPK
#: ``calc_abw`` all use 0.4. Sources: ``nba-bloodstar-ibw``,
#: ``uk-ig-request-form``, ``us-ivig-order-form``, ``clinpk``.
ADJBW_FACTOR: Final = 0.4

#: What to do below 60 in, where the adult formulas are not defined: refuse
#: (NBA and Ontario exclude short patients: ``lifeblood-abw-2026``,
#: ``ontario-ig-calculator``); extend the line below 60 in (clinPK and several
#: calculators: ``clinpk``, ``ibw-calculator-pages``); or clamp at the 60-in
#: value.
ShortStature = Literal["refuse", "extrapolate", "clamp"]
_SHORT_STATURE: Final = get_args(ShortStature)


class IbwFormula(ParsedEnum):
    """Ideal-body-weight formulas.

    The adult formulas are a base weight at 60 in plus a weight per inch
    above it. The constants agree across several calculator pages
    (``ibw-calculator-pages``, a weak source) and, for Devine, the NBA
    BloodSTAR page (``nba-bloodstar-ibw``); the primary papers are cited, not
    read (``devine-1974``, ``robinson-1983``, ``miller-1983``,
    ``hamwi-1964``).

    .. versionadded:: 0.1.0
    """

    #: Devine 1974 (``devine-1974``): the immunoglobulin standard (BloodSTAR,
    #: Ontario, US order sets: ``nba-bloodstar-ibw``,
    #: ``ontario-ig-calculator``, ``cidpusa-protocol``).
    DEVINE = "devine"
    #: Robinson 1983 (``robinson-1983``).
    ROBINSON = "robinson"
    #: Miller 1983 (``miller-1983``).
    MILLER = "miller"
    #: Hamwi 1964 (``hamwi-1964``).
    HAMWI = "hamwi"
    #: clinPK ``calc_ibw`` (InsightRX/clinPK ``R/calc_ibw.R``): Devine from
    #: 18 years; 1–17 years: height_cm² × 1.65 / 1000 below 5 ft, otherwise
    #: 39 (male) or 42.2 (female) + 2.27 kg per inch over 5 ft; none under
    #: 1 year (clinPK uses actual weight there). Needs the age. Source:
    #: ``clinpk``.
    CLINPK = "clinpk"

    @classmethod
    def _field(cls) -> str:
        return "formula"


@attrs.frozen
class _Line:
    """Base weight at 60 in and kg per inch above, for one sex."""

    base_kg: float
    per_inch_kg: float


# Constants (male, female). Sources: ibw-calculator-pages, nba-bloodstar-ibw
# (Devine); devine-1974, robinson-1983, miller-1983, hamwi-1964 (cited).
_ADULT: Final[dict[IbwFormula, tuple[_Line, _Line]]] = {
    IbwFormula.DEVINE: (_Line(50.0, 2.3), _Line(45.5, 2.3)),
    IbwFormula.ROBINSON: (_Line(52.0, 1.9), _Line(49.0, 1.7)),
    IbwFormula.MILLER: (_Line(56.2, 1.41), _Line(53.1, 1.36)),
    IbwFormula.HAMWI: (_Line(48.0, 2.7), _Line(45.5, 2.2)),
}
# clinPK calc_ibw, ages 1-17 at or above 5 ft (source: clinpk).
_CLINPK_CHILD: Final = (_Line(39.0, 2.27), _Line(42.2, 2.27))
#: clinPK below 5 ft, ages 1-17: IBW = height_cm² × 1.65 / 1000.
CLINPK_SHORT_CHILD_FACTOR: Final = 1.65 / 1000.0
CLINPK_ADULT_AGE_YEARS: Final = 18.0
CLINPK_MIN_AGE_YEARS: Final = 1.0

#: Cockcroft-Gault: CrCl = (140 − age) × weight / (72 × SCr) [× 0.85 female].
#: Cockcroft DW, Gault MH. Nephron 1976;16(1):31-41 (``cockcroft-gault-1976``).
#: Derived in adults.
CG_AGE_CONSTANT: Final = 140.0
CG_DIVISOR: Final = 72.0
CG_FEMALE_FACTOR: Final = 0.85
CG_MIN_AGE_YEARS: Final = 18.0


def check_short_stature(value: object) -> ShortStature:
    """Check a ``below_60in`` choice: ``"refuse"``, ``"extrapolate"`` or ``"clamp"``.

    .. versionadded:: 0.1.0
    """
    if value == "refuse":
        return "refuse"
    if value == "extrapolate":
        return "extrapolate"
    if value == "clamp":
        return "clamp"
    raise InputError("below_60in", value, f"one of {list(_SHORT_STATURE)}")


# --------------------------------------------------------------------------
# Float core


def bmi_kg_m2(weight_kg: float, height_cm: float) -> float:
    """Body-mass index in kg/m² from floats (weight / height²).

    .. versionadded:: 0.1.0
    """
    weight_kg = _finite(weight_kg, field="weight", positive=True)
    height_cm = _finite(height_cm, field="height", positive=True)
    height_m = height_cm / 100.0
    return weight_kg / (height_m * height_m)


def ibw_kg(
    height_cm: float,
    sex: Sex,
    formula: IbwFormula = IbwFormula.DEVINE,
    below_60in: ShortStature = "refuse",
    age_years: float | None = None,
) -> float:
    """Ideal body weight in kg from floats; see :func:`ideal_body_weight`.

    .. versionadded:: 0.1.0
    """
    height_cm = _finite(height_cm, field="height", positive=True)
    sex = _instance(sex, Sex, field="sex")
    formula = _instance(formula, IbwFormula, field="formula")
    below_60in = check_short_stature(below_60in)
    age_years = None if age_years is None else _real(age_years, field="age")
    inches = height_cm / CM_PER_INCH
    over = inches - IBW_BASE_INCHES
    if -_FLOAT_SLACK_INCHES < over < 0:
        over = 0.0
    if formula is IbwFormula.CLINPK:
        if age_years is None:
            raise InputError(
                "age",
                None,
                "an age: the clinPK formula depends on it",
                "the clinPK formula needs the age, and none was given",
            )
        if age_years < CLINPK_MIN_AGE_YEARS:
            raise InputError(
                "age",
                age_years,
                "at least 1 year for the clinPK formula",
                f"{age_years:g} year is under 1 year, where clinPK gives no IBW "
                "and doses on actual weight",
            )
        if age_years < CLINPK_ADULT_AGE_YEARS:
            if over < 0:
                return height_cm * height_cm * CLINPK_SHORT_CHILD_FACTOR
            child = _CLINPK_CHILD[0 if sex is Sex.MALE else 1]
            return child.base_kg + child.per_inch_kg * over
        # clinPK applies Devine to adults with no clamp below 5 ft.
        formula, below_60in = IbwFormula.DEVINE, "extrapolate"
    line = _ADULT[formula][0 if sex is Sex.MALE else 1]
    if over < 0:
        match below_60in:
            case "refuse":
                raise InputError(
                    "height",
                    height_cm,
                    "at least 152.4 cm (60 in) for this formula, or choose "
                    "below_60in='extrapolate' or 'clamp'",
                    f"{height_cm:g} cm is below 60 in, where the "
                    f"{formula.value} formula is not defined",
                )
            case "clamp":
                over = 0.0
            case "extrapolate":
                pass
            case _:  # pragma: no cover - exhaustive
                assert_never(below_60in)
    result = line.base_kg + line.per_inch_kg * over
    if not result > 0:
        raise InputError(
            "height",
            height_cm,
            "a height where the formula gives a positive weight",
            f"the {formula.value} line gives {result:.1f} kg at {height_cm:g} cm",
        )
    return result


def adjbw_kg(actual_kg: float, ideal_kg: float, factor: float = ADJBW_FACTOR) -> float:
    """Adjusted body weight in kg: ``ideal + factor × (actual − ideal)``.

    .. versionadded:: 0.1.0
    """
    actual_kg = _finite(actual_kg, field="actual", positive=True)
    ideal_kg = _finite(ideal_kg, field="ideal", positive=True)
    factor = check_factor(factor)
    return ideal_kg + factor * (actual_kg - ideal_kg)


def crcl_ml_min(
    age_years: float, weight_kg: float, sex: Sex, scr_mg_dl: float
) -> float:
    """Cockcroft-Gault creatinine clearance in mL/min from floats.

    .. versionadded:: 0.1.0
    """
    age_years = _real(age_years, field="age")
    weight_kg = _finite(weight_kg, field="weight", positive=True)
    sex = _instance(sex, Sex, field="sex")
    scr_mg_dl = _finite(scr_mg_dl, field="serum_creatinine", positive=True)
    value = (CG_AGE_CONSTANT - age_years) * weight_kg / (CG_DIVISOR * scr_mg_dl)
    return value * CG_FEMALE_FACTOR if sex is Sex.FEMALE else value


# --------------------------------------------------------------------------
# Quantity API


def check_factor(value: object, *, field: str = "factor") -> float:
    """Check an adjustment factor: a real number in (0, 1].

    .. versionadded:: 0.1.0
    """
    if not is_number(value):
        raise InputError(field, value, "a number in (0, 1], e.g. 0.4")
    factor = float(value)
    if not 0.0 < factor <= 1.0:
        raise InputError(field, value, "a number in (0, 1], e.g. 0.4")
    return factor


def bmi(*, weight: object, height: object) -> Quantity:
    """Body-mass index, weight / height², in kg/m².

    Args:
        weight: Actual body weight (``"92 kg"``, ``"202.8 lb"``).
        height: Height (``"165 cm"``, ``"5 ft 5 in"``).

    Example:
        >>> round(bmi(weight="92 kg", height="165 cm").magnitude, 1)
        33.8

    .. versionadded:: 0.1.0
    """
    value = bmi_kg_m2(read_weight_kg(weight), read_height_cm(height))
    return units.quantity(value, KG_PER_M2)


def ideal_body_weight(
    *,
    height: object,
    sex: Sex | str,
    formula: IbwFormula | str = IbwFormula.DEVINE,
    below_60in: ShortStature = "refuse",
    age: object = None,
) -> Quantity:
    """Ideal body weight in kg.

    Args:
        height: Height (``"165 cm"``, ``"5 ft 5 in"``).
        sex: :class:`~ivig_core.Sex` or ``"male"``/``"female"``.
        formula: An :class:`IbwFormula` or its name; Devine by default, the
            formula every immunoglobulin calculator seen uses.
        below_60in: Below 60 in (152.4 cm) the adult formulas are not
            defined. ``"refuse"`` (the default) raises :class:`InputError`;
            ``"extrapolate"`` extends the line (2.3 kg less per inch for
            Devine); ``"clamp"`` returns the 60-in value.
        age: Needed only for :attr:`IbwFormula.CLINPK`.

    Raises:
        InputError: A height below 60 in with ``below_60in="refuse"``, an
            unknown formula, or a formula giving no positive weight.

    Example:
        >>> round(ideal_body_weight(height="165 cm", sex="female").magnitude, 2)
        56.91

    .. versionadded:: 0.1.0
    """
    height_cm = read_height_cm(height)
    sex_ = Sex.parse(sex)
    formula_ = IbwFormula.parse(formula)
    rule = check_short_stature(below_60in)
    age_years = None if age is None else read_age_years(age)
    return units.quantity(ibw_kg(height_cm, sex_, formula_, rule, age_years), KG)


def adjusted_body_weight(
    *, actual: object, ideal: object, factor: float = ADJBW_FACTOR
) -> Quantity:
    """Adjusted body weight: ``ideal + factor × (actual − ideal)``, in kg.

    Args:
        actual: Actual body weight.
        ideal: Ideal body weight (e.g. from :func:`ideal_body_weight`).
        factor: In (0, 1]; 0.4 by default, the factor of BloodSTAR, the UK
            request form and US order sets (``nba-bloodstar-ibw``,
            ``uk-ig-request-form``, ``us-ivig-order-form``).

    Example:
        >>> round(adjusted_body_weight(actual="92 kg", ideal="56.9 kg").magnitude, 2)
        70.94

    .. versionadded:: 0.1.0
    """
    actual_kg = read_weight_kg(actual, field="actual")
    ideal_kg = read_weight_kg(ideal, field="ideal")
    return units.quantity(adjbw_kg(actual_kg, ideal_kg, check_factor(factor)), KG)


def creatinine_clearance(
    *, age: object, weight: object, sex: Sex | str, serum_creatinine: object
) -> Quantity:
    """Cockcroft-Gault creatinine clearance in mL/min.

    ``(140 − age) × weight / (72 × SCr)``, × 0.85 for women (Cockcroft DW,
    Gault MH. Nephron 1976;16:31-41). Derived in adults, so ages under 18 are
    refused. Which weight to pass (actual, ideal, adjusted) is the caller's
    choice and is not made here.

    Args:
        age: Age, at least 18 years.
        weight: The weight to use, in any mass unit.
        sex: :class:`~ivig_core.Sex` or its name.
        serum_creatinine: In mg/dL or µmol/L (``"88.4 umol/L"``).

    Example:
        >>> crcl = creatinine_clearance(age="54 year", weight="70 kg",
        ...                             sex="male", serum_creatinine="1 mg/dL")
        >>> round(crcl.magnitude, 1)
        83.6

    .. versionadded:: 0.1.0
    """
    age_years = read_age_years(age)
    if age_years < CG_MIN_AGE_YEARS:
        raise InputError(
            "age",
            age,
            "at least 18 years (Cockcroft-Gault was derived in adults)",
            f"{age_years:g} year is under 18",
        )
    weight_kg = read_weight_kg(weight)
    scr = read_creatinine_mg_dl(serum_creatinine)
    return units.quantity(
        crcl_ml_min(age_years, weight_kg, Sex.parse(sex), scr), ML_PER_MIN
    )
