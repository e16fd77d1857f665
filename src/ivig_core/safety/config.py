"""Thresholds and local protocols for the safety checks.

Every threshold is a parameter of :class:`SafetyConfig`. A threshold with a
source has that source as its default (and in :data:`PARAMETERS`); a
threshold no source read gives a number for has **no default** (``None``),
and the check it drives reports "not assessed" until it is set:

* ``thrombosis_age_from``: the boxed warning names "advanced age" without a
  number;
* ``large_volume_per_day``: no source read gives a volume.

``rounding_tolerance`` (10 %) rests on a position statement about anticancer
agents, applied by analogy, and an interview on IVIG management (a weak
source): a site sets its own, or ``None`` to leave rounding unassessed.

Example:
    >>> from ivig_core.units import Q_
    >>> cfg = SafetyConfig(thrombosis_age_from="75 year")
    >>> cfg.thrombosis_age_from_years, cfg.renal_age_above_years
    (75.0, 65.0)
    >>> SafetyConfig(daily_grams_above=80)
    Traceback (most recent call last):
    ...
    ivig_core.errors.UnitError: daily_grams_above: ...
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from ivig_core import units
from ivig_core._checks import flag, text, tuple_of
from ivig_core._checks import iterates as _iterates
from ivig_core.errors import InputError
from ivig_core.findings import Override, Severity
from ivig_core.products import IGA_DEPLETED_AT_MOST_UG_ML, Product
from ivig_core.sources import cite, cited
from ivig_core.units import (
    G_PER_KG,
    KG_PER_M2,
    ML,
    UG_PER_ML,
    YEAR,
    G,
    Quantity,
    UnitSpec,
)


__all__ = [
    "DEFAULT_PREMEDICATION",
    "PARAMETERS",
    "DoseLimit",
    "PremedicationProtocol",
    "SafetyConfig",
    "SafetyOptions",
    "label_dose_limits",
]

_ML_PER_MIN: Final = UnitSpec(
    name="milliliter / minute",
    symbol="mL/min",
    dimension="[length] ** 3 / [time]",
    kind="a clearance",
    example="'60 mL/min'",
)
_MG_PER_DL: Final = units.MG_PER_DL
_PERCENT: Final = units.PERCENT
#: The plausible range of ``rounding_tolerance``, %: above 0, and at most 50
#: (sanity: a wider tolerance would let a halved dose pass unflagged).
ROUNDING_TOLERANCE_RANGE_PERCENT: Final = (0.0, 50.0)


def _text(field: str, value: object) -> str:
    return text(value, field=field, allowed="a non-empty string")


def _texts(field: str, value: object) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not _iterates(value):
        raise InputError(field, value, "a sequence of non-empty strings")
    return tuple(_text(f"{field}[{i}]", v) for i, v in enumerate(value))


def _positive(value: object, *, field: str, unit: UnitSpec) -> Quantity:
    v = units.to_float(value, field=field, unit=unit)
    if not v > 0:
        raise InputError(field, value, f"a value > 0 {unit.symbol}")
    return units.quantity(v, unit)


def _opt_positive(value: object, *, field: str, unit: UnitSpec) -> Quantity | None:
    return None if value is None else _positive(value, field=field, unit=unit)


# --------------------------------------------------------------------------
# Local protocols


def _agents(value: object) -> tuple[str, ...]:
    return _texts("agents", value)


def _after(value: object) -> tuple[str, ...]:
    return _texts("after_prior_reaction", value)


def _name(value: object) -> str:
    return _text("name", value)


def _psource(value: object) -> str:
    return _text("source", value)


@attrs.frozen(kw_only=True)
class PremedicationProtocol:
    """A local premedication protocol, as text the host supplies.

    The library gives no doses: no authoritative premedication regimen was
    found, and whether premedication is routine or kept for patients with a
    prior reaction is disputed (sources ``therapeuticresearch-2011``, a
    secondary source, and ``droracle-privigen-dm``, an AI-generated summary).

    Attributes:
        name: The protocol's name.
        agents: What the protocol gives (free text, with the host's doses,
            e.g. ``"acetaminophen 650 mg PO 30 min before"``).
        after_prior_reaction: What it adds after a prior infusion reaction.
        source: Where the protocol comes from.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(converter=_name)
    agents: tuple[str, ...] = attrs.field(converter=_agents)
    after_prior_reaction: tuple[str, ...] = attrs.field(default=(), converter=_after)
    source: str = attrs.field(converter=_psource)


#: The default premedication: the usual agents only (no doses: none is
#: sourced), from weak sources (an AI-generated summary, a secondary source).
DEFAULT_PREMEDICATION: Final = PremedicationProtocol(
    name="default: agents only, no doses",
    agents=("acetaminophen (paracetamol)", "diphenhydramine"),
    after_prior_reaction=("a corticosteroid ('sometimes corticosteroids')",),
    source=cited(
        "'premedication with acetaminophen, diphenhydramine, and sometimes "
        "corticosteroids may help reduce infusion reactions'; acetaminophen "
        "and an antihistamine 30-60 min before is 'a common practice'; doses "
        "are a local protocol",
        ("droracle-privigen-dm", "therapeuticresearch-2011"),
    ),
)


def _indication(value: object) -> str:
    return _text("indication", value).lower()


def _opt_product(value: object) -> str | None:
    return None if value is None else _text("product", value).lower()


def _opt_g_per_kg(value: object) -> Quantity | None:
    return _opt_positive(value, field="dose", unit=G_PER_KG)


def _dsource(value: object) -> str:
    return _text("source", value)


def _opt_interval(value: object) -> Quantity | None:
    return _opt_positive(value, field="min_interval", unit=units.DAY)


@attrs.frozen(kw_only=True)
class DoseLimit:
    """A sourced dose limit for an indication (and optionally a product).

    Attributes:
        indication: The indication key (``"dermatomyositis"``).
        product: A product key, or ``None`` for any product.
        max_per_day: Largest g/kg on one day, or ``None``.
        max_per_course: Largest g/kg per course, or ``None``.
        min_interval: The label's interval between course starts (a plan
            at a shorter interval is above the label's dose intensity), or
            ``None``.
        source: Where the limit comes from.

    .. versionadded:: 0.1.0
    """

    indication: str = attrs.field(converter=_indication)
    product: str | None = attrs.field(default=None, converter=_opt_product)
    max_per_day: Quantity | None = attrs.field(default=None, converter=_opt_g_per_kg)
    max_per_course: Quantity | None = attrs.field(default=None, converter=_opt_g_per_kg)
    min_interval: Quantity | None = attrs.field(default=None, converter=_opt_interval)
    source: str = attrs.field(converter=_dsource)

    def __attrs_post_init__(self) -> None:
        """At least one limit."""
        if (
            self.max_per_day is None
            and self.max_per_course is None
            and self.min_interval is None
        ):
            raise InputError(
                "dose_limit",
                self.indication,
                "max_per_day, max_per_course, min_interval or several",
            )

    def applies(self, indication: str | None, product_key: str | None) -> bool:
        """Whether the limit applies to *indication* and *product_key*."""
        if indication is None or indication.strip().lower() != self.indication:
            return False
        return self.product is None or self.product == product_key


@functools.cache
def label_dose_limits() -> tuple[DoseLimit, ...]:
    """The dose limits read in labels and guidelines, each with its source.

    A function, not a constant, so that importing the library builds no pint
    registry (the limits are quantities).

    .. versionadded:: 0.1.0
    """
    return (
        DoseLimit(
            indication="dermatomyositis",
            product="octagam-10",
            max_per_course="2 g/kg",  # label: "2 g/kg divided equally over 2-5 days"
            max_per_day="1 g/kg",  # 2 g/kg divided equally over at least 2 days
            min_interval="28 day",  # label: "every 4 weeks"
            source=cited(
                "dermatomyositis: '2 g/kg divided in equal doses given over 2-5 "
                "consecutive days every 4 weeks'; 1 g/kg/day is 2 g/kg over the "
                "fewest (2) days",
                "octagam10-uspi",
            ),
        ),
        DoseLimit(
            indication="cidp",
            product="panzyga",
            max_per_course="2 g/kg",  # label maintenance: "1-2 g/kg ... every 3 weeks"
            min_interval="21 day",  # "every 3 weeks"
            source=cited(
                "CIDP maintenance: '1-2 g/kg ... every 3 weeks ... over 2 "
                "consecutive days'",
                "panzyga-uspi",
            ),
        ),
        DoseLimit(
            indication="cll",
            product="gammagard-sd",
            max_per_course="0.4 g/kg",  # label: "400 mg/kg every 3 to 4 weeks"
            min_interval="21 day",  # the shorter of "3 to 4 weeks"
            source=cited(
                "B-cell CLL: '400 mg/kg every 3 to 4 weeks'", "gammagard-sd-uspi"
            ),
        ),
        DoseLimit(
            indication="dermatomyositis",
            max_per_course="2 g/kg",  # Ontario IGUM: "Maximum dose is 2 g/kg"
            source=cited(
                "adult idiopathic inflammatory myopathy: 'Maximum dose is 2 g/kg "
                "to be given over 2 days'",
                "ontario-igum-iim",
            ),
        ),
    )


# --------------------------------------------------------------------------
# SafetyConfig


def _opt_age(value: object) -> Quantity | None:
    return _opt_positive(value, field="thrombosis_age_from", unit=YEAR)


def _renal_age(value: object) -> Quantity:
    return _positive(value, field="renal_age_above", unit=YEAR)


def _opt_iga(value: object) -> Quantity | None:
    return _opt_positive(value, field="iga_deficiency_below", unit=_MG_PER_DL)


def _iga_depleted(value: object) -> Quantity:
    return _positive(value, field="iga_depleted_at_most", unit=UG_PER_ML)


def _adult_from(value: object) -> Quantity:
    return _positive(value, field="adult_from", unit=YEAR)


def _secondary_caps(value: object) -> bool:
    return flag(value, field="secondary_caps")


def _severities(value: object) -> Mapping[str, Severity]:
    if not isinstance(value, Mapping):
        raise InputError("severities", value, "a mapping of finding code to a Severity")
    out: dict[str, Severity] = {}
    for code, severity in value.items():
        if not isinstance(code, str) or not code.strip():
            raise InputError("severities", code, "a finding code")
        try:
            out[code.strip().upper()] = (
                severity if isinstance(severity, Severity) else Severity(severity)
            )
        except ValueError:
            raise InputError(
                f"severities[{code}]",
                severity,
                "one of " + ", ".join(s.value for s in Severity),
            ) from None
    return MappingProxyType(out)


def _opt_crcl(value: object) -> Quantity | None:
    return _opt_positive(value, field="crcl_below", unit=_ML_PER_MIN)


#: The weights Cockcroft-Gault may use in the renal check.
CRCL_WEIGHTS: Final = ("actual", "adjusted-above-120-ibw")


def _crcl_weight(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in CRCL_WEIGHTS:
        raise InputError("crcl_weight", value, "one of " + ", ".join(CRCL_WEIGHTS))
    return value.strip().lower()


def _daily_grams(value: object) -> Quantity:
    return _positive(value, field="daily_grams_above", unit=G)


def _haemolysis(value: object) -> Quantity:
    return _positive(value, field="haemolysis_course_from", unit=G_PER_KG)


def _bmi(value: object) -> Quantity:
    return _positive(value, field="obesity_bmi_above", unit=KG_PER_M2)


def _opt_volume(value: object) -> Quantity | None:
    return _opt_positive(value, field="large_volume_per_day", unit=ML)


def _opt_tolerance(value: object) -> Quantity | None:
    if value is None:
        return None
    percent = units.to_float(value, field="rounding_tolerance", unit=_PERCENT)
    low, high = ROUNDING_TOLERANCE_RANGE_PERCENT
    units.require_range(
        percent,
        field="rounding_tolerance",
        unit=_PERCENT,
        low=low,
        high=high,
        low_inclusive=False,
        why="above 0 %; above 50 % a halved dose would pass unflagged",
    )
    return units.quantity(percent, _PERCENT)


def _dose_limits(value: object) -> tuple[DoseLimit, ...]:
    return tuple_of(value, DoseLimit, field="dose_limits")


def _premedication(value: object) -> PremedicationProtocol:
    if isinstance(value, PremedicationProtocol):
        return value
    raise InputError("premedication", value, "a PremedicationProtocol")


def _opt_hydration(value: object) -> str | None:
    return None if value is None else _text("hydration_protocol", value)


@attrs.frozen(kw_only=True)
class SafetyConfig:
    """Thresholds and local protocols; sourced defaults, or none.

    Attributes:
        thrombosis_age_from: Age counted as "advanced age" for thrombosis.
            **No default**: the boxed warning gives no number.
        renal_age_above: Renal risk above this age: 65 years (boxed warning,
            "age > 65").
        iga_deficiency_below: Serum IgA below which IgA deficiency is
            assumed: 7 mg/dL (0.07 g/L), the ESID working definition of
            selective IgA deficiency ("undetectable serum IgA, or less than
            7 mg/dl ... in patients greater than 4 years old").
        iga_depleted_at_most: IgA content (µg/mL) at or below which a
            product counts as IgA-depleted: 2 µg/mL (Gammagard Liquid ERC,
            "low IgA content (≤2 µg/mL)"; a secondary source, so a site may
            change it).
        secondary_caps: Whether at-risk rate caps that only a secondary
            source gives (Bivigam < 2 mg/kg/min, ``skyscape-ig-monograph``)
            are applied:
            ``True`` (a local choice; switch off to apply label caps only).
        adult_from: The age from which a patient counts as an adult where a
            label names "adults" without an age: 18 years (local policy;
            BloodSTAR treats "aged < 18 years" as paediatric).
        severities: Finding codes whose severity the site raises when the
            check fires (e.g. ``{"DAILY_DOSE_ABOVE_80G": Severity.SOFT_LIMIT}``
            to make the 80 g advice block). A severity is only ever raised,
            never lowered: a soft limit is accepted with an override.
        crcl_below: Creatinine clearance (Cockcroft-Gault in adults; bedside
            Schwartz eGFR in children) below which renal insufficiency is
            assumed: 60 mL/min, the KDIGO 2012 GFR categories G3a to G5
            ("< 60 mL/min/1.73 m²"). The labels say "any degree of
            pre-existing renal insufficiency"; ``None`` switches it off.
        crcl_weight: The weight Cockcroft-Gault uses: ``"adjusted-above-120-ibw"``
            (default: adjusted body weight when actual weight is above 120 %
            of the ideal, as clinPK's dosing-weight rule) or ``"actual"``.
        daily_grams_above: Grams on one day above which the 80 g finding
            fires: 80 g (``droracle-privigen-dm``, an AI-generated summary:
            a weak source, so a parameter).
        haemolysis_course_from: Course dose from which non-O patients are
            monitored for haemolysis: 2 g/kg (``transfusion-2021-haemolysis``).
        obesity_bmi_above: BMI above which dosing on actual weight is
            flagged: 30 kg/m² (``ontario-ig-calculator``, ``uk-ig-request-form``).
        large_volume_per_day: Volume per day above which fluid load is
            flagged. **No default** (no source read gives a number).
        rounding_tolerance: The largest change of a course's dose by the
            vial rounding, in % of the calculated dose, that passes without
            a soft limit: 10 % (HOPA 2017, "within 10% of the ordered dose",
            about anticancer agents and applied by analogy; an interview on
            IVIG management gives the same 10 %, a weak source). Above 0 and
            at most 50 %; ``None`` leaves rounding unassessed.
        dose_limits: Dose limits by indication and product
            (:func:`label_dose_limits`).
        premedication: The local premedication protocol
            (:data:`DEFAULT_PREMEDICATION`: agents without doses).
        hydration_protocol: The local hydration protocol, as text, or
            ``None`` (labels give no volume).

    Converters check every value, so the checks hold with attrs validators
    switched off.

    .. versionadded:: 0.1.0
    """

    thrombosis_age_from: Quantity | None = attrs.field(default=None, converter=_opt_age)
    renal_age_above: Quantity = attrs.field(
        default="65 year",  # boxed warning: "age > 65" (privigen-uspi, octagam10-uspi)
        converter=_renal_age,
    )
    iga_deficiency_below: Quantity | None = attrs.field(
        # ESID working definition: IgA < 7 mg/dL (0.07 g/L)
        factory=lambda: units.quantity(7.0, _MG_PER_DL),
        converter=_opt_iga,
    )
    iga_depleted_at_most: Quantity = attrs.field(
        # Gammagard Liquid ERC: "low IgA content (≤2 µg/mL)"
        default=f"{IGA_DEPLETED_AT_MOST_UG_ML} ug/mL",
        converter=_iga_depleted,
    )
    secondary_caps: bool = attrs.field(default=True, converter=_secondary_caps)
    adult_from: Quantity = attrs.field(
        default="18 year",  # local policy: BloodSTAR's "aged < 18 years" is paediatric
        converter=_adult_from,
    )
    severities: Mapping[str, Severity] = attrs.field(
        factory=dict, converter=_severities
    )
    crcl_below: Quantity | None = attrs.field(
        # KDIGO 2012: GFR categories G3a-G5 are below 60 mL/min/1.73 m²
        factory=lambda: units.quantity(60.0, _ML_PER_MIN),
        converter=_opt_crcl,
    )
    crcl_weight: str = attrs.field(
        default="adjusted-above-120-ibw", converter=_crcl_weight
    )
    daily_grams_above: Quantity = attrs.field(
        default="80 g",  # droracle-privigen-dm (weak): "higher than 80 g"
        converter=_daily_grams,
    )
    haemolysis_course_from: Quantity = attrs.field(
        default="2 g/kg",  # transfusion-2021-haemolysis: ≥ 2 g/kg
        converter=_haemolysis,
    )
    obesity_bmi_above: Quantity = attrs.field(
        default="30 kg/m**2",  # Ontario calculator and UK form: BMI > 30
        converter=_bmi,
    )
    large_volume_per_day: Quantity | None = attrs.field(
        default=None, converter=_opt_volume
    )
    rounding_tolerance: Quantity | None = attrs.field(
        # HOPA 2017: "within 10% of the ordered dose" (applied by analogy)
        factory=lambda: units.quantity(10.0, _PERCENT),
        converter=_opt_tolerance,
    )
    dose_limits: tuple[DoseLimit, ...] = attrs.field(
        factory=label_dose_limits, converter=_dose_limits
    )
    premedication: PremedicationProtocol = attrs.field(
        default=DEFAULT_PREMEDICATION, converter=_premedication
    )
    hydration_protocol: str | None = attrs.field(default=None, converter=_opt_hydration)

    @property
    def thrombosis_age_from_years(self) -> float | None:
        """``thrombosis_age_from`` in years, or ``None`` (not set)."""
        q = self.thrombosis_age_from
        return None if q is None else float(q.magnitude)

    @property
    def renal_age_above_years(self) -> float:
        """``renal_age_above`` in years."""
        return float(self.renal_age_above.magnitude)

    @property
    def iga_deficiency_below_mg_dl(self) -> float | None:
        """``iga_deficiency_below`` in mg/dL, or ``None`` (not set)."""
        q = self.iga_deficiency_below
        return None if q is None else float(q.magnitude)

    @property
    def adult_from_years(self) -> float:
        """``adult_from`` in years."""
        return float(self.adult_from.magnitude)

    @property
    def iga_depleted_at_most_ug_ml(self) -> float:
        """``iga_depleted_at_most`` in µg/mL."""
        return float(self.iga_depleted_at_most.magnitude)

    def raised_severity(self, code: str) -> Severity | None:
        """The severity the site set for finding *code*, or ``None``."""
        return self.severities.get(code)

    @property
    def crcl_below_ml_min(self) -> float | None:
        """``crcl_below`` in mL/min, or ``None`` (not set)."""
        q = self.crcl_below
        return None if q is None else float(q.magnitude)

    @property
    def daily_grams_above_g(self) -> float:
        """``daily_grams_above`` in g."""
        return float(self.daily_grams_above.magnitude)

    @property
    def haemolysis_course_from_g_per_kg(self) -> float:
        """``haemolysis_course_from`` in g/kg."""
        return float(self.haemolysis_course_from.magnitude)

    @property
    def obesity_bmi_above_kg_m2(self) -> float:
        """``obesity_bmi_above`` in kg/m²."""
        return float(self.obesity_bmi_above.magnitude)

    @property
    def large_volume_per_day_ml(self) -> float | None:
        """``large_volume_per_day`` in mL, or ``None`` (not set)."""
        q = self.large_volume_per_day
        return None if q is None else float(q.magnitude)

    @property
    def rounding_tolerance_percent(self) -> float | None:
        """``rounding_tolerance`` in %, or ``None`` (not set)."""
        q = self.rounding_tolerance
        return None if q is None else float(q.magnitude)


#: The labels the US IVIG boxed warning was read in.
_BOXED_LABELS: Final = ("privigen-uspi", "octagam10-uspi")

#: (parameter, default, source) for the documentation.
PARAMETERS: Final = (
    (
        "thrombosis_age_from",
        "none (not assessed until set)",
        cited("boxed warning says only 'advanced age'", _BOXED_LABELS),
    ),
    ("renal_age_above", "65 year", cited("boxed warning: 'age > 65'", _BOXED_LABELS)),
    (
        "iga_deficiency_below",
        "7 mg/dL",
        cited(
            "working definition of selective IgA deficiency: 'undetectable "
            "serum IgA, or less than 7 mg/dl ... in patients greater than 4 years "
            "old'",
            "esid-working-definitions",
        ),
    ),
    (
        "iga_depleted_at_most",
        "2 µg/mL",
        cited(
            "Gammagard Liquid ERC, 'low IgA content (≤2 µg/mL)'",
            "drugs-com-gammagard-liquid",
        ),
    ),
    (
        "secondary_caps",
        "True",
        cited(
            "local choice: caps that only a secondary source gives (Bivigam)",
            "skyscape-ig-monograph",
        ),
    ),
    ("severities", "none raised", "local policy"),
    (
        "adult_from",
        "18 year",
        cited(
            "local policy where a label says 'adults' without an age; BloodSTAR: "
            "actual weight if under 18 years",
            "lifeblood-abw-2026",
        ),
    ),
    (
        "crcl_below",
        "60 mL/min",
        cited(
            "GFR categories G3a to G5: below 60 mL/min/1.73 m²; the labels say "
            "'any degree of pre-existing renal insufficiency'",
            ("kdigo-2012-ckd", *_BOXED_LABELS),
        ),
    ),
    (
        "crcl_weight",
        "adjusted-above-120-ibw",
        cited("dosing-weight rule: adjusted body weight above 120 % of IBW", "clinpk"),
    ),
    (
        "daily_grams_above",
        "80 g",
        cited(
            "an AI-generated summary citing Mayo Clin Proc: 'If the dose of IVIG "
            "is higher than 80 g, it may be administered over 3 to 5 days at "
            "0.4 g/kg'",
            "droracle-privigen-dm",
        ),
    ),
    (
        "haemolysis_course_from",
        "2 g/kg",
        cite(("transfusion-2021-haemolysis", "ivigtmc-haemolysis")),
    ),
    (
        "obesity_bmi_above",
        "30 kg/m²",
        cited("BMI > 30", ("ontario-ig-calculator", "uk-ig-request-form")),
    ),
    (
        "large_volume_per_day",
        "none (not assessed until set)",
        "local threshold: no source read gives a volume",
    ),
    (
        "rounding_tolerance",
        "10 %",
        cited(
            "'within 10% of the ordered dose' for biologic and cytotoxic "
            "anticancer agents, applied to immunoglobulin by analogy; an "
            "interview on IVIG management: 'stay within 10% of the original "
            "defined order, whether you are rounding up or down'",
            ("hopa-2017-dose-rounding", "pppmag-2010-ivig-management"),
        ),
    ),
    ("dose_limits", "label_dose_limits()", "each limit's own source"),
    (
        "premedication",
        "DEFAULT_PREMEDICATION (agents, no doses)",
        cited(
            "agents only; routine use is disputed",
            ("droracle-privigen-dm", "therapeuticresearch-2011"),
        ),
    ),
    (
        "hydration_protocol",
        "none (labels give no volume)",
        cited("IVIG labels: 'ensure adequate hydration'", _BOXED_LABELS),
    ),
)


@functools.cache
def _default_config(registry: object) -> SafetyConfig:  # noqa: ARG001 - the cache key
    """The default configuration, built once per unit registry (it is frozen)."""
    return SafetyConfig()


def _config(value: object) -> SafetyConfig:
    if value is None:
        return _default_config(units.get_registry())
    if not isinstance(value, SafetyConfig):
        raise InputError("config", value, "a SafetyConfig or None (the defaults)")
    return value


def _overrides(value: object) -> tuple[Override, ...]:
    return tuple_of(value, Override, field="overrides")


def _previous(value: object) -> Product | str | None:
    if value is None or isinstance(value, Product):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise InputError(
        "previous_product", value, "a Product, a product name, or None (no switch)"
    )


def _strict(value: object) -> bool:
    return flag(value, field="strict")


@attrs.frozen(kw_only=True)
class SafetyOptions:
    """What the safety pass of a plan is given besides the plan: one block.

    Every planner and :func:`~ivig_core.safety.assess` take these four
    settings; they live here once.

    Attributes:
        config: Thresholds and local protocols (default: :class:`SafetyConfig`
            with its sourced defaults).
        overrides: Soft limits accepted, each with its reason (recorded).
        previous_product: The product the patient had before (a switch
            restarts at the initial rate), or ``None``.
        strict: Raise :class:`~ivig_core.safety.SafetyBlock` instead of
            returning a plan that is not ready to issue.

    Example:
        >>> SafetyOptions().strict, SafetyOptions().overrides
        (False, ())

    .. versionadded:: 0.1.0
    """

    config: SafetyConfig = attrs.field(default=None, converter=_config)
    overrides: tuple[Override, ...] = attrs.field(default=(), converter=_overrides)
    previous_product: Product | str | None = attrs.field(
        default=None, converter=_previous
    )
    strict: bool = attrs.field(default=False, converter=_strict)
