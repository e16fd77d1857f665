"""Clinical rules from the labels (issue 13): worked cases and invariants.

Each worked case quotes the label (or source) line it comes from. The
properties: no plan with a listed contraindication is ready to issue; an
IgA-depleted product never gets the anti-IgA hard limit; a label regimen at
its label dose and interval is never blocked by a dose rule.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import worked
from ivig_core.patient import RiskFactor
from ivig_core.plan import Plan
from ivig_core.products import Route, default_catalogue, get_product
from ivig_core.safety import FindingCode, SafetyConfig, Severity, assess
from safety_plans import fired, make_plan


IV_KEYS = tuple(key for key, p in default_catalogue().items() if Route.IV in p.routes)

#: (risk factor, product key, finding code): the label contraindications.
CONTRAINDICATIONS = (
    # Asceniv PI: "contraindicated in: patients who have had an anaphylactic
    # or severe systemic reaction to the administration of human immune globulin"
    ("severe_ig_reaction", "asceniv", "SEVERE_IG_REACTION_CONTRAINDICATION"),
    # Gammagard Liquid: "History of anaphylactic or severe systemic
    # hypersensitivity reactions to human IG"
    ("severe_ig_reaction", "gammagard-liquid", "SEVERE_IG_REACTION_CONTRAINDICATION"),
    # Privigen (MPR): "Hyperprolinemia (contains the stabilizer L-proline)"
    ("hyperprolinaemia", "privigen", "HYPERPROLINAEMIA_CONTRAINDICATION"),
    # octagamusa.com: "Octagam 5% and 10% contain maltose ... derived from
    # corn. Patients known to have corn allergies should avoid using octagam."
    ("corn_allergy", "octagam-10", "CORN_ALLERGY_MALTOSE"),
    ("corn_allergy", "octagam-5", "CORN_ALLERGY_MALTOSE"),
    # Gammaplex 5 % UK SmPC: "This medicinal product contains 50 mg/ml sorbitol"
    (
        "hereditary_fructose_intolerance",
        "gammaplex-5",
        "FRUCTOSE_INTOLERANCE_SORBITOL",
    ),
)


def _plan(product: str, weight_kg: float = 70.0) -> Plan:
    return make_plan(product=product, weight_kg=weight_kg, rates_mg_kg_min=(0.5,))


@pytest.mark.parametrize(("factor", "product", "code"), CONTRAINDICATIONS)
def test_label_contraindication_is_a_hard_limit(
    factor: str, product: str, code: str
) -> None:
    """Each label contraindication blocks, as a hard limit naming the product."""
    report = assess(worked.recorded_woman("70 kg", factor), _plan(product))
    (f,) = fired(report, FindingCode[code])
    assert f.severity is Severity.HARD_LIMIT
    assert get_product(product).name in f.message
    assert not report.ready_to_issue


@pytest.mark.parametrize(
    ("factor", "product"),
    [
        ("hyperprolinaemia", "octagam-10"),  # maltose, no proline
        ("corn_allergy", "privigen"),  # proline, no maltose
        ("hereditary_fructose_intolerance", "privigen"),  # no sorbitol
    ],
)
def test_excipient_rules_follow_the_composition(factor: str, product: str) -> None:
    """An excipient rule fires only with a product that contains the excipient."""
    report = assess(worked.recorded_woman("70 kg", factor), _plan(product))
    assert report.ready_to_issue


def test_severe_reaction_alone_blocks_every_product() -> None:
    """A prior severe reaction to human IG blocks every product, alone.

    Gamunex-C: "Anaphylactic or severe systemic reactions to human
    immunoglobulin" is a contraindication on its own, without anti-IgA.
    """
    for key in ("privigen", "gamunex-c", "gammagard-sd", "octagam-10"):
        report = assess(
            worked.recorded_woman("70 kg", "severe_ig_reaction"), _plan(key)
        )
        assert fired(report, FindingCode.SEVERE_IG_REACTION_CONTRAINDICATION)
        assert not report.ready_to_issue


def test_anti_iga_on_iga_depleted_product_is_a_warning() -> None:
    """Anti-IgA on an IgA-depleted product is a warning, not the hard limit.

    Labels: contraindicated in "IgA deficient patients with antibodies against
    IgA and a history of hypersensitivity"; Gammagard S/D (IgA < 1 µg/mL) is the
    IgA-depleted option: a warning, not the hard limit.
    """
    allergic = worked.recorded_woman(
        "70 kg", "anti_iga_antibodies", "ig_hypersensitivity_history"
    )
    on_privigen = assess(allergic, _plan("privigen"))
    (hard,) = fired(on_privigen, FindingCode.ANTI_IGA_CONTRAINDICATION)
    assert "IgA ≤ 25 µg/mL" in hard.message
    on_sd = assess(allergic, _plan("gammagard-sd"))
    assert not fired(on_sd, FindingCode.ANTI_IGA_CONTRAINDICATION)
    (warn,) = fired(on_sd, FindingCode.ANTI_IGA_DEPLETED_PRODUCT)
    assert warn.severity is Severity.WARNING


def test_iga_depleted_threshold_is_the_sites() -> None:
    """Gammaplex 5 % is IgA-depleted at a site threshold of 10 µg/mL only.

    Gammaplex 5 % (UK SmPC "maximum IgA 10 µg/mL") is IgA-depleted at a site
    threshold of 10 µg/mL, not at the default 2 µg/mL.
    """
    allergic = worked.recorded_woman(
        "70 kg", "anti_iga_antibodies", "ig_hypersensitivity_history"
    )
    plan = _plan("gammaplex-5")
    assert fired(assess(allergic, plan), FindingCode.ANTI_IGA_CONTRAINDICATION)
    site = SafetyConfig(iga_depleted_at_most="10 ug/mL")
    report = assess(allergic, plan, config=site)
    assert not fired(report, FindingCode.ANTI_IGA_CONTRAINDICATION)
    assert fired(report, FindingCode.ANTI_IGA_DEPLETED_PRODUCT)


def test_albumin_hypersensitivity_with_hyqvia_content_is_a_warning() -> None:
    """HyQvia's hyaluronidase vial holds human albumin (EU SmPC excipients).

    HyQvia's hyaluronidase vial holds human albumin (EU SmPC excipients); only
    secondary sources say to avoid it: a warning on a product with albumin
    (Gammagard S/D lists albumin 3 mg/mL).
    """
    report = assess(
        worked.recorded_woman("70 kg", "albumin_hypersensitivity"),
        _plan("gammagard-sd"),
    )
    (f,) = fired(report, FindingCode.ALBUMIN_HYPERSENSITIVITY)
    assert f.severity is Severity.WARNING


def test_age_outside_the_label() -> None:
    """A plan outside the labelled ages gets a finding naming the label.

    Octagam 10 %: "Children Dosage: Not established" for ITP and DM; an 8-year-
    old on Octagam 10 % for ITP gets a finding naming the label; Gamunex-C PI
    "patients 2 years of age and older": a 1-year-old does too.
    """
    child = worked.recorded_woman("25 kg", age="8 year", height="128 cm")
    report = assess(child, _plan("octagam-10", 25.0), indication="itp")
    (f,) = fired(report, FindingCode.AGE_OUTSIDE_LABEL)
    assert "Octagam 10 %" in f.message
    assert "not an adult" in f.message
    adult = assess(
        worked.recorded_woman("70 kg"), _plan("octagam-10"), indication="itp"
    )
    assert not fired(adult, FindingCode.AGE_OUTSIDE_LABEL)
    infant = worked.recorded_woman("9 kg", age="1 year", height="75 cm")
    report = assess(infant, _plan("gamunex-c", 9.0), indication="pi")
    (g,) = fired(report, FindingCode.AGE_OUTSIDE_LABEL)
    assert "below 2 years" in g.message
    two = worked.recorded_woman("12 kg", age="2 year", height="86 cm")
    assert not fired(
        assess(two, _plan("gamunex-c", 12.0), indication="pi"),
        FindingCode.AGE_OUTSIDE_LABEL,
    )


def test_renal_boxed_warning_follows_the_label_on_sc() -> None:
    """The renal boxed warning is the product label's, whatever the route.

    Gamunex-C (one label for IV and SC): "THROMBOSIS, RENAL DYSFUNCTION and
    ACUTE RENAL FAILURE"; Hizentra: "WARNING: THROMBOSIS" only.
    """
    assert get_product("gamunex-c").renal_boxed_warning is True
    assert get_product("gammagard-liquid").renal_boxed_warning is True
    assert get_product("hizentra").renal_boxed_warning is False
    assert get_product("hyqvia").renal_boxed_warning is False


def test_haemolysis_gives_both_windows() -> None:
    """Both haemolysis windows: the label's 36-96 h and 5-10 days.

    Octagam 10 %: "baseline hemoglobin or hematocrit and approx. 36-96hrs post-
    infusion"; Transfusion 2021: "apparent 5-10 days after".
    """
    non_o = worked.recorded_woman("70 kg", abo_group="A")
    report = assess(non_o, make_plan(product="privigen", cycles=2))
    (f,) = fired(report, FindingCode.HAEMOLYSIS_MONITOR)
    assert "36 to 96 h" in f.message
    assert "5 to 10 days" in f.message
    assert "courses 1 (2 g/kg), 2 (2 g/kg)" in f.message


# --------------------------------------------------------------------------
# Properties


FACTORS = tuple(RiskFactor)
CONTRAINDICATION_CODES = frozenset(FindingCode[c] for _, _, c in CONTRAINDICATIONS)


@given(
    product=st.sampled_from(IV_KEYS),
    factors=st.frozensets(st.sampled_from(FACTORS)),
    contraindication=st.sampled_from(CONTRAINDICATIONS),
)
def test_no_plan_with_a_listed_contraindication_is_ready(
    product: str,
    factors: frozenset[RiskFactor],
    contraindication: tuple[str, str, str],
) -> None:
    """Whatever else is recorded, a listed contraindication blocks the plan."""
    factor, key, _ = contraindication
    patient = worked.recorded_woman("70 kg", factor, *(f.value for f in factors))
    report = assess(patient, _plan(key))
    assert not report.ready_to_issue
    other = assess(patient, _plan(product))
    if RiskFactor.SEVERE_IG_REACTION in patient.risk_factors:
        assert not other.ready_to_issue


@given(
    factors=st.frozensets(st.sampled_from(FACTORS)),
    threshold=st.sampled_from(["2 ug/mL", "10 ug/mL", "25 ug/mL", "300 ug/mL"]),
    product=st.sampled_from(tuple(default_catalogue())),
)
def test_iga_depleted_product_never_gets_the_anti_iga_hard_limit(
    factors: frozenset[RiskFactor], threshold: str, product: str
) -> None:
    """An IgA-depleted product (at the site's threshold) never gets the hard limit."""
    config = SafetyConfig(iga_depleted_at_most=threshold)
    prod = get_product(product)
    if not prod.is_iga_depleted(config.iga_depleted_at_most_ug_ml):
        return
    patient = worked.recorded_woman(
        "70 kg",
        "anti_iga_antibodies",
        "ig_hypersensitivity_history",
        *(f.value for f in factors),
    )
    plan = make_plan(product=product, rates_mg_kg_min=(0.5,))
    report = assess(patient, plan, product=prod, config=config)
    assert not fired(report, FindingCode.ANTI_IGA_CONTRAINDICATION)


@given(
    weight=st.integers(min_value=40, max_value=160),
    days=st.integers(min_value=2, max_value=5),
)
def test_label_dm_regimen_is_never_blocked_by_a_dose_rule(
    weight: int, days: int
) -> None:
    """The Octagam 10 % DM label regimen is never blocked by a dose rule.

    Octagam 10 % DM label: "2 g/kg divided in equal doses given over 2-5
    consecutive days every 4 weeks": no dose rule blocks it at any weight.
    """
    plan = make_plan(
        product="octagam-10",
        weight_kg=float(weight),
        course_g_per_kg=2.0,
        days=days,
        cycles=2,
        interval_days=28,
        rates_mg_kg_min=(1.0,),
    )
    report = assess(
        worked.recorded_woman(f"{weight} kg"), plan, indication="dermatomyositis"
    )
    dose_codes = {
        FindingCode.DAILY_DOSE_ABOVE_80G,
        FindingCode.DOSE_ABOVE_LIMIT,
        FindingCode.COURSE_INTERVAL_SHORT,
    }
    assert not [f for f in report.blocking if f.code in dose_codes]


def test_the_80g_advice_is_one_finding_for_the_plan() -> None:
    """Six days above 80 g in three courses: one advice, listing all six."""
    plan = make_plan(product="privigen", weight_kg=100.0, cycles=3)
    report = assess(worked.recorded_woman("100 kg"), plan)
    (f,) = fired(report, FindingCode.DAILY_DOSE_ABOVE_80G)
    assert f.message.startswith("6 infusion days are above 80 g")
    assert f.message.count(": 100 g") == 6
    assert dt.date(2026, 1, 5).isoformat() in f.message


def test_label_interval_shortened_is_a_soft_limit() -> None:
    """A label interval shortened is a soft limit naming both figures.

    Octagam 10 % DM label: "2 g/kg ... every 4 weeks"; 2 g/kg every 2 weeks is
    above the label's dose intensity.
    """
    plan = make_plan(
        product="octagam-10", cycles=2, interval_days=14, rates_mg_kg_min=(1.0,)
    )
    report = assess(worked.recorded_woman("70 kg"), plan, indication="dermatomyositis")
    found = [
        f
        for f in fired(report, FindingCode.DOSE_ABOVE_LIMIT)
        if "Shorter interval" in f.message
    ]
    (f,) = found
    assert f.severity is Severity.SOFT_LIMIT
    assert "label 2 g/kg every 28 days (0.5 g/kg per week)" in f.message
    assert "course 2 14 days after course 1 (2 g/kg, 1 g/kg per week)" in f.message
    assert not report.ready_to_issue
    on_label = make_plan(
        product="octagam-10", cycles=2, interval_days=28, rates_mg_kg_min=(1.0,)
    )
    quiet = assess(
        worked.recorded_woman("70 kg"), on_label, indication="dermatomyositis"
    )
    assert not fired(quiet, FindingCode.DOSE_ABOVE_LIMIT)
