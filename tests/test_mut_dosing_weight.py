"""Dosing-weight policies at, just below and just above each rule's threshold.

The policies' wording decides ``>`` or ``≥``: US order set and UK form "> 20 %
over IBW" / "BMI > 30" (adjusted above, actual at the threshold); Ontario "BMI
> 30", "height ≥ 152.4 cm and weight > 50 kg (male) or 45.5 kg (female)";
BloodSTAR 2026 "age < 18 years", "height < 152 cm" (actual weight). IBW values
are Devine, worked by hand: 152.4 cm (60 in) → 50 kg male, 45.5 kg female.
"""

from __future__ import annotations

import importlib
from typing import Any

import attrs
import pytest

from ivig_core import Patient
from ivig_core.dosing_weight import (
    BUILTIN_POLICIES,
    AdjustedWeight,
    BloodStar2026,
    DosingWeight,
    IdealWeight,
    OntarioRule,
    UkRequestForm,
    Us120PercentIbw,
    WeightBasis,
    dosing_weight,
    get_policy,
    policy_settings,
)
from mutation_helpers import refused


A, ADJ, IDEAL, P = (
    WeightBasis.ACTUAL,
    WeightBasis.ADJUSTED,
    WeightBasis.IDEAL,
    WeightBasis.PRE_PREGNANCY,
)


def person(
    weight: float,
    height: float = 152.4,
    sex: str = "male",
    age: float = 40.0,
    **extra: object,
) -> Patient:
    """A patient from plain numbers (kg, cm, years)."""
    return Patient(
        sex=sex,
        age=f"{age} year",
        height=f"{height} cm",
        weight=f"{weight} kg",
        **extra,  # pregnancy fields, as tests need
    )


def got(result: DosingWeight) -> tuple[float, WeightBasis, str]:
    """The weight (to 1e-9 kg), basis and reason."""
    return round(result.weight_kg, 9), result.basis, result.reason


def test_us_120_percent_at_and_above() -> None:
    """IBW 50 kg: 60 kg is exactly 120 % (actual); 60.1 kg is above (AdjBW).

    AdjBW = 50 + 0.4 × 10.1 = 54.04 kg.
    """
    policy = Us120PercentIbw()
    assert got(policy.dosing_weight(person(60.0))) == (
        60.0,
        A,
        "actual 120% of IBW ≤ 120%: actual body weight",
    )
    assert got(policy.dosing_weight(person(60.1))) == (
        54.04,
        ADJ,
        (
            "actual 120% of IBW > 120%: adjusted body weight (IBW 50.0 kg + 0.4 × "
            "(60.1 − 50.0) kg)"
        ),
    )


def test_us_120_percent_female_line() -> None:
    """Female IBW 45.5 kg: 54.6 kg is 120 % (actual); 55 kg: 45.5 + 0.4 × 9.5."""
    policy = Us120PercentIbw()
    assert got(policy.dosing_weight(person(54.6, sex="female")))[:2] == (54.6, A)
    assert got(policy.dosing_weight(person(55.0, sex="female")))[:2] == (49.3, ADJ)


def test_adjusted_weight_or_actual_when_lower() -> None:
    """Adjusted: 50 + 0.4 × (70 − 50) = 58 kg; at 45 kg actual (45 < 48)."""
    policy = AdjustedWeight()
    assert got(policy.dosing_weight(person(70.0))) == (
        58.0,
        ADJ,
        "adjusted policy: adjusted body weight (IBW 50.0 kg + 0.4 × (70.0 − 50.0) kg)",
    )
    assert got(policy.dosing_weight(person(45.0))) == (
        45.0,
        A,
        "adjusted policy, but actual 45.0 kg < adjusted 48.0 kg: actual body weight",
    )
    # equal: actual 50 = IBW = AdjBW, the adjusted weight is used
    assert got(policy.dosing_weight(person(50.0)))[:2] == (50.0, ADJ)
    # a site factor of 0.25: 50 + 0.25 × 20 = 55 kg
    assert got(AdjustedWeight(factor=0.25).dosing_weight(person(70.0)))[0] == 55.0


def test_ideal_weight_and_actual_if_lower() -> None:
    """IBW 50 kg; 49 kg is lower (actual under ideal-or-actual); 50 kg is not."""
    assert got(IdealWeight().dosing_weight(person(49.0))) == (
        50.0,
        IDEAL,
        "ideal body weight (devine) by policy",
    )
    lower = IdealWeight(actual_if_lower=True)
    assert lower.name == "ideal-or-actual"
    assert IdealWeight().name == "ideal"
    assert got(lower.dosing_weight(person(49.0))) == (
        49.0,
        A,
        "actual 49.0 kg < IBW 50.0 kg: actual body weight",
    )
    assert got(lower.dosing_weight(person(50.0)))[:2] == (50.0, IDEAL)


def test_uk_form_paediatric_and_short() -> None:
    """Under 18 years, or under 132 cm: actual weight, whatever the BMI."""
    form = UkRequestForm()
    assert got(form.dosing_weight(person(90.0, age=17.9))) == (
        90.0,
        A,
        "age 17.9 < 18 years (paediatric): actual body weight",
    )
    assert got(form.dosing_weight(person(60.0, height=131.9))) == (
        60.0,
        A,
        "height 131.9 cm < 132 cm: actual body weight",
    )


def test_uk_form_age_18_is_adult() -> None:
    """At 18 the adult rule applies: 90 kg at 152.4 cm is BMI 38.8."""
    result = UkRequestForm().dosing_weight(person(90.0, age=18.0))
    assert result.basis is ADJ
    assert result.weight_kg == pytest.approx(66.0)  # 50 + 0.4 × 40
    assert result.reason.startswith("BMI 38.8 > 30: ")


def test_uk_form_132_cm_adult_refused_by_default() -> None:
    """132 cm is not short by the form, but below 60 in Devine is refused."""
    with pytest.raises(
        ValueError,
        match=(
            r"^height: 132 cm is below 60 in, where the devine formula is "
            r"not defined; allowed: at least 152\.4 cm \(60 in\) for this "
            r"formula, or choose below_60in='extrapolate' or 'clamp'$"
        ),
    ):
        UkRequestForm().dosing_weight(person(60.0, height=132.0))


def test_uk_form_bmi_and_ibw_triggers() -> None:
    """165 cm woman, IBW 45.5 + 2.3 × 4.961 = 56.91 kg.

    81.6 kg: BMI 29.97 (not > 30) but 143 % of IBW > 120 %; 81.7 kg: BMI 30.01.
    58 kg: BMI 21.3 and 102 % of IBW: actual.
    """
    form = UkRequestForm()
    woman = {"height": 165.0, "sex": "female"}
    assert form.dosing_weight(person(81.6, **woman)).reason.startswith(  # type: ignore[arg-type]
        "actual 143% of IBW > 120%: adjusted body weight"
    )
    assert form.dosing_weight(person(81.7, **woman)).reason.startswith(  # type: ignore[arg-type]
        "BMI 30.0 > 30: adjusted body weight"
    )
    assert got(form.dosing_weight(person(58.0, **woman))) == (  # type: ignore[arg-type]
        58.0,
        A,
        "BMI 21.3 ≤ 30 and actual 102% of IBW ≤ 120%: actual body weight",
    )


def test_uk_form_exactly_120_percent_is_actual() -> None:
    """IBW 50 kg (152.4 cm man): 60 kg is 120 %, BMI 25.8: actual."""
    assert got(UkRequestForm().dosing_weight(person(60.0)))[:2] == (60.0, A)
    assert got(UkRequestForm().dosing_weight(person(60.1)))[:2] == (54.04, ADJ)


def test_ontario_should_use_thresholds() -> None:
    """152.4 cm and > 50 kg (male) / > 45.5 kg (female): AdjBW; at them, actual."""
    rule = OntarioRule()
    assert got(rule.dosing_weight(person(50.0))) == (
        50.0,
        A,
        "Ontario criteria not met: actual body weight",
    )
    assert got(rule.dosing_weight(person(50.1))) == (
        50.04,  # 50 + 0.4 × 0.1
        ADJ,
        (
            "height 152.4 cm ≥ 152.4 cm and weight 50.1 kg > 50 kg: adjusted body "
            "weight (IBW 50.0 kg + 0.4 × (50.1 − 50.0) kg)"
        ),
    )
    assert got(rule.dosing_weight(person(45.5, sex="female")))[:2] == (45.5, A)
    assert got(rule.dosing_weight(person(45.6, sex="female")))[:2] == (45.54, ADJ)
    # just under 152.4 cm the "should" criterion does not apply (BMI 25.9)
    assert got(rule.dosing_weight(person(60.0, height=152.3)))[:2] == (60.0, A)


def test_ontario_bmi_must() -> None:
    """BMI > 30 must use AdjBW: 170 cm man, 87 kg (BMI 30.1), IBW 65.94 kg."""
    result = OntarioRule().dosing_weight(person(87.0, height=170.0))
    assert result.basis is ADJ
    assert result.reason.startswith("BMI 30.1 > 30: adjusted body weight")
    # 50 + 2.3 × (170 / 2.54 − 60) = 65.9370; + 0.4 × (87 − 65.9370) = 74.3622
    assert result.weight_kg == pytest.approx(74.36220472, abs=1e-6)


def test_ontario_pregnancy_uses_pre_pregnancy_weight() -> None:
    """Pregnant, 80 kg now, 60 kg before: Ontario doses on 60 kg."""
    rule = OntarioRule()
    result = rule.dosing_weight(
        person(80.0, sex="female", pregnant=True, pre_pregnancy_weight="45 kg")
    )
    assert got(result) == (
        45.0,
        P,
        "Ontario criteria not met (pre-pregnancy weight): actual body weight",
    )
    result = rule.dosing_weight(
        person(80.0, sex="female", pregnant=True, pre_pregnancy_weight="60 kg")
    )
    assert got(result) == (
        51.3,  # 45.5 + 0.4 × 14.5
        ADJ,
        (
            "height 152.4 cm ≥ 152.4 cm and weight 60.0 kg > 45.5 kg (pre-pregnancy "
            "weight): adjusted body weight (IBW 45.5 kg + 0.4 × (60.0 − 45.5) kg)"
        ),
    )
    with refused(
        "patient.pre_pregnancy_weight",
        None,
        "a pre-pregnancy weight: the Ontario rule doses on it in pregnancy",
        "the patient is pregnant and no pre-pregnancy weight was given",
    ):
        rule.dosing_weight(person(80.0, sex="female", pregnant=True))


def test_ontario_pregnancy_below_adjusted_keeps_pre_pregnancy_basis() -> None:
    """A pre-pregnancy weight below its AdjBW: that weight, basis pre-pregnancy."""
    # 170 cm woman: IBW 45.5 + 2.3 × 6.929 = 61.437; BMI > 30 needs > 86.7 kg;
    # not reachable below AdjBW, so use the "should" rule at 46 kg: AdjBW
    # 45.5 + 0.4 × 0.5 = 45.7 < 46: adjusted 45.7 kg.
    result = OntarioRule().dosing_weight(
        person(70.0, sex="female", pregnant=True, pre_pregnancy_weight="46 kg")
    )
    assert got(result)[:2] == (45.7, ADJ)


def test_bloodstar_2026_exclusions() -> None:
    """Under 18 years, under 152 cm, pregnant: actual weight."""
    rule = BloodStar2026()
    assert got(rule.dosing_weight(person(90.0, age=17.9))) == (
        90.0,
        A,
        "age 17.9 < 18 years: actual body weight",
    )
    assert got(rule.dosing_weight(person(90.0, height=151.9))) == (
        90.0,
        A,
        "height 151.9 cm < 152 cm: actual body weight",
    )
    assert got(rule.dosing_weight(person(90.0, pregnant=True, sex="female"))) == (
        90.0,
        A,
        "pregnant: actual body weight",
    )


def test_bloodstar_2026_at_the_thresholds() -> None:
    """18 years and 152 cm are in: Devine extrapolated to 152 cm.

    152 cm = 59.8425 in: 50 − 2.3 × 0.15748 = 49.63780 kg; 90 kg:
    49.63780 + 0.4 × 40.36220 = 65.78268 kg.
    """
    result = BloodStar2026().dosing_weight(
        person(90.0, height=152.0, age=18.0, pregnant=False)
    )
    assert result.basis is ADJ
    assert result.weight_kg == pytest.approx(65.78267717, abs=1e-6)
    assert result.reason.startswith("BloodSTAR default: adjusted body weight")
    unknown = BloodStar2026().dosing_weight(person(90.0, height=152.0, age=18.0))
    assert unknown.reason.startswith(
        "BloodSTAR default (pregnancy not recorded: taken as not pregnant): "
    )


def test_policy_settings_lists_changed_fields_only() -> None:
    """Defaults: empty; a changed factor and height show in their units."""
    assert policy_settings(UkRequestForm()) == ""
    assert policy_settings(AdjustedWeight(factor=0.3)) == "factor=0.3"
    assert (
        policy_settings(UkRequestForm(short_stature_below="152 cm", factor=0.5))
        == "factor=0.5, short_stature_below=152 cm"
    )
    assert policy_settings(object()) == ""
    assert dosing_weight(person(70.0), AdjustedWeight(factor=0.3)).settings == (
        "factor=0.3"
    )


def test_get_policy_names() -> None:
    """Names are case-insensitive; an unknown name lists close matches."""
    assert get_policy("  Ontario ").name == "ontario"
    allowed = (
        "one of ['actual', 'ideal', 'ideal-or-actual', 'adjusted', "
        "'us-120-percent-ibw', 'uk-request-form', 'ontario', 'bloodstar-2026']"
    )
    with refused(
        "policy",
        "adjustd",
        allowed,
        "no built-in policy 'adjustd'; did you mean adjusted?",
    ):
        get_policy("adjustd")
    with refused("policy", "zzz", allowed, "no built-in policy 'zzz'"):
        get_policy("zzz")
    with refused("policy", 3, allowed):
        get_policy(3)  # type: ignore[arg-type]


def test_dosing_weight_refuses_bad_arguments() -> None:
    """Not a Patient, not a policy, a policy returning something else."""
    with refused("patient", "p", "a Patient"):
        dosing_weight("p", "actual")  # type: ignore[arg-type]
    with refused("policy", 3, "a DosingWeightPolicy or the name of a built-in policy"):
        dosing_weight(person(70.0), 3)  # type: ignore[arg-type]

    class Broken:
        name = "broken"
        source = "test"

        def dosing_weight(self, _patient: Patient) -> object:
            return 70.0

    broken = Broken()
    with refused(
        "policy",
        broken,
        "a policy whose dosing_weight() returns a DosingWeight",
        "Broken.dosing_weight returned 70.0",
    ):
        dosing_weight(person(70.0), broken)  # type: ignore[arg-type]


def test_bmi_exactly_30_is_not_above_30() -> None:
    """200 cm, 120 kg: BMI 120 / 2² = 30.0 exactly, not "> 30".

    Ontario then applies its "should" rule, the UK form its 120 % rule (IBW
    50 + 2.3 × 18.74 = 93.10 kg; 120 kg is 129 %).
    """
    tall = person(120.0, height=200.0)
    assert (
        OntarioRule()
        .dosing_weight(tall)
        .reason.startswith("height 200.0 cm ≥ 152.4 cm and weight 120.0 kg > 50 kg: ")
    )
    assert (
        UkRequestForm()
        .dosing_weight(tall)
        .reason.startswith("actual 129% of IBW > 120%: ")
    )


def test_ontario_pregnancy_actual_below_adjusted() -> None:
    """170 cm woman, 50 kg before pregnancy: IBW 61.44 kg, AdjBW 56.86 kg > 50.

    The pre-pregnancy weight is used, and the basis says so.
    """
    result = OntarioRule().dosing_weight(
        person(
            70.0,
            height=170.0,
            sex="female",
            pregnant=True,
            pre_pregnancy_weight="50 kg",
        )
    )
    assert got(result) == (
        50.0,
        P,
        (
            "height 170.0 cm ≥ 152.4 cm and weight 50.0 kg > 45.5 kg (pre-pregnancy "
            "weight), but actual 50.0 kg < adjusted 56.9 kg: actual body weight"
        ),
    )


def test_policies_pass_their_formula_options_to_ibw() -> None:
    """below_60in and the clinPK age reach the IBW of every policy.

    150 cm man clamped to 60 in: 50 kg. clinPK, boy of 10 at 177.8 cm: 39 +
    2.27 × 10 = 61.7 kg.
    """
    short = person(70.0, height=150.0)
    assert IdealWeight(below_60in="clamp").dosing_weight(short).weight_kg == 50.0
    assert AdjustedWeight(below_60in="clamp").dosing_weight(short).weight_kg == (
        pytest.approx(58.0)  # 50 + 0.4 × 20
    )
    assert Us120PercentIbw(below_60in="clamp").dosing_weight(short).basis is ADJ
    boy = person(80.0, height=177.8, age=10.0)
    assert IdealWeight(formula="clinpk").dosing_weight(boy).weight_kg == (
        pytest.approx(61.7)
    )


def test_actual_weight_policy_reason() -> None:
    """The actual-weight policy says it is the policy's choice."""
    assert got(dosing_weight(person(70.0), "actual")) == (
        70.0,
        A,
        "actual body weight by policy",
    )


def test_policy_settings_shows_each_kind_of_value() -> None:
    """Enums by value, strings and booleans as they are; name and source never."""
    assert policy_settings(IdealWeight(formula="robinson")) == "formula=robinson"
    assert policy_settings(IdealWeight(below_60in="clamp")) == "below_60in=clamp"
    assert policy_settings(IdealWeight(actual_if_lower=True)) == (
        "actual_if_lower=True"
    )
    assert policy_settings(BloodStar2026(min_height_cm=150.0)) == ("min_height_cm=150")
    assert policy_settings(AdjustedWeight(name="site", source="local")) == ""


def test_dosing_weight_record_refusals() -> None:
    """A DosingWeight needs a weight in (0, 650] kg, a basis and texts."""
    fields: dict[str, object] = {
        "weight": "70 kg",
        "basis": WeightBasis.ACTUAL,
        "policy": "p",
        "reason": "r",
        "source": "s",
    }
    assert DosingWeight(**{**fields, "weight": "650 kg"}).weight_kg == 650.0  # type: ignore[arg-type]
    for bad in ("0 kg", "650.5 kg"):
        with pytest.raises(
            ValueError, match=r"^weight: .*; allowed: \(0, 650\] kg$"
        ) as caught:
            DosingWeight(**{**fields, "weight": bad})  # type: ignore[arg-type]
        assert "(0, 650] kg" in str(caught.value)
    with refused(
        "basis",
        "actual",
        "a WeightBasis: ['actual', 'ideal', 'adjusted', 'pre_pregnancy']",
    ):
        DosingWeight(**{**fields, "basis": "actual"})  # type: ignore[arg-type]
    for name in ("policy", "reason", "source"):
        for bad_text in (" ", 3):
            with refused(name, bad_text, "a non-empty string"):
                DosingWeight(**{**fields, name: bad_text})  # type: ignore[arg-type]


def test_field_names_of_policy_parameters() -> None:
    """A mass where a height or an age is due names the parameter."""
    with pytest.raises(
        ValueError,
        match=(
            r"^short_stature_below: 132\.0 kg is not a length \(its "
            r"dimension is \[mass\]\); allowed: a length, e\.g\. '165 cm' "
            r"or '5 ft 5 in'$"
        ),
    ):
        UkRequestForm(short_stature_below="132 kg")
    with pytest.raises(
        ValueError,
        match=(
            r"^adult_from_age: 18\.0 kg is not a duration \(its dimension "
            r"is \[mass\]\); allowed: a duration, e\.g\. '54 year'$"
        ),
    ):
        UkRequestForm(adult_from_age="18 kg")
    with pytest.raises(
        ValueError,
        match=(
            r"^weight: 70\.0 m is not a mass \(its dimension is "
            r"\[length\]\); allowed: a mass, e\.g\. '70 kg' or '154 lb'$"
        ),
    ):
        DosingWeight(
            weight="70 m",
            basis=WeightBasis.ACTUAL,
            policy="p",
            reason="r",
            source="s",
        )


def test_several_close_matches_are_listed() -> None:
    """'ideal-or' is close to two policies: both are suggested."""
    with pytest.raises(
        ValueError,
        match=(
            r"^policy: no built-in policy 'ideal-or'; did you mean ideal, "
            r"ideal-or-actual\?; allowed: one of \['actual', 'ideal', "
            r"'ideal-or-actual', 'adjusted', 'us-120-percent-ibw', "
            r"'uk-request-form', 'ontario', 'bloodstar-2026'\]$"
        ),
    ):
        get_policy("ideal-or")


def test_ideal_or_actual_is_built_in() -> None:
    """The built-in 'ideal-or-actual' uses actual weight when lower."""
    assert get_policy("ideal-or-actual").dosing_weight(person(49.0)).weight_kg == 49.0


# --------------------------------------------------------------------------
# Policy settings: each bounded field at, below and above its range


@pytest.mark.parametrize(
    ("policy", "field", "low", "high", "why"),
    [
        (Us120PercentIbw, "threshold", 1.0, 3.0, "a ratio: 1.2 is 120 % of IBW"),
        (UkRequestForm, "over_ibw", 1.0, 3.0, "a ratio: 1.2 is 20 % over IBW"),
        (UkRequestForm, "bmi_threshold", 20.0, 60.0, "kg/m²"),
        (OntarioRule, "bmi_threshold", 20.0, 60.0, "kg/m²"),
        (BloodStar2026, "adult_from_age_years", 12.0, 21.0, "years"),
        (BloodStar2026, "min_height_cm", 100.0, 200.0, "cm"),
    ],
)
def test_policy_setting_ranges(
    policy: type[Any], field: str, low: float, high: float, why: str
) -> None:
    """A setting is accepted at both ends of its range, refused just outside."""
    allowed = f"a number from {low:g} to {high:g} ({why})"
    for at in (low, high):
        assert getattr(policy(**{field: at}), field) == at
    for outside in (low - 0.5, high + 0.5):
        with refused(field, outside, allowed):
            policy(**{field: outside})


def test_the_builtin_table_as_built() -> None:
    """The table's builder gives the eight policies, in the CLI's order.

    ``BUILTIN_POLICIES`` is built once, on first use; the builder is called
    here again so that a change to it is seen.
    """
    # ``ivig_core.dosing_weight`` the attribute is the function; the module:
    module = importlib.import_module("ivig_core.dosing_weight")
    table = module._builtin_policies()
    assert list(table) == [
        "actual",
        "ideal",
        "ideal-or-actual",
        "adjusted",
        "us-120-percent-ibw",
        "uk-request-form",
        "ontario",
        "bloodstar-2026",
    ]
    assert table == dict(BUILTIN_POLICIES)
    assert table["ideal-or-actual"] == IdealWeight(actual_if_lower=True)


def test_settings_of_a_policy_class_not_seen_before() -> None:
    """A user's attrs policy: only the fields that differ from its defaults.

    A class with a required field has no default instance: every field but
    name and source is shown.
    """

    @attrs.frozen(kw_only=True)
    class Capped:
        name: str = "capped"
        source: str = "site protocol 4"
        cap_kg: float = 100.0
        floor_kg: float = 40.0

    @attrs.frozen(kw_only=True)
    class Required:
        name: str = "required"
        source: str = "site protocol 4"
        cap_kg: float

    assert policy_settings(Capped()) == ""
    assert policy_settings(Capped(cap_kg=90.0)) == "cap_kg=90"
    assert policy_settings(Required(cap_kg=100.0)) == "cap_kg=100"
