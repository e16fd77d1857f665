"""The patient: validated measurements in canonical units.

A :class:`Patient` is immutable. Every dimensioned field accepts a pint
Quantity or a string such as ``"92 kg"`` and is stored as a fresh quantity in
its canonical unit (kg, cm, year, mg/dL). Checks run in the converters, not in
attrs validators, so they hold even when a host switches attrs validators off
process-wide (``attrs.validators.set_disabled(True)``).

The plausibility ranges below are not clinical thresholds. They catch typing
slips (a weight in grams, a height in mm) and are set outside the human
extremes on record:

* weight 0.2 to 650 kg: the heaviest man on record, Jon Brower Minnoch, was
  estimated at 635 kg (Guinness World Records); surviving preterm infants
  have weighed about 245 g at birth (Guinness World Records, 2019, "Saybie").
* height 20 to 275 cm: the tallest man on record, Robert Wadlow, measured
  272 cm (Guinness World Records).
* age 0 to 125 years: the oldest person on record, Jeanne Calment, lived to
  122 years (Guinness World Records).
"""

from __future__ import annotations

from typing import Final

import attrs

from ivig_core import units
from ivig_core._checks import iterates as _iterates
from ivig_core._enum import ParsedEnum
from ivig_core.errors import InputError
from ivig_core.units import CM, KG, MG_PER_DL, UMOL_PER_L, YEAR, Quantity


__all__ = [
    "BloodGroup",
    "Patient",
    "RiskFactor",
    "Sex",
]

#: Plausibility bounds (see the module docstring for their sources).
WEIGHT_RANGE_KG: Final = (0.2, 650.0)
HEIGHT_RANGE_CM: Final = (20.0, 275.0)
AGE_RANGE_YEARS: Final = (0.0, 125.0)
#: Wide plausibility bounds for laboratory values; not diagnostic thresholds.
#: Creatinine: 0.1 to 40 mg/dL (8.8 to 3536 µmol/L). The floor is a "cannot
#: be meant" sanity limit, not a sourced one: no patient has a serum
#: creatinine below 0.1 mg/dL, and 0.001 mg/dL (a unit slip) gave a
#: Cockcroft-Gault clearance of 78 000 mL/min.
CREATININE_RANGE_MG_DL: Final = (0.1, 40.0)
IGA_RANGE_MG_DL: Final = (0.0, 10_000.0)

#: Molar mass of creatinine (C4H7N3O), 113.12 g/mol (PubChem CID 588). It
#: converts a creatinine given in µmol/L to mg/dL (1 mg/dL = 88.4 µmol/L).
CREATININE_MOLAR_MASS_G_PER_MOL: Final = 113.12


class Sex(ParsedEnum):
    """Sex, as used by the body-size formulas (Devine, Cockcroft-Gault, ...).

    .. versionadded:: 0.1.0
    """

    MALE = "male"
    FEMALE = "female"

    @classmethod
    def _field(cls) -> str:
        return "sex"


class BloodGroup(ParsedEnum):
    """ABO blood group (haemolysis risk is higher in non-O groups).

    .. versionadded:: 0.1.0
    """

    O = "O"  # noqa: E741 - the blood group's name
    A = "A"
    B = "B"
    AB = "AB"

    @classmethod
    def _field(cls) -> str:
        return "abo_group"

    @classmethod
    def _fold(cls, text: str) -> str:
        return text.strip().upper()


class RiskFactor(ParsedEnum):
    """Conditions the safety checks look for.

    The thrombosis and renal factors are the ones named in the boxed warning
    of US IVIG labels (Privigen and Octagam 10 % PI, read verbatim; sources
    ``privigen-uspi`` and ``octagam10-uspi`` of :mod:`ivig_core.sources`).
    Age is not a member: it is taken from :attr:`Patient.age`.

    .. versionadded:: 0.1.0
    """

    # Thrombosis (boxed warning)
    IMMOBILISATION = "immobilisation"
    HYPERCOAGULABLE_STATE = "hypercoagulable_state"
    PRIOR_THROMBOSIS = "prior_thrombosis"
    OESTROGEN_USE = "oestrogen_use"
    INDWELLING_VASCULAR_CATHETER = "indwelling_vascular_catheter"
    HYPERVISCOSITY = "hyperviscosity"
    CARDIOVASCULAR_RISK = "cardiovascular_risk"
    # Renal dysfunction (boxed warning)
    RENAL_INSUFFICIENCY = "renal_insufficiency"
    DIABETES = "diabetes"
    VOLUME_DEPLETION = "volume_depletion"
    SEPSIS = "sepsis"
    PARAPROTEINAEMIA = "paraproteinaemia"
    NEPHROTOXIC_DRUGS = "nephrotoxic_drugs"
    # Hypersensitivity (label contraindications: epgonline-ig-labels,
    # privigen-uspi, asceniv-uspi, panzyga-uspi, hyqvia-uspi)
    #: A recorded diagnosis of IgA deficiency ("up to 5% of the general
    #: population", patient information: myositis-patient-info); a serum IgA
    #: value is held in Patient.serum_iga.
    IGA_DEFICIENCY = "iga_deficiency"
    ANTI_IGA_ANTIBODIES = "anti_iga_antibodies"
    IG_HYPERSENSITIVITY_HISTORY = "ig_hypersensitivity_history"
    HYALURONIDASE_HYPERSENSITIVITY = "hyaluronidase_hypersensitivity"
    #: A prior anaphylactic or severe systemic reaction to human immune
    #: globulin: a contraindication in every label read (Asceniv,
    #: Gammagard Liquid, Gamunex-C, Privigen).
    SEVERE_IG_REACTION = "severe_ig_reaction"
    # Excipient contraindications (the product's composition decides)
    #: Hyperprolinaemia (type I or II): proline-stabilised products
    #: (Privigen, Hizentra).
    HYPERPROLINAEMIA = "hyperprolinaemia"
    #: Corn allergy: Octagam's maltose is derived from corn.
    CORN_ALLERGY = "corn_allergy"
    #: Hereditary fructose intolerance: sorbitol-containing products
    #: (Gammaplex 5 %).
    HEREDITARY_FRUCTOSE_INTOLERANCE = "hereditary_fructose_intolerance"
    #: Hypersensitivity to human albumin (HyQvia's hyaluronidase vial).
    ALBUMIN_HYPERSENSITIVITY = "albumin_hypersensitivity"
    # Other planning warnings (labels: octagam10-uspi, privigen-uspi, ...)
    HEART_FAILURE = "heart_failure"
    GLUCOSE_METER_MONITORING = "glucose_meter_monitoring"
    #: A previous infusion reaction (premedication practice:
    #: therapeuticresearch-2011 and droracle-privigen-dm, both weak sources).
    PRIOR_INFUSION_REACTION = "prior_infusion_reaction"

    @classmethod
    def _field(cls) -> str:
        return "risk_factors"


# --------------------------------------------------------------------------
# Named converters (attrs' mypy plugin needs named functions)


def _sex(value: object) -> Sex:
    return Sex.parse(value)


def read_age_years(value: object, *, field: str = "age") -> float:
    """Check an age (quantity or string) and return it in years.

    .. versionadded:: 0.1.0
    """
    years = units.to_float(value, field=field, unit=YEAR)
    lo, hi = AGE_RANGE_YEARS
    return units.require_range(years, field=field, unit=YEAR, low=lo, high=hi)


def read_height_cm(value: object, *, field: str = "height") -> float:
    """Check a height (quantity or string) and return it in cm.

    .. versionadded:: 0.1.0
    """
    cm = units.to_float(value, field=field, unit=CM)
    lo, hi = HEIGHT_RANGE_CM
    return units.require_range(cm, field=field, unit=CM, low=lo, high=hi)


def read_weight_kg(value: object, *, field: str = "weight") -> float:
    """Check a body weight (quantity or string) and return it in kg.

    .. versionadded:: 0.1.0
    """
    kg = units.to_float(value, field=field, unit=KG)
    lo, hi = WEIGHT_RANGE_KG
    return units.require_range(kg, field=field, unit=KG, low=lo, high=hi)


def _age(value: object) -> Quantity:
    return units.quantity(read_age_years(value), YEAR)


def _height(value: object) -> Quantity:
    return units.quantity(read_height_cm(value), CM)


def _weight(value: object) -> Quantity:
    return units.quantity(read_weight_kg(value), KG)


def _pre_pregnancy_weight(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(read_weight_kg(value, field="pre_pregnancy_weight"), KG)


def creatinine_mg_dl(value: object, *, field: str = "serum_creatinine") -> float:
    """Serum creatinine in mg/dL, from a mass (mg/dL) or molar (µmol/L) value.

    Molar values are converted with creatinine's molar mass, 113.12 g/mol
    (PubChem CID 588): mg/dL = µmol/L × 113.12 / 10 000, so 88.4 µmol/L is
    1.0 mg/dL.

    .. versionadded:: 0.1.0
    """
    if units.has_dimension(value, UMOL_PER_L):
        umol_l = units.to_float(value, field=field, unit=UMOL_PER_L)
        return umol_l * CREATININE_MOLAR_MASS_G_PER_MOL / 10_000.0
    return units.to_float(value, field=field, unit=MG_PER_DL)


def read_creatinine_mg_dl(value: object, *, field: str = "serum_creatinine") -> float:
    """Check a serum creatinine (mg/dL or µmol/L) and return it in mg/dL.

    .. versionadded:: 0.1.0
    """
    mg_dl = creatinine_mg_dl(value, field=field)
    lo, hi = CREATININE_RANGE_MG_DL
    return units.require_range(
        mg_dl,
        field=field,
        unit=MG_PER_DL,
        low=lo,
        high=hi,
        why="0.1 mg/dL is 8.8 µmol/L: a value below it is a unit slip",
    )


def _creatinine(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(read_creatinine_mg_dl(value), MG_PER_DL)


def _iga(value: object) -> Quantity | None:
    if value is None:
        return None
    mg_dl = units.to_float(value, field="serum_iga", unit=MG_PER_DL)
    lo, hi = IGA_RANGE_MG_DL
    units.require_range(mg_dl, field="serum_iga", unit=MG_PER_DL, low=lo, high=hi)
    return units.quantity(mg_dl, MG_PER_DL)


def _abo(value: object) -> BloodGroup | None:
    return None if value is None else BloodGroup.parse(value)


def _pregnant(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InputError("pregnant", value, "True, False or None (not recorded)")


def _risk_factors(value: object) -> frozenset[RiskFactor]:
    if isinstance(value, (str, bytes)) or not _iterates(value):
        raise InputError(
            "risk_factors", value, "a collection of RiskFactor members or their names"
        )
    return frozenset(RiskFactor.parse(item) for item in value)


@attrs.frozen(kw_only=True)
class Patient:
    """A patient's measurements, validated and held in canonical units.

    Args:
        sex: :class:`Sex` or ``"male"``/``"female"``.
        age: Age as a quantity or string (``"54 year"``), 0–125 years.
        height: Height (``"165 cm"``, ``"5 ft 5 in"``), 20–275 cm.
        weight: Actual body weight (``"92 kg"``, ``"202.8 lb"``), 0.2–650 kg.
        serum_iga: Serum IgA (``"0.9 g/L"``, ``"90 mg/dL"``), or ``None`` if
            not measured; the safety checks report that.
        serum_creatinine: Serum creatinine in mg/dL or µmol/L, or ``None``.
        abo_group: :class:`BloodGroup` or its name, or ``None``.
        pregnant: ``True``, ``False`` or ``None`` (not recorded).
        pre_pregnancy_weight: Used by rules that dose on it (Ontario).
        risk_factors: :class:`RiskFactor` members or their names.

    Raises:
        UnitError: A bare number or a wrong unit for a dimensioned field.
        InputError: A value outside its plausible range, NaN, an unknown sex.

    Example:
        >>> p = Patient(sex="female", age="54 year", height="5 ft 5 in",
        ...             weight="202.8 lb")
        >>> round(p.weight_kg, 2), round(p.height_cm, 1)
        (91.99, 165.1)

    .. versionadded:: 0.1.0
    """

    sex: Sex = attrs.field(converter=_sex)
    age: Quantity = attrs.field(converter=_age)
    height: Quantity = attrs.field(converter=_height)
    weight: Quantity = attrs.field(converter=_weight)
    serum_iga: Quantity | None = attrs.field(default=None, converter=_iga)
    serum_creatinine: Quantity | None = attrs.field(default=None, converter=_creatinine)
    abo_group: BloodGroup | None = attrs.field(default=None, converter=_abo)
    pregnant: bool | None = attrs.field(default=None, converter=_pregnant)
    pre_pregnancy_weight: Quantity | None = attrs.field(
        default=None, converter=_pre_pregnancy_weight
    )
    risk_factors: frozenset[RiskFactor] = attrs.field(
        factory=frozenset, converter=_risk_factors
    )

    @property
    def weight_kg(self) -> float:
        """Actual body weight in kg."""
        return float(self.weight.magnitude)

    @property
    def height_cm(self) -> float:
        """Height in cm."""
        return float(self.height.magnitude)

    @property
    def age_years(self) -> float:
        """Age in years."""
        return float(self.age.magnitude)

    @property
    def serum_creatinine_mg_dl(self) -> float | None:
        """Serum creatinine in mg/dL, or ``None`` if not measured."""
        q = self.serum_creatinine
        return None if q is None else float(q.magnitude)

    @property
    def serum_iga_mg_dl(self) -> float | None:
        """Serum IgA in mg/dL, or ``None`` if not measured."""
        q = self.serum_iga
        return None if q is None else float(q.magnitude)

    @property
    def pre_pregnancy_weight_kg(self) -> float | None:
        """Pre-pregnancy weight in kg, or ``None`` if not given."""
        q = self.pre_pregnancy_weight
        return None if q is None else float(q.magnitude)

    def has(self, factor: RiskFactor) -> bool:
        """Whether *factor* is recorded for this patient."""
        return factor in self.risk_factors

    def replace(self, **changes: object) -> Patient:
        """A copy with *changes* (e.g. a new lab result), checked like a new one.

        Example:
            >>> p = Patient(sex="female", age="54 year", height="165 cm",
            ...             weight="92 kg")
            >>> p.replace(serum_iga="90 mg/dL", abo_group="A").serum_iga_mg_dl
            90.0

        Raises:
            InputError: A changed value is invalid (the patient is unchanged).

        .. versionadded:: 0.1.0
        """
        return attrs.evolve(self, **changes)
