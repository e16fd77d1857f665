"""ivig_core: typed, unit-safe planning and checking of immunoglobulin therapy.

The library computes and checks; it does not prescribe. Every number it
produces can be traced to an input, a formula and a source.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

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
from ivig_core.plan import Cycle, Infusion, Phase, Plan, ScDetails, Trace
from ivig_core.planning import (
    ClosedDays,
    ClosedRule,
    CourseSplit,
    EightyGramRule,
    PlacedCourse,
    SplitLimits,
    TaperPlan,
    TaperStep,
    place_courses,
    plan_course,
    split_course,
    split_course_g,
    split_units,
    taper_steps,
)
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
from ivig_core.regimen import PRESETS as REGIMEN_PRESETS
from ivig_core.regimen import (
    Combined,
    DayRange,
    DaysChoice,
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
    TaperEnd,
    TaperStrategy,
    get_preset,
)
from ivig_core.safety import RULES as FINDING_RULES
from ivig_core.safety import (
    BlockingFindingError,
    Concern,
    DoseLimit,
    Finding,
    FindingCode,
    Override,
    PremedicationProtocol,
    SafetyBlock,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
    label_dose_limits,
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


if TYPE_CHECKING:  # the lazily imported names, for type checkers
    __version__: str
    from ivig_core.batch import (
        PlanFailure,
        PlanRequest,
        PlanResult,
        iter_plans,
        plan_many,
        plan_one,
    )
    from ivig_core.io import MissingExtraError
    from ivig_core.io.json import (
        DocumentError,
        patient_from_json,
        patient_to_json,
        plan_from_json,
        plan_json_schema,
        plan_to_json,
        regimen_from_json,
        regimen_to_json,
        report_from_json,
        report_to_json,
    )
    from ivig_core.io.text import explain
    from ivig_core.planning.scig import (
        FirstInfusions,
        ScPlan,
        plan_scig,
        plan_scig_regimen,
    )
    from ivig_core.scig import (
        SCIG_PRESETS,
        EveryTwoWeeks,
        LabelFactor,
        OneToOne,
        SameAsIvig,
        ScigDose,
        ScLimits,
        TimesPerWeek,
        UserFactor,
        Weekly,
        convert_to_scig,
        get_scig_preset,
        hyqvia_ramp_up,
    )


#: Names imported on first use: modules a plan does not need (SCIg, JSON,
#: batch) stay unloaded, so ``import ivig_core`` costs less (issue 9).
_LAZY: dict[str, tuple[str, str]] = {
    "DocumentError": ("ivig_core.io.json", "DocumentError"),
    "EveryTwoWeeks": ("ivig_core.scig", "EveryTwoWeeks"),
    "FirstInfusions": ("ivig_core.planning.scig", "FirstInfusions"),
    "LabelFactor": ("ivig_core.scig", "LabelFactor"),
    "MissingExtraError": ("ivig_core.io", "MissingExtraError"),
    "OneToOne": ("ivig_core.scig", "OneToOne"),
    "PlanFailure": ("ivig_core.batch", "PlanFailure"),
    "PlanRequest": ("ivig_core.batch", "PlanRequest"),
    "PlanResult": ("ivig_core.batch", "PlanResult"),
    "SCIG_PRESETS": ("ivig_core.scig", "SCIG_PRESETS"),
    "SameAsIvig": ("ivig_core.scig", "SameAsIvig"),
    "ScLimits": ("ivig_core.scig", "ScLimits"),
    "ScPlan": ("ivig_core.planning.scig", "ScPlan"),
    "ScigDose": ("ivig_core.scig", "ScigDose"),
    "TimesPerWeek": ("ivig_core.scig", "TimesPerWeek"),
    "UserFactor": ("ivig_core.scig", "UserFactor"),
    "Weekly": ("ivig_core.scig", "Weekly"),
    "convert_to_scig": ("ivig_core.scig", "convert_to_scig"),
    "explain": ("ivig_core.io.text", "explain"),
    "get_scig_preset": ("ivig_core.scig", "get_scig_preset"),
    "hyqvia_ramp_up": ("ivig_core.scig", "hyqvia_ramp_up"),
    "iter_plans": ("ivig_core.batch", "iter_plans"),
    "patient_from_json": ("ivig_core.io.json", "patient_from_json"),
    "patient_to_json": ("ivig_core.io.json", "patient_to_json"),
    "plan_from_json": ("ivig_core.io.json", "plan_from_json"),
    "plan_json_schema": ("ivig_core.io.json", "plan_json_schema"),
    "plan_many": ("ivig_core.batch", "plan_many"),
    "plan_one": ("ivig_core.batch", "plan_one"),
    "plan_scig": ("ivig_core.planning.scig", "plan_scig"),
    "plan_scig_regimen": ("ivig_core.planning.scig", "plan_scig_regimen"),
    "plan_to_json": ("ivig_core.io.json", "plan_to_json"),
    "regimen_from_json": ("ivig_core.io.json", "regimen_from_json"),
    "regimen_to_json": ("ivig_core.io.json", "regimen_to_json"),
    "report_from_json": ("ivig_core.io.json", "report_from_json"),
    "report_to_json": ("ivig_core.io.json", "report_to_json"),
}


def _version() -> str:
    try:
        return version("ivig-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> object:
    """Import a lazily exported name on first use.

    ``__version__`` is read from the installed metadata on first use too
    (importlib.metadata costs ~10 ms at import).
    """
    if name == "__version__":
        value: object = _version()
        globals()[name] = value
        return value
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        msg = f"module 'ivig_core' has no attribute {name!r}"
        raise AttributeError(msg) from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, lazy ones included."""
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


__all__ = [
    "ADJBW_FACTOR",
    "BUILTIN_POLICIES",
    "FINDING_RULES",
    "Q_",
    "REGIMEN_PRESETS",
    "SCIG_PRESETS",
    "ActualWeight",
    "AdjustedWeight",
    "AtRiskCap",
    "BlockingFindingError",
    "BloodGroup",
    "BloodStar2026",
    "Bound",
    "Catalogue",
    "ClosedDays",
    "ClosedRule",
    "Combined",
    "Composition",
    "Concern",
    "CourseSplit",
    "Cycle",
    "DayRange",
    "DaysChoice",
    "DocumentError",
    "DoseLimit",
    "DoseSteps",
    "DosingWeight",
    "DosingWeightPolicy",
    "EightyGramRule",
    "EveryTwoWeeks",
    "Excipient",
    "Finding",
    "FindingCode",
    "FirstInfusions",
    "Floor",
    "Hold",
    "IbwFormula",
    "IdealWeight",
    "IgaContent",
    "Indication",
    "Induction",
    "Infusion",
    "InfusionRun",
    "InputError",
    "IntervalExtension",
    "IvigError",
    "LabelFactor",
    "LabelRamp",
    "Maintenance",
    "MissingExtraError",
    "NearestIncrement",
    "NearestWithin",
    "NeverBelow",
    "OneToOne",
    "OntarioRule",
    "Override",
    "Patient",
    "PercentPerInfusion",
    "Phase",
    "PlacedCourse",
    "Plan",
    "PlanFailure",
    "PlanRequest",
    "PlanResult",
    "PlanningError",
    "PremedicationProtocol",
    "Product",
    "Quantity",
    "RateKind",
    "RateSchedule",
    "RateStep",
    "Regimen",
    "RiskFactor",
    "RoundingPolicy",
    "Route",
    "RunStep",
    "SafetyBlock",
    "SafetyConfig",
    "SafetyReport",
    "SameAsIvig",
    "ScDetails",
    "ScLimits",
    "ScPlan",
    "ScSiteLimit",
    "ScigConversion",
    "ScigDose",
    "Severity",
    "Sex",
    "ShortStature",
    "SodiumContent",
    "Source",
    "SplitLimits",
    "Stop",
    "Substance",
    "Taper",
    "TaperEnd",
    "TaperPlan",
    "TaperStep",
    "TaperStrategy",
    "TimesPerWeek",
    "Trace",
    "UkRequestForm",
    "UnitError",
    "Us120PercentIbw",
    "UserFactor",
    "Vial",
    "VialSelection",
    "Weekly",
    "WeightBasis",
    "__version__",
    "adjusted_body_weight",
    "assess",
    "bmi",
    "convert_to_scig",
    "creatinine_clearance",
    "default_catalogue",
    "dosing_weight",
    "explain",
    "get_policy",
    "get_preset",
    "get_product",
    "get_registry",
    "get_rounding",
    "get_scig_preset",
    "hyqvia_ramp_up",
    "ideal_body_weight",
    "iter_plans",
    "label_dose_limits",
    "load_formulary",
    "patient_from_json",
    "patient_to_json",
    "place_courses",
    "plan_course",
    "plan_from_json",
    "plan_infusion",
    "plan_infusion_ml",
    "plan_json_schema",
    "plan_many",
    "plan_one",
    "plan_scig",
    "plan_scig_regimen",
    "plan_to_json",
    "rate_schedule",
    "regimen_from_json",
    "regimen_to_json",
    "report_from_json",
    "report_to_json",
    "select_vials",
    "select_vials_g",
    "set_registry",
    "split_course",
    "split_course_g",
    "split_units",
    "taper_steps",
    "volume_ml",
]
