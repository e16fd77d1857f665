"""Catalogue values added in session 4, each pinned against its source's words.

- Privigen's vials: the EU SmPC, section 2 ("Cada vial de 50 ml de solución
  contiene: 5 g de inmunoglobulina humana normal", and 100 mL 10 g, 200 mL
  20 g, 400 mL 40 g).
- The labelled ages of the SC products (Hizentra, HyQvia, Cuvitru, Xembify),
  read by ``AGE_OUTSIDE_LABEL``.
- Cuvitru's total rate: "For patients utilizing 4 infusion sites, the maximum
  infusion rate for all sites combined is 240 mL/h." (cuvitru.com).
- Hizentra's studied CIDP maintenance (the US label's Limitation of Use, as
  CSL Behring's guide quotes it), read by MAINTENANCE_BEYOND_LABEL_DURATION.

Every expected number is the source's, or worked by hand in the docstring.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ivig_core import Patient
from ivig_core.errors import InputError
from ivig_core.infusion import rate_schedule
from ivig_core.planning import plan_course
from ivig_core.planning.scig import plan_scig_regimen
from ivig_core.products import AgeGroup, Route, get_product
from ivig_core.regimen import get_preset
from ivig_core.safety import Finding, FindingCode, assess
from ivig_core.scig import ScLimits, get_scig_preset
from ivig_core.vials import NeverBelow, select_vials
from safety_plans import fired, make_plan


AGE = FindingCode.AGE_OUTSIDE_LABEL


# --------------------------------------------------------------------------
# Privigen vials


def test_privigen_vials_are_the_smpc_sizes() -> None:
    """EU SmPC section 2: 5 g in 50 mL, 10 g in 100 mL, 20 g in 200 mL, 40 g in 400 mL.

    "Cada vial de 50 ml de solución contiene: 5 g de inmunoglobulina humana
    normal" (and likewise for 100, 200 and 400 mL). The SmPC's 2.5 g/25 mL
    vial has no US NDC (DailyMed lists four: 44206-436-05, -437-10, -438-20,
    -439-40) and is not listed. Every volume is stated, not derived, and is
    10 mL per gram (a 10 % solution).
    """
    privigen = get_product("privigen")
    got = [(v.grams_g, v.volume_ml, v.volume_stated) for v in privigen.vials]
    assert got == [
        (5.0, 50.0, True),
        (10.0, 100.0, True),
        (20.0, 200.0, True),
        (40.0, 400.0, True),
    ]
    assert 2.5 not in [v.grams_g for v in privigen.vials]
    cited = {s.strip() for s in str(privigen.presentation_source).split(";")}
    assert any("Privigen EU summary of product characteristics" in s for s in cited)


@pytest.mark.parametrize(
    ("dose", "dispensed", "vials"),
    [
        # 184 g (1 g/kg x 2 days x 92 kg): next multiple of 5 g is 185 g
        # = 4 x 40 + 20 + 5; with the 40 g vial alone it was 200 g (+8.7 %).
        ("184 g", 185.0, "4 × 40 g + 1 × 20 g + 1 × 5 g"),
        # 56.91 g: next multiple of 5 g is 60 g = 40 + 20.
        ("56.91 g", 60.0, "1 × 40 g + 1 × 20 g"),
        # exactly 5 g: the smallest vial, nothing added.
        ("5 g", 5.0, "1 × 5 g"),
        # 5.01 g: just above the smallest vial, 10 g (one 10 g vial).
        ("5.01 g", 10.0, "1 × 10 g"),
    ],
)
def test_privigen_rounds_to_5_g(dose: str, dispensed: float, vials: str) -> None:
    """With 5, 10, 20 and 40 g vials, never-below reaches the next 5 g."""
    got = select_vials(dose, get_product("privigen"), rounding=NeverBelow())
    assert got.dispensed_g == dispensed
    assert vials in got.reason


def test_privigen_label_course_no_longer_changes_the_dose() -> None:
    """The Privigen preset for a 92 kg woman: 184 g → 185 g, no rounding finding.

    1 g/kg on day 1 and day 2 x 92 kg = 184 g a course; never-below makes
    185 g (+1 g, +0.54 %, under the 10 % of ROUNDING_CHANGES_DOSE), split
    95 g and 90 g (whole 5 g units, the extra unit to day 1). With the 40 g
    vial alone the course was 200 g (+8.70 %) in 120 g and 80 g.
    """
    privigen = get_product("privigen")
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
    plan = plan_course(
        patient,
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
        privigen,
        start=dt.date(2026, 1, 5),
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            privigen, "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
    )
    assert [i.dispensed_g for i in plan.infusions] == [95.0, 90.0]
    report = assess(patient, plan, indication="cidp")
    assert not report.with_code(FindingCode.ROUNDING_CHANGES_DOSE)


# --------------------------------------------------------------------------
# SC products: labelled ages

#: (product, indication, age_from in years or None, age group or None).
SC_AGES = (
    # Hizentra (DailyMed, updated April 20, 2023): "Primary immunodeficiency
    # (PI) in adults and pediatric patients 2 years of age and older."
    ("hizentra", "pi", 2.0, None),
    # Hizentra: "Maintenance therapy in adults with chronic inflammatory
    # demyelinating polyneuropathy (CIDP)."
    ("hizentra", "cidp", None, AgeGroup.ADULTS),
    # hyqvia.com: "It is used to treat patients 2 years of age and older with
    # primary immunodeficiency (PI) diseases."
    ("hyqvia", "pi", 2.0, None),
    # hyqvia.com: "... to treat chronic inflammatory demyelinating
    # polyneuropathy (CIDP) in adults."
    ("hyqvia", "cidp", None, AgeGroup.ADULTS),
    # Cuvitru PI: "replacement therapy for primary humoral immunodeficiency
    # (PI) in adult and pediatric patients two years of age and older"
    ("cuvitru", "pi", 2.0, None),
    # Xembify PI: "treatment of primary humoral immunodeficiency (PI) in
    # patients 2 years of age and older"
    ("xembify", "pi", 2.0, None),
)


@pytest.mark.parametrize(("key", "indication", "age_from", "group"), SC_AGES)
def test_sc_labelled_ages(
    key: str, indication: str, age_from: float | None, group: AgeGroup | None
) -> None:
    """Each SC product's indications carry the label's ages, and no IV ramp."""
    product = get_product(key)
    assert Route.IV not in product.routes
    ind = product.indications[indication]
    got_from = None if ind.age_from is None else ind.age_from.m_as("year")
    assert (got_from, ind.age_below, ind.age_group) == (age_from, None, group)
    assert ind.ramp is None


def test_sc_indications_are_all_listed() -> None:
    """The four SC-only products have exactly the indications of their labels."""
    got = {
        key: sorted(get_product(key).indications)
        for key in ("hizentra", "hyqvia", "cuvitru", "xembify")
    }
    assert got == {
        "hizentra": ["cidp", "pi"],
        "hyqvia": ["cidp", "pi"],
        "cuvitru": ["pi"],
        "xembify": ["pi"],
    }


def _child(age: str) -> Patient:
    return Patient(sex="female", age=age, height="86 cm", weight="12 kg")


@pytest.mark.parametrize("key", ["hizentra", "hyqvia", "cuvitru", "xembify"])
def test_sc_pi_below_two_years_is_outside_the_label(key: str) -> None:
    """PI "2 years of age and older": 1.9 years warns; 2 years is quiet."""
    report = assess(
        _child("1.9 year"), make_plan(product=key, weight_kg=12.0), indication="pi"
    )
    (f,) = fired(report, AGE)
    assert "below 2 years" in f.message
    assert get_product(key).name in f.message
    at_two = assess(
        _child("2 year"), make_plan(product=key, weight_kg=12.0), indication="pi"
    )
    assert not fired(at_two, AGE)


@pytest.mark.parametrize("key", ["hizentra", "hyqvia"])
def test_sc_cidp_is_for_adults(key: str) -> None:
    """CIDP "in adults": 17 years warns (adult from 18, local policy); 18 is quiet."""
    teen = Patient(sex="male", age="17 year", height="175 cm", weight="60 kg")
    report = assess(teen, make_plan(product=key, weight_kg=60.0), indication="cidp")
    (f,) = fired(report, AGE)
    assert "not an adult" in f.message
    adult = Patient(sex="male", age="18 year", height="175 cm", weight="60 kg")
    ok = assess(adult, make_plan(product=key, weight_kg=60.0), indication="cidp")
    assert not fired(ok, AGE)


@pytest.mark.parametrize("key", ["hizentra", "hyqvia", "cuvitru", "xembify"])
def test_sc_only_products_still_refuse_an_iv_indication(key: str) -> None:
    """An SC-only product's indications are its ages, not IV rates: IV is refused.

    The refusal names the product and says to plan it with plan_scig, as it
    did before the products had indications.
    """
    product = get_product(key)
    with pytest.raises(InputError, match=r"plan it with plan_scig") as info:
        product.indication("pi")
    assert info.value.field == "product"
    with pytest.raises(InputError, match=r"plan it with plan_scig"):
        rate_schedule(product, "pi", increment="1 mg/kg/min", interval="30 min")


def test_iv_products_still_find_their_indications() -> None:
    """Gamunex-C (IV and SC) keeps its labelled IV indication lookups."""
    assert get_product("gamunex-c").indication("PI").key == "pi"
    with pytest.raises(InputError, match="not a labelled indication"):
        get_product("gamunex-c").indication("dermatomyositis")


# --------------------------------------------------------------------------
# Cuvitru total rate


def test_cuvitru_total_rate_is_240_ml_h() -> None:
    """Cuvitru: 240 mL/h over all sites, on every SC row.

    "For patients utilizing 4 infusion sites, the maximum infusion rate for
    all sites combined is 240 mL/h." 4 sites x 60 mL/h/site (the
    later-infusion rate) is the same 240 mL/h, so the limits agree.
    """
    rows = get_product("cuvitru").sc_limits
    assert len(rows) == 3
    assert [r.total_rate.m_as("mL/h") for r in rows if r.total_rate] == [240.0] * 3
    later = next(r for r in rows if r.applies_to == "later infusions")
    assert later.max_sites is not None
    assert later.rate_per_site is not None
    assert later.max_sites * later.rate_per_site.m_as("mL/h") == 240.0


# --------------------------------------------------------------------------
# Hizentra CIDP: studied maintenance duration

HIZENTRA_CIDP_WORDS = (
    "Maintenance therapy in CIDP has been systematically studied for 6 months "
    "and for a further 12 months in a follow-up study. Continued maintenance "
    "beyond these periods should be individualized based on patient response "
    "and need for continued therapy."
)


def test_hizentra_cidp_duration_is_the_labels_two_periods() -> None:
    """The Limitation of Use, word for word; 6 + 12 = 18 months ("these periods")."""
    duration = get_product("hizentra").maintenance_duration("cidp")
    assert duration is not None
    assert duration.months == 6 + 12
    assert duration.words == HIZENTRA_CIDP_WORDS
    assert get_product("hizentra").maintenance_duration("pi") is None
    assert get_product("hyqvia").maintenance_duration("cidp") is None  # not found


def _hizentra_cidp(cycles: int) -> tuple[Finding, ...]:
    patient = Patient(sex="male", age="60 year", height="180 cm", weight="80 kg")
    regimen = get_scig_preset("hizentra-cidp-0.2").choose(
        maintenance_days=1, cycles=cycles
    )
    limits = ScLimits.from_product(
        "hizentra",
        situation="CIDP, later infusions",
        max_sites=4,
        parameter_source="local protocol",
    )
    sc = plan_scig_regimen(
        patient,
        regimen,
        "hizentra",
        last_ivig=dt.date(2026, 1, 5),
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
        indication="cidp",
    )
    assert sc.plan.safety is not None
    return sc.plan.safety.with_code(FindingCode.MAINTENANCE_BEYOND_LABEL_DURATION)


def test_hizentra_cidp_beyond_18_months_warns() -> None:
    """Weekly from 2026-01-12: 18 months later is 2027-07-12 (day 546, week 78).

    79 weekly courses end on 2027-07-12 itself: not later, quiet. 80 courses:
    course 80 starts 2027-07-19, after the studied period: one warning that
    quotes the label and lists that course.
    """
    assert _hizentra_cidp(79) == ()
    (f,) = _hizentra_cidp(80)
    assert f.assessed
    assert "after 2027-07-12 (course 80 (2027-07-19))" in f.message
    assert HIZENTRA_CIDP_WORDS in f.message
