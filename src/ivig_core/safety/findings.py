"""Findings, severities, overrides and the safety report.

A :class:`Finding` is one thing a prescriber or a pharmacist must see: a
stable :class:`FindingCode`, a :class:`Severity`, a message that says what to
do, the source of the rule, what it concerns (:class:`Concern`: the patient,
the plan, a cycle or an infusion day) and whether the check could be run at
all (``assessed``). A check that lacks the data it needs returns a finding
with ``assessed=False`` ("not assessed"), never a silent pass.

Severities work like a smart pump's drug library:

* ``INFO``, ``ADVICE`` and ``WARNING`` are shown and never block;
* a ``SOFT_LIMIT`` blocks the plan until it is accepted with an
  :class:`Override` that gives a reason (recorded in the report);
* a ``HARD_LIMIT`` blocks and cannot be overridden.

Every code has one rule (:data:`RULES`): its severity, what triggers it and
its source. The reference page ``docs/reference/findings.rst`` is generated
from :data:`RULES`, so the documentation cannot drift from the code.

Example:
    >>> o = Override(code=FindingCode.DAILY_DOSE_ABOVE_80G,
    ...              reason="patient prefers 2 days; discussed with consultant")
    >>> o.code.value
    'DAILY_DOSE_ABOVE_80G'
    >>> Override(code=FindingCode.ANTI_IGA_CONTRAINDICATION, reason="urgent")
    Traceback (most recent call last):
    ...
    ivig_core.errors.InputError: override.code: ANTI_IGA_CONTRAINDICATION is a ...
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, Literal

import attrs

from ivig_core._enum import ParsedEnum
from ivig_core.errors import InputError, IvigError


__all__ = [
    "RULES",
    "BlockingFindingError",
    "Concern",
    "Finding",
    "FindingCode",
    "Override",
    "Rule",
    "SafetyBlock",
    "SafetyReport",
    "Severity",
]


@functools.total_ordering
class Severity(enum.Enum):
    """How much a finding matters; ordered ``INFO < ... < HARD_LIMIT``.

    .. versionadded:: 0.1.0
    """

    INFO = "info"
    ADVICE = "advice"
    WARNING = "warning"
    SOFT_LIMIT = "soft_limit"
    HARD_LIMIT = "hard_limit"

    @property
    def rank(self) -> int:
        """0 for ``INFO`` up to 4 for ``HARD_LIMIT``."""
        return _RANK[self]

    @property
    def blocks(self) -> bool:
        """Whether a finding of this severity blocks issue (unless overridden)."""
        return self.rank >= _RANK[Severity.SOFT_LIMIT]

    def __lt__(self, other: object) -> bool:
        """Order by rank."""
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK: Final = {s: i for i, s in enumerate(Severity)}


class FindingCode(ParsedEnum):
    """Stable identifiers of the findings; the value is the code as text.

    The values never change once released: hosts store them and match on
    them. Each code's rule is in :data:`RULES`.

    .. versionadded:: 0.1.0
    """

    # IgA and hypersensitivity, checked in iga.py
    IGA_NOT_MEASURED = "IGA_NOT_MEASURED"
    IGA_DEFICIENCY_PRODUCT = "IGA_DEFICIENCY_PRODUCT"
    ANTI_IGA_CONTRAINDICATION = "ANTI_IGA_CONTRAINDICATION"
    HYALURONIDASE_CONTRAINDICATION = "HYALURONIDASE_CONTRAINDICATION"
    # Thrombosis, checked in thrombosis.py
    THROMBOSIS_RISK = "THROMBOSIS_RISK"
    HYPERVISCOSITY_ASSESS = "HYPERVISCOSITY_ASSESS"
    # Renal, checked in renal.py
    RENAL_RISK = "RENAL_RISK"
    SUCROSE_PRODUCT_RENAL_RISK = "SUCROSE_PRODUCT_RENAL_RISK"
    # Dose, checked in dose.py
    DAILY_DOSE_ABOVE_80G = "DAILY_DOSE_ABOVE_80G"
    DOSE_ABOVE_LIMIT = "DOSE_ABOVE_LIMIT"
    COURSE_INTERVAL_SHORT = "COURSE_INTERVAL_SHORT"
    # Rate, checked in rate.py
    RATE_ABOVE_LABEL_MAX = "RATE_ABOVE_LABEL_MAX"
    RATE_ABOVE_AT_RISK_CAP = "RATE_ABOVE_AT_RISK_CAP"
    # Other, checked in other.py
    HAEMOLYSIS_MONITOR = "HAEMOLYSIS_MONITOR"
    MALTOSE_GLUCOSE_METER = "MALTOSE_GLUCOSE_METER"
    FLUID_LOAD_HEART_FAILURE = "FLUID_LOAD_HEART_FAILURE"
    LARGE_DAILY_VOLUME = "LARGE_DAILY_VOLUME"
    PRODUCT_SWITCH = "PRODUCT_SWITCH"
    OBESE_ACTUAL_WEIGHT = "OBESE_ACTUAL_WEIGHT"
    HYDRATION = "HYDRATION"
    PREMEDICATION = "PREMEDICATION"
    # Subcutaneous and facilitated-SC plans, checked in sc.py
    SC_ROUTE_RULES = "SC_ROUTE_RULES"
    SC_SITES_ABOVE_LABEL_MAX = "SC_SITES_ABOVE_LABEL_MAX"
    SC_VOLUME_PER_SITE_ABOVE_LABEL = "SC_VOLUME_PER_SITE_ABOVE_LABEL"
    SC_RATE_PER_SITE_ABOVE_LABEL = "SC_RATE_PER_SITE_ABOVE_LABEL"
    SC_DAILY_VOLUME_ABOVE_LABEL = "SC_DAILY_VOLUME_ABOVE_LABEL"

    @property
    def rule(self) -> Rule:
        """The rule behind this code."""
        return RULES[self]

    @classmethod
    def _field(cls) -> str:
        return "code"

    @classmethod
    def _fold(cls, text: str) -> str:
        return text.strip().upper()


@attrs.frozen(kw_only=True)
class Rule:
    """What a finding code means: severity, trigger, action and source.

    Attributes:
        code: The finding code.
        severity: The severity of the finding when the check fires.
        module: The module of ``ivig_core.safety`` that checks it.
        rule: When it fires, in words.
        action: What to do (the finding's message starts from it).
        source: Where the rule comes from.

    .. versionadded:: 0.1.0
    """

    code: FindingCode
    severity: Severity
    module: str
    rule: str
    action: str
    source: str


_BOXED = (
    "US IVIG boxed warning, read in the Privigen and Octagam 10 % labels "
    "(reference §4.1)"
)
#: The SC products' boxed warning: thrombosis only (no renal part).
SC_BOXED: Final = (
    "SCIg and HyQvia thrombosis-only boxed warning (Hizentra dailymed; Xembify "
    "druginserts.com; Cuvitru prescriberpoint; HyQvia 120ty.net) (reference "
    "§4.1)"
)
_SC_LIMITS = (
    "The product's SC limits in the catalogue, from its label (reference "
    "§2.2, §5: Hizentra, HyQvia, Cuvitru, Xembify, Gamunex-C SC, Gammagard "
    "Liquid SC); values the catalogue lacks are the planner's parameters, "
    "with the source given for them"
)

#: Every finding code's rule. The findings reference page is generated from it.
RULES: Final[Mapping[FindingCode, Rule]] = MappingProxyType(
    {
        r.code: r
        for r in (
            Rule(
                code=FindingCode.IGA_NOT_MEASURED,
                severity=Severity.WARNING,
                module="iga",
                rule="Serum IgA is not recorded.",
                action="Measure serum IgA before the first dose.",
                source=(
                    "Seeds 000 and 004 (Mayo Clin Proc via droracle summary): "
                    "standard practice, NOT a US label requirement in the label "
                    "text read (reference §4.2)"
                ),
            ),
            Rule(
                code=FindingCode.IGA_DEFICIENCY_PRODUCT,
                severity=Severity.SOFT_LIMIT,
                module="iga",
                rule=(
                    "IgA deficiency (recorded, or serum IgA below the configured "
                    "iga_deficiency_below, or anti-IgA antibodies recorded) with a "
                    "product that is not IgA-depleted."
                ),
                action=(
                    "Use an IgA-depleted product (the catalogue's are suggested), "
                    "or override with the reason."
                ),
                source=(
                    "Seeds 000 and 004 ('IVIG preparations that do not have IgA'); "
                    "Gammagard S/D IgA < 1 µg/mL is the IgA-depleted option "
                    "(reference §2.1, §4.2)"
                ),
            ),
            Rule(
                code=FindingCode.ANTI_IGA_CONTRAINDICATION,
                severity=Severity.HARD_LIMIT,
                module="iga",
                rule=(
                    "Anti-IgA antibodies and a history of hypersensitivity to "
                    "immunoglobulin are both recorded."
                ),
                action=(
                    "Do not give: label contraindication. Refer to the prescriber "
                    "and immunology."
                ),
                source=(
                    "Gammagard Liquid, Gamunex-C (epgonline.org) and Panzyga "
                    "(myhealthbox) labels: contraindicated in 'IgA deficient "
                    "patients with antibodies against IgA and a history of "
                    "hypersensitivity' (reference §4.2, §4.4)"
                ),
            ),
            Rule(
                code=FindingCode.HYALURONIDASE_CONTRAINDICATION,
                severity=Severity.HARD_LIMIT,
                module="iga",
                rule=(
                    "A facilitated subcutaneous product (HyQvia, with "
                    "hyaluronidase) and a recorded hyaluronidase hypersensitivity."
                ),
                action=("Do not give: label contraindication. Choose another product."),
                source=(
                    "HyQvia label: hypersensitivity to hyaluronidase (reference §4.4)"
                ),
            ),
            Rule(
                code=FindingCode.THROMBOSIS_RISK,
                severity=Severity.WARNING,
                module="thrombosis",
                rule=(
                    "A boxed-warning thrombosis risk factor is recorded: "
                    "immobilisation, hypercoagulable state, prior thrombosis, "
                    "oestrogens, indwelling vascular catheter, hyperviscosity, "
                    "cardiovascular risk, or age at or above the configured "
                    "thrombosis_age_from (the label says only 'advanced age'); "
                    "also every dermatomyositis plan (Octagam 10 % DM label). "
                    "SC and facilitated-SC plans: the same factors, under the SC "
                    "products' thrombosis-only boxed warning."
                ),
                action=(
                    "Give the minimum dose and infusion rate practicable, apply the "
                    "product's at-risk rate cap, ensure adequate hydration, monitor "
                    "for signs of thrombosis."
                ),
                source=_BOXED + "; SC plans: " + SC_BOXED,
            ),
            Rule(
                code=FindingCode.HYPERVISCOSITY_ASSESS,
                severity=Severity.WARNING,
                module="thrombosis",
                rule="Hyperviscosity or paraproteinaemia is recorded.",
                action="Assess blood viscosity before infusion.",
                source=(
                    _BOXED + "; baseline viscosity in cryoglobulins, chylomicronaemia, "
                    "high triglycerides, monoclonal gammopathies (Bivigam, Asceniv "
                    "labels)"
                ),
            ),
            Rule(
                code=FindingCode.RENAL_RISK,
                severity=Severity.WARNING,
                module="renal",
                rule=(
                    "A boxed-warning renal risk factor: renal insufficiency "
                    "(recorded, or Cockcroft-Gault CrCl below the configured "
                    "crcl_below), diabetes, age above 65, volume depletion, sepsis, "
                    "paraproteinaemia, nephrotoxic drugs. IV plans only: SCIg "
                    "and HyQvia carry a thrombosis-only boxed warning."
                ),
                action=(
                    "Give the minimum dose and infusion rate practicable; check BUN "
                    "and creatinine before treatment; make sure the patient is not "
                    "volume depleted; monitor urine output; stop if renal function "
                    "deteriorates."
                ),
                source=_BOXED + "; renal monitoring: Bivigam, Privigen ISI",
            ),
            Rule(
                code=FindingCode.SUCROSE_PRODUCT_RENAL_RISK,
                severity=Severity.WARNING,
                module="renal",
                rule=(
                    "A sucrose-containing product for a patient at renal risk "
                    "(IV plans only, like RENAL_RISK)."
                ),
                action="Prefer a sucrose-free product.",
                source=(
                    _BOXED + ": renal dysfunction and failure 'occur more commonly "
                    "in patients receiving IGIV products containing sucrose'"
                ),
            ),
            Rule(
                code=FindingCode.DAILY_DOSE_ABOVE_80G,
                severity=Severity.SOFT_LIMIT,
                module="dose",
                rule="An infusion day above the configured daily_grams_above (80 g).",
                action=(
                    "Consider giving the course over 3 to 5 days at 0.4 g/kg per "
                    "day, or override with the reason."
                ),
                source=(
                    "Seed 004: 'If the dose of IVIG is higher than 80 g, it may be "
                    "administered over 3 to 5 days at 0.4 g/kg' (Mayo Clin Proc via "
                    "droracle; reference §1.6)"
                ),
            ),
            Rule(
                code=FindingCode.DOSE_ABOVE_LIMIT,
                severity=Severity.SOFT_LIMIT,
                module="dose",
                rule=(
                    "A day's or a course's g/kg above a configured DoseLimit for "
                    "the indication (and product)."
                ),
                action=(
                    "Check the dose against the label or guideline; override with "
                    "the reason."
                ),
                source=(
                    "Each DoseLimit's own source (label or guideline); HL7 "
                    "DOSEHINDW dose-for-weight alert (reference §4.4)"
                ),
            ),
            Rule(
                code=FindingCode.COURSE_INTERVAL_SHORT,
                severity=Severity.WARNING,
                module="dose",
                rule=(
                    "Two consecutive courses start closer together than the "
                    "regimen's interval; after a HyQvia ramp-up course, closer "
                    "than the label's ramp-up (an n-week dose, then the next "
                    "dose n weeks later)."
                ),
                action="Check the dates, or confirm the shorter gap was intended.",
                source=(
                    "The plan's regimen (its interval and its source); HyQvia "
                    "US PI ramp-up (120ty.net; hyqviahcp.com; reference §2.2)"
                ),
            ),
            Rule(
                code=FindingCode.RATE_ABOVE_LABEL_MAX,
                severity=Severity.HARD_LIMIT,
                module="rate",
                rule=(
                    "A planned rate step above the product's labelled maximum for "
                    "the indication (with no indication: above every labelled "
                    "maximum). Octagam 10 % in dermatomyositis: 4 mg/kg/min. IV "
                    "plans only: SC rates are per site (SC_RATE_PER_SITE_ABOVE_LABEL)."
                ),
                action="Lower the rate steps to the labelled maximum.",
                source=(
                    "The product's label (catalogue data); Octagam 10 % DM: 'do not "
                    "exceed 0.04 mL/kg/min' (reference §2.1, §4.4)"
                ),
            ),
            Rule(
                code=FindingCode.RATE_ABOVE_AT_RISK_CAP,
                severity=Severity.SOFT_LIMIT,
                module="rate",
                rule=(
                    "A patient at thrombotic or renal risk and a planned rate step "
                    "above the product's at-risk cap (e.g. Octagam 10 % and Panzyga "
                    "≤ 3.3, Octagam 5 % < 3.3, Bivigam < 2 mg/kg/min). IV plans "
                    "only."
                ),
                action=(
                    "Hold the rate at or below the at-risk cap, or override with "
                    "the reason."
                ),
                source="The product's label (catalogue data); reference §4.1",
            ),
            Rule(
                code=FindingCode.HAEMOLYSIS_MONITOR,
                severity=Severity.WARNING,
                module="other",
                rule=(
                    "A non-O blood group and a course at or above the configured "
                    "haemolysis_course_from (2 g/kg)."
                ),
                action=(
                    "Monitor for haemolysis (haemoglobin, signs) for 5 to 10 days "
                    "after the course."
                ),
                source=(
                    "Transfusion 2021;61:1053 (pubmed 33433931): 32 % haemolysis "
                    "after ≥ 2 g/kg in non-O patients, usually 5-10 days after; "
                    "label risk factors non-O, inflammation, high dose (Privigen "
                    "ISI) (reference §4.2)"
                ),
            ),
            Rule(
                code=FindingCode.MALTOSE_GLUCOSE_METER,
                severity=Severity.WARNING,
                module="other",
                rule=(
                    "A maltose-containing product (Octagam 5 %, 10 %) and diabetes "
                    "or glucose-meter monitoring recorded."
                ),
                action=(
                    "Use glucose-specific methods: GDH-PQQ and glucose-dye-"
                    "oxidoreductase meters read maltose as glucose (falsely high "
                    "readings, wrong insulin, masked hypoglycaemia)."
                ),
                source="Octagam 5 % and 10 % labels (reference §4.2)",
            ),
            Rule(
                code=FindingCode.FLUID_LOAD_HEART_FAILURE,
                severity=Severity.WARNING,
                module="other",
                rule="Heart failure is recorded.",
                action=(
                    "Consider splitting the dose over more days or a higher "
                    "concentration; watch for volume overload."
                ),
                source=(
                    "High-dose regimens 'not recommended if … fluid volume may be a "
                    "concern' (themeditary monograph [secondary]); Privigen and "
                    "Gammaplex labels: weigh volume overload (reference §4.2)"
                ),
            ),
            Rule(
                code=FindingCode.LARGE_DAILY_VOLUME,
                severity=Severity.WARNING,
                module="other",
                rule="A day's volume above the configured large_volume_per_day.",
                action=(
                    "Consider splitting the dose over more days or a higher "
                    "concentration."
                ),
                source=(
                    "Local threshold (no sourced number; reference §4.2: volume is a "
                    "direct function of concentration)"
                ),
            ),
            Rule(
                code=FindingCode.PRODUCT_SWITCH,
                severity=Severity.WARNING,
                module="other",
                rule="The previous product differs from the planned one.",
                action="Start again at the product's initial rate and ramp up.",
                source=(
                    "Privigen ('always start at the minimum rate'), Gammagard "
                    "Liquid (switching patients start at the lower rate), NHS GGC "
                    "('rates are not interchangeable') (reference §4.2)"
                ),
            ),
            Rule(
                code=FindingCode.OBESE_ACTUAL_WEIGHT,
                severity=Severity.ADVICE,
                module="other",
                rule=(
                    "BMI above the configured obesity_bmi_above (30) and the dose "
                    "is on actual body weight."
                ),
                action=(
                    "Consider an ideal or adjusted dosing weight per local policy "
                    "(Ontario and UK forms use adjusted weight above BMI 30)."
                ),
                source=(
                    "Hodkinson 2017 (Clin Exp Immunol, pubmed 28263379); Octagam "
                    "10 % SmPC (DM) 'physiological standard bodyweight'; Ontario "
                    "calculator and UK request form, BMI > 30 (reference §1.4-§1.6)"
                ),
            ),
            Rule(
                code=FindingCode.HYDRATION,
                severity=Severity.ADVICE,
                module="other",
                rule="Every plan.",
                action=(
                    "Ensure adequate hydration before administration (no label "
                    "gives a volume; follow the local protocol)."
                ),
                source=(
                    "IVIG labels: 'ensure adequate hydration' (reference §4.1, §4.3)"
                ),
            ),
            Rule(
                code=FindingCode.PREMEDICATION,
                severity=Severity.ADVICE,
                module="other",
                rule="Every plan, from the configured local premedication protocol.",
                action=(
                    "Consider premedication per the local protocol (seed 004: "
                    "acetaminophen, diphenhydramine, sometimes corticosteroids)."
                ),
                source=(
                    "Seed 004; reference §4.3 (routine use vs prior reactors is "
                    "disputed: a local protocol)"
                ),
            ),
            Rule(
                code=FindingCode.SC_ROUTE_RULES,
                severity=Severity.INFO,
                module="sc",
                rule=(
                    "Every SC or facilitated-SC plan: the SC rules apply. The "
                    "thrombosis boxed warning applies; the IVIG renal boxed "
                    "warning (RENAL_RISK), the sucrose rule and the IV rate "
                    "checks in mg/kg/min (RATE_ABOVE_LABEL_MAX, "
                    "RATE_ABOVE_AT_RISK_CAP) do not; SC rates are checked per "
                    "site."
                ),
                action=(
                    "None: says which rules were applied and which do not apply "
                    "to the route, and why."
                ),
                source=SC_BOXED,
            ),
            Rule(
                code=FindingCode.SC_SITES_ABOVE_LABEL_MAX,
                severity=Severity.HARD_LIMIT,
                module="sc",
                rule=(
                    "An SC infusion at more sites at once than the label's "
                    "maximum (or the maximum given for the plan where the label "
                    "has none)."
                ),
                action="Use fewer sites, or give the dose over more days.",
                source=_SC_LIMITS,
            ),
            Rule(
                code=FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL,
                severity=Severity.HARD_LIMIT,
                module="sc",
                rule=(
                    "An SC infusion's volume ÷ sites above the label's per-site "
                    "volume for that number of sites (HyQvia: 600 mL at 1-2 "
                    "sites, 400 mL at 3)."
                ),
                action=(
                    "Use more sites (within the maximum) or give the dose over "
                    "more days."
                ),
                source=_SC_LIMITS,
            ),
            Rule(
                code=FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL,
                severity=Severity.HARD_LIMIT,
                module="sc",
                rule=(
                    "An SC infusion's pump rate ÷ sites above the label's "
                    "per-site maximum, or its pump rate above the label's "
                    "maximum over all sites (Gammagard Liquid SC: 240 mL/h, "
                    "160 mL/h under 40 kg)."
                ),
                action="Lower the rate to the label's per-site (and total) maximum.",
                source=_SC_LIMITS,
            ),
            Rule(
                code=FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL,
                severity=Severity.HARD_LIMIT,
                module="sc",
                rule=(
                    "A day's SC volume (all infusions that day) above the "
                    "label's daily maximum for the patient's weight (HyQvia: "
                    "1200 mL, 600 mL under 40 kg)."
                ),
                action="Give the dose over more days.",
                source=(
                    "The product's daily volume limits in the catalogue; HyQvia "
                    "US PI: ≤ 1,200 mL/day (≤ 600 mL if < 40 kg) (120ty.net; "
                    "reference §2.2)"
                ),
            ),
        )
    }
)


# --------------------------------------------------------------------------
# Concern


ConcernKind = Literal["patient", "plan", "cycle", "infusion"]
_KIND_ORDER: Final = {"patient": 0, "plan": 1, "cycle": 2, "infusion": 3}


def _kind(value: object) -> ConcernKind:
    if value == "patient":
        return "patient"
    if value == "plan":
        return "plan"
    if value == "cycle":
        return "cycle"
    if value == "infusion":
        return "infusion"
    raise InputError("concern.kind", value, "'patient', 'plan', 'cycle' or 'infusion'")


@attrs.frozen(kw_only=True)
class Concern:
    """What a finding is about: the patient, the plan, a cycle or an infusion.

    Build it with :meth:`patient`, :meth:`whole_plan`, :meth:`course` or
    :meth:`infusion_on`.

    Attributes:
        kind: ``"patient"``, ``"plan"``, ``"cycle"`` or ``"infusion"``.
        cycle: The course number (from 1) for a cycle or an infusion.
        date: The infusion's date.

    .. versionadded:: 0.1.0
    """

    kind: ConcernKind = attrs.field(converter=_kind)
    cycle: int | None = None
    date: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        """A cycle needs its number, an infusion its date (validators off too)."""
        if self.kind in {"cycle", "infusion"} and (
            not isinstance(self.cycle, int) or isinstance(self.cycle, bool)
        ):
            raise InputError("concern.cycle", self.cycle, "a course number (int)")
        if self.kind == "infusion" and not isinstance(self.date, dt.date):
            raise InputError("concern.date", self.date, "the infusion's date")

    @classmethod
    def patient(cls) -> Concern:
        """The patient as a whole."""
        return cls(kind="patient")

    @classmethod
    def whole_plan(cls) -> Concern:
        """The plan as a whole (product choice, every infusion)."""
        return cls(kind="plan")

    @classmethod
    def course(cls, number: int) -> Concern:
        """Course (cycle) *number*."""
        return cls(kind="cycle", cycle=number)

    @classmethod
    def infusion_on(cls, date: dt.date, cycle: int) -> Concern:
        """The infusion on *date*, in course *cycle*."""
        return cls(kind="infusion", cycle=cycle, date=date)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Patient, plan, then cycles and infusions in order."""
        return (
            _KIND_ORDER[self.kind],
            -1 if self.cycle is None else self.cycle,
            "" if self.date is None else self.date.isoformat(),
        )

    def __str__(self) -> str:
        """``patient``, ``plan``, ``cycle 2`` or ``infusion 2026-01-05 (cycle 1)``."""
        if self.kind == "cycle":
            return f"cycle {self.cycle}"
        if self.kind == "infusion" and self.date is not None:
            return f"infusion {self.date.isoformat()} (cycle {self.cycle})"
        return self.kind


# --------------------------------------------------------------------------
# Finding


def _code(value: object) -> FindingCode:
    return FindingCode.parse(value)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-empty string")
    return value.strip()


def _message(value: object) -> str:
    return _text("message", value)


def _source(value: object) -> str:
    return _text("source", value)


def _concern(value: object) -> Concern:
    if isinstance(value, Concern):
        return value
    raise InputError("concerns", value, "a Concern (Concern.patient(), ...)")


#: Severities a not-assessed finding may have: it never blocks by itself.
NOT_ASSESSED_SEVERITIES: Final = frozenset(
    {Severity.INFO, Severity.ADVICE, Severity.WARNING}
)


@attrs.frozen(kw_only=True)
class Finding:
    """One safety finding.

    Attributes:
        code: The stable code; :data:`RULES` holds its rule.
        severity: The rule's severity when the check ran (``assessed``); for
            a check that could not run, ``INFO``, ``ADVICE`` or ``WARNING``.
        message: What was found and what to do.
        source: Where the rule comes from.
        concerns: The patient, the plan, a cycle or an infusion.
        assessed: ``False`` when the check lacked data or a threshold: the
            finding then says what is missing ("not assessed").

    Raises:
        InputError: An empty message or source, or a severity that does not
            match the rule (checked even with attrs validators disabled).

    .. versionadded:: 0.1.0
    """

    code: FindingCode = attrs.field(converter=_code)
    severity: Severity
    message: str = attrs.field(converter=_message)
    source: str = attrs.field(converter=_source)
    concerns: Concern = attrs.field(factory=Concern.patient, converter=_concern)
    assessed: bool = True

    def __attrs_post_init__(self) -> None:
        """Tie the severity to the rule (holds with validators disabled)."""
        if not isinstance(self.severity, Severity):
            raise InputError("severity", self.severity, "a Severity member")
        if not isinstance(self.assessed, bool):
            raise InputError("assessed", self.assessed, "True or False")
        rule = RULES[self.code]
        if self.assessed and self.severity is not rule.severity:
            raise InputError(
                "severity",
                self.severity,
                f"{rule.severity.name} (the rule of {self.code.value})",
            )
        if not self.assessed and self.severity not in NOT_ASSESSED_SEVERITIES:
            raise InputError(
                "severity",
                self.severity,
                "INFO, ADVICE or WARNING for a finding that was not assessed",
            )

    @property
    def rule(self) -> Rule:
        """The rule behind this finding."""
        return RULES[self.code]

    @property
    def sort_key(self) -> tuple[int, str, tuple[int, int, str], str]:
        """Most severe first, then code, then what it concerns, then message."""
        return (
            -self.severity.rank,
            self.code.value,
            self.concerns.sort_key,
            self.message,
        )

    def __str__(self) -> str:
        """One line: severity, code, concern, message and source."""
        status = "" if self.assessed else " NOT ASSESSED"
        return (
            f"[{self.severity.name}{status}] {self.code.value} ({self.concerns}): "
            f"{self.message} Source: {self.source}."
        )


# --------------------------------------------------------------------------
# Override


def _reason(value: object) -> str:
    return _text("override.reason", value)


def _override_code(value: object) -> FindingCode:
    code = FindingCode.parse(value, field="override.code")
    _check_overridable(code)
    return code


def _check_overridable(code: FindingCode) -> None:
    severity = RULES[code].severity
    if severity is Severity.HARD_LIMIT:
        raise InputError(
            "override.code",
            code.value,
            "the code of a soft limit",
            f"{code.value} is a hard limit and cannot be overridden",
        )
    if severity is not Severity.SOFT_LIMIT:
        raise InputError(
            "override.code",
            code.value,
            "the code of a soft limit",
            f"{code.value} is a {severity.name} and needs no override",
        )


@attrs.frozen(kw_only=True)
class Override:
    """An explicit, recorded acceptance of a soft limit, with its reason.

    It accepts every finding with its code in the report. A hard limit
    cannot be overridden: the code of a hard limit (or of a finding that
    never blocks) is refused when the override is built, and again by
    :func:`~ivig_core.safety.assess`.

    Attributes:
        code: The code of a soft limit.
        reason: Why it is accepted (non-empty); recorded in the report.
        by: Who accepted it (optional, recorded).

    Raises:
        InputError: A hard-limit or non-blocking code, or an empty reason.

    .. versionadded:: 0.1.0
    """

    code: FindingCode = attrs.field(converter=_override_code)
    reason: str = attrs.field(converter=_reason)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        """Re-check (the converters already did; this guards attrs.evolve)."""
        _check_overridable(self.code)
        _reason(self.reason)


def check_overrides(overrides: object) -> tuple[Override, ...]:
    """Check a collection of overrides again, as :func:`assess` does.

    .. versionadded:: 0.1.0
    """
    if isinstance(overrides, (str, bytes, Override)) or not isinstance(
        overrides, Iterable
    ):
        raise InputError("overrides", overrides, "a sequence of Override")
    out = tuple(overrides)
    for i, o in enumerate(out):
        if not isinstance(o, Override):
            raise InputError(f"overrides[{i}]", o, "an Override(code, reason)")
        _check_overridable(o.code)
        _reason(o.reason)
    return out


# --------------------------------------------------------------------------
# Report and strict mode


def _findings(value: object) -> tuple[Finding, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError("findings", value, "a sequence of Finding")
    out = tuple(value)
    for i, f in enumerate(out):
        if not isinstance(f, Finding):
            raise InputError(f"findings[{i}]", f, "a Finding")
    return tuple(sorted(out, key=lambda f: f.sort_key))


def _overrides(value: object) -> tuple[Override, ...]:
    return check_overrides(value)


@attrs.frozen(kw_only=True)
class SafetyReport:
    """Every finding for one patient and plan, with the overrides recorded.

    Findings are sorted: most severe first, then by code, then by what they
    concern (patient, plan, cycles, infusions in date order).

    Attributes:
        findings: All findings, sorted.
        overrides: The overrides given (recorded, whether or not used).
        product: The product assessed (its key), if known.
        indication: The indication assessed for, if given.

    .. versionadded:: 0.1.0
    """

    findings: tuple[Finding, ...] = attrs.field(converter=_findings)
    overrides: tuple[Override, ...] = attrs.field(default=(), converter=_overrides)
    product: str | None = None
    indication: str | None = None

    @property
    def overridden_codes(self) -> frozenset[FindingCode]:
        """Codes accepted by an override."""
        return frozenset(o.code for o in self.overrides)

    def is_overridden(self, finding: Finding) -> bool:
        """Whether *finding* is a soft limit accepted by an override."""
        return (
            finding.assessed
            and finding.severity is Severity.SOFT_LIMIT
            and finding.code in self.overridden_codes
        )

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """Hard limits, and soft limits without an override."""
        return tuple(
            f
            for f in self.findings
            if f.assessed and f.severity.blocks and not self.is_overridden(f)
        )

    @property
    def overridden(self) -> tuple[Finding, ...]:
        """Soft limits accepted by an override."""
        return tuple(f for f in self.findings if self.is_overridden(f))

    @property
    def unused_overrides(self) -> tuple[Override, ...]:
        """Overrides whose code matches no finding (recorded, not applied)."""
        present = {f.code for f in self.findings if f.assessed}
        return tuple(o for o in self.overrides if o.code not in present)

    @property
    def not_assessed(self) -> tuple[Finding, ...]:
        """Checks that could not run for lack of data or of a threshold."""
        return tuple(f for f in self.findings if not f.assessed)

    @property
    def ready_to_issue(self) -> bool:
        """``False`` with any hard limit or any soft limit not overridden."""
        return not self.blocking

    @property
    def codes(self) -> tuple[FindingCode, ...]:
        """The codes of the assessed findings, in report order, distinct."""
        return tuple(dict.fromkeys(f.code for f in self.findings if f.assessed))

    def with_code(self, code: FindingCode) -> tuple[Finding, ...]:
        """The findings (assessed or not) with *code*."""
        return tuple(f for f in self.findings if f.code is code)

    def raise_if_blocked(self) -> None:
        """Raise :class:`SafetyBlock` listing the blocking findings, if any.

        .. versionadded:: 0.1.0
        """
        if self.blocking:
            raise SafetyBlock.from_report(self)

    def summary(self) -> str:
        """A text listing: readiness, every finding, the overrides.

        .. versionadded:: 0.1.0
        """
        state = "READY to issue" if self.ready_to_issue else "NOT ready to issue"
        lines = [f"Safety: {state} ({len(self.blocking)} blocking)"]
        for f in self.findings:
            mark = " (overridden)" if self.is_overridden(f) else ""
            lines.append(f"- {f}{mark}")
        lines.extend(
            f"Override {o.code.value}: {o.reason}"
            + (f" (by {o.by})" if o.by else "")
            + ("" if o not in self.unused_overrides else " [matches no finding]")
            for o in self.overrides
        )
        return "\n".join(lines)


class BlockingFindingError(IvigError):
    """One blocking finding, as an exception inside a :class:`SafetyBlock`.

    Attributes:
        finding: The finding.

    .. versionadded:: 0.1.0
    """

    finding: Finding

    def __init__(self, finding: Finding) -> None:
        """Hold *finding*; the message is its one-line text."""
        self.finding = finding
        super().__init__(str(finding))


class SafetyBlock(  # noqa: N818 - the name DESIGN.md gives it
    IvigError, ExceptionGroup[BlockingFindingError]
):
    """The plan is not ready to issue: every blocking finding, as a group.

    Raised only in strict mode (``assess(..., strict=True)``) or by
    :meth:`SafetyReport.raise_if_blocked`. Each exception in the group is a
    :class:`BlockingFindingError`; the full report is on :attr:`report` (``None``
    after ``split``/``subgroup``).

    .. versionadded:: 0.1.0
    """

    report: SafetyReport | None = None

    @classmethod
    def from_report(cls, report: SafetyReport) -> SafetyBlock:
        """A group of the report's blocking findings, holding the report."""
        blocking = report.blocking
        codes = ", ".join(dict.fromkeys(f.code.value for f in blocking))
        exc = cls(
            f"plan not ready to issue: {len(blocking)} blocking finding(s): {codes}",
            [BlockingFindingError(f) for f in blocking],
        )
        exc.report = report
        return exc

    def derive(  # type: ignore[override]
        self, excs: Sequence[BlockingFindingError]
    ) -> SafetyBlock:
        """Keep the class when the group is split (``except*``)."""
        return SafetyBlock(self.message, excs)
