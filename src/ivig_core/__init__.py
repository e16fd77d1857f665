"""ivig_core: typed, unit-safe planning and checking of immunoglobulin therapy.

The library computes and checks; it does not prescribe. Every number it
produces can be traced to an input, a formula and a source.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ivig_core.body import (
    ADJBW_FACTOR,
    IbwFormula,
    ShortStature,
    adjusted_body_weight,
    bmi,
    creatinine_clearance,
    ideal_body_weight,
)
from ivig_core.dosing_weight import (
    BUILTIN_POLICIES,
    ActualWeight,
    AdjustedWeight,
    BloodStar2026,
    DosingWeight,
    DosingWeightPolicy,
    IdealWeight,
    OntarioRule,
    UkRequestForm,
    Us120PercentIbw,
    WeightBasis,
    dosing_weight,
    get_policy,
)
from ivig_core.errors import InputError, IvigError, PlanningError, UnitError
from ivig_core.patient import BloodGroup, Patient, RiskFactor, Sex
from ivig_core.units import Q_, Quantity, get_registry, set_registry


try:
    __version__ = version("ivig-core")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ADJBW_FACTOR",
    "BUILTIN_POLICIES",
    "Q_",
    "ActualWeight",
    "AdjustedWeight",
    "BloodGroup",
    "BloodStar2026",
    "DosingWeight",
    "DosingWeightPolicy",
    "IbwFormula",
    "IdealWeight",
    "InputError",
    "IvigError",
    "OntarioRule",
    "Patient",
    "PlanningError",
    "Quantity",
    "RiskFactor",
    "Sex",
    "ShortStature",
    "UkRequestForm",
    "UnitError",
    "Us120PercentIbw",
    "WeightBasis",
    "__version__",
    "adjusted_body_weight",
    "bmi",
    "creatinine_clearance",
    "dosing_weight",
    "get_policy",
    "get_registry",
    "ideal_body_weight",
    "set_registry",
]
