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
from ivig_core.infusion import (
    InfusionRun,
    RateKind,
    RateSchedule,
    RateStep,
    RunStep,
    plan_infusion,
    plan_infusion_ml,
    rate_schedule,
)
from ivig_core.patient import BloodGroup, Patient, RiskFactor, Sex
from ivig_core.products import (
    AtRiskCap,
    Bound,
    Catalogue,
    Composition,
    Excipient,
    IgaContent,
    Indication,
    LabelRamp,
    Product,
    Route,
    ScigConversion,
    ScSiteLimit,
    SodiumContent,
    Source,
    Substance,
    Vial,
    default_catalogue,
    get_product,
    load_formulary,
)
from ivig_core.units import Q_, Quantity, get_registry, set_registry
from ivig_core.vials import (
    NearestIncrement,
    NearestWithin,
    NeverBelow,
    RoundingPolicy,
    VialSelection,
    get_rounding,
    select_vials,
    select_vials_g,
    volume_ml,
)


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
    "AtRiskCap",
    "BloodGroup",
    "BloodStar2026",
    "Bound",
    "Catalogue",
    "Composition",
    "DosingWeight",
    "DosingWeightPolicy",
    "Excipient",
    "IbwFormula",
    "IdealWeight",
    "IgaContent",
    "Indication",
    "InfusionRun",
    "InputError",
    "IvigError",
    "LabelRamp",
    "NearestIncrement",
    "NearestWithin",
    "NeverBelow",
    "OntarioRule",
    "Patient",
    "PlanningError",
    "Product",
    "Quantity",
    "RateKind",
    "RateSchedule",
    "RateStep",
    "RiskFactor",
    "RoundingPolicy",
    "Route",
    "RunStep",
    "ScSiteLimit",
    "ScigConversion",
    "Sex",
    "ShortStature",
    "SodiumContent",
    "Source",
    "Substance",
    "UkRequestForm",
    "UnitError",
    "Us120PercentIbw",
    "Vial",
    "VialSelection",
    "WeightBasis",
    "__version__",
    "adjusted_body_weight",
    "bmi",
    "creatinine_clearance",
    "default_catalogue",
    "dosing_weight",
    "get_policy",
    "get_product",
    "get_registry",
    "get_rounding",
    "ideal_body_weight",
    "load_formulary",
    "plan_infusion",
    "plan_infusion_ml",
    "rate_schedule",
    "select_vials",
    "select_vials_g",
    "set_registry",
    "volume_ml",
]
