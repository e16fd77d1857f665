"""Dosing-weight policies: each rule's branches, and properties over all."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import (
    Q_,
    DosingWeight,
    DosingWeightPolicy,
    InputError,
    Patient,
    dosing_weight,
    get_policy,
)
from ivig_core.dosing_weight import (
    BUILTIN_POLICIES,
    AdjustedWeight,
    BloodStar2026,
    IdealWeight,
    OntarioRule,
    UkRequestForm,
    Us120PercentIbw,
    WeightBasis,
)
from ivig_core.testing import adult_patients
from worked import woman


IBW_F_165 = 45.5 + 2.3 * (165 / 2.54 - 60)  # Devine, reference §1.1
ADJ_F_165_92 = IBW_F_165 + 0.4 * (92 - IBW_F_165)


@pytest.mark.parametrize(
    ("policy", "kg", "basis"),
    [
        ("actual", 92.0, WeightBasis.ACTUAL),
        ("ideal", IBW_F_165, WeightBasis.IDEAL),
        ("ideal-or-actual", IBW_F_165, WeightBasis.IDEAL),
        ("adjusted", ADJ_F_165_92, WeightBasis.ADJUSTED),
        ("us-120-percent-ibw", ADJ_F_165_92, WeightBasis.ADJUSTED),
        ("uk-request-form", ADJ_F_165_92, WeightBasis.ADJUSTED),
        ("ontario", ADJ_F_165_92, WeightBasis.ADJUSTED),
        ("bloodstar-2026", ADJ_F_165_92, WeightBasis.ADJUSTED),
    ],
)
def test_reference_woman_under_each_policy(
    policy: str, kg: float, basis: WeightBasis
) -> None:
    """The reference woman's dosing weight under every built-in policy."""
    result = dosing_weight(woman(), policy)
    assert result.weight_kg == pytest.approx(kg, rel=1e-12)
    assert result.basis is basis
    assert result.policy == policy
    assert result.source


def test_reason_names_the_trigger() -> None:
    """The reason says which rule fired with the numbers."""
    result = dosing_weight(woman(), "uk-request-form")
    assert result.reason.startswith("BMI 33.8 > 30: adjusted body weight")


class TestUsOrderSet:
    """Actual up to 120 % of IBW, AdjBW above (studyres 6558262)."""

    def test_below_threshold_is_actual(self) -> None:
        """At 110 % of IBW the actual weight is used."""
        p = woman(weight=Q_(1.1 * IBW_F_165, "kg"))
        result = dosing_weight(p, Us120PercentIbw())
        assert result.basis is WeightBasis.ACTUAL

    def test_above_threshold_is_adjusted(self) -> None:
        """At 130 % of IBW the adjusted weight is used."""
        p = woman(weight=Q_(1.3 * IBW_F_165, "kg"))
        assert dosing_weight(p, Us120PercentIbw()).basis is WeightBasis.ADJUSTED


class TestUkForm:
    """UK request form (reference §1.5)."""

    def test_child_uses_actual(self) -> None:
        """Paediatric patients are dosed on actual weight."""
        result = dosing_weight(woman(age="12 year"), UkRequestForm())
        assert (result.basis, result.weight_kg) == (WeightBasis.ACTUAL, 92.0)

    def test_short_stature_uses_actual(self) -> None:
        """Under the short-stature height, actual weight (as printed: 132 cm)."""
        result = dosing_weight(woman(height="130 cm"), UkRequestForm())
        assert result.basis is WeightBasis.ACTUAL

    def test_short_stature_is_configurable(self) -> None:
        """A local 152 cm cut-off can be set."""
        policy = UkRequestForm(short_stature_below="152 cm")
        assert dosing_weight(woman(height="150 cm"), policy).basis is WeightBasis.ACTUAL

    def test_between_short_stature_and_60_inches(self) -> None:
        """Between 132 cm and 60 in Devine is undefined: refuse unless chosen."""
        p = woman(height="145 cm", weight="80 kg")
        with pytest.raises(
            InputError,
            match=r"^height: 1[45][05] cm is below 60 in, where the devine formula is "
            r"not defined; allowed: at least 152\.4 cm \(60 in\)",
        ):
            dosing_weight(p, UkRequestForm())
        chosen = dosing_weight(p, UkRequestForm(below_60in="extrapolate"))
        assert chosen.basis is WeightBasis.ADJUSTED

    def test_over_120_percent_without_obesity(self) -> None:
        """A BMI under 30 but > 20 % over IBW still uses DDW."""
        p = woman(height="160 cm", weight="70 kg")  # BMI 27.3, 134 % of IBW
        result = dosing_weight(p, UkRequestForm())
        assert result.basis is WeightBasis.ADJUSTED
        assert "of IBW > 120%" in result.reason

    def test_normal_weight_is_actual(self) -> None:
        """Neither trigger: actual weight."""
        p = woman(weight="60 kg")
        assert dosing_weight(p, UkRequestForm()).basis is WeightBasis.ACTUAL


class TestOntario:
    """Ontario IG dose calculator (reference §1.4)."""

    def test_light_patient_actual(self) -> None:
        """At or under 45.5 kg (female) the criteria are not met: actual."""
        p = woman(weight="45 kg", height="160 cm")
        assert dosing_weight(p, OntarioRule()).basis is WeightBasis.ACTUAL

    def test_pregnancy_uses_pre_pregnancy_weight(self) -> None:
        """In pregnancy the rule doses on the pre-pregnancy weight."""
        p = woman(pregnant=True, pre_pregnancy_weight="80 kg")
        result = dosing_weight(p, OntarioRule())
        expected = IBW_F_165 + 0.4 * (80 - IBW_F_165)
        assert result.weight_kg == pytest.approx(expected)
        assert "pre-pregnancy" in result.reason

    def test_pregnancy_without_pre_pregnancy_weight_is_refused(self) -> None:
        """Pregnant with no pre-pregnancy weight: refused, not guessed."""
        with pytest.raises(
            InputError,
            match=r"^patient\.pre_pregnancy_weight: .*; allowed: a pre-pregnancy"
            r" weight",
        ):
            dosing_weight(woman(pregnant=True), OntarioRule())

    def test_short_obese_patient_is_refused_by_default(self) -> None:
        """BMI > 30 under 60 in: Devine is undefined, so refuse unless chosen."""
        p = woman(height="150 cm", weight="80 kg")
        with pytest.raises(
            InputError,
            match=r"^height: 1[45][05] cm is below 60 in, where the devine formula is "
            r"not defined; allowed: at least 152\.4 cm \(60 in\)",
        ):
            dosing_weight(p, OntarioRule())
        chosen = dosing_weight(p, OntarioRule(below_60in="extrapolate"))
        assert chosen.basis is WeightBasis.ADJUSTED


class TestBloodStar:
    """BloodSTAR from 1 July 2026 (reference §1.3)."""

    @pytest.mark.parametrize(
        "changes",
        [
            {"age": "17 year"},
            {"height": "151 cm"},
            {"pregnant": True},
            {"weight": "50 kg"},  # actual below adjusted
        ],
    )
    def test_exclusions_use_actual(self, changes: dict[str, object]) -> None:
        """Each exclusion gives actual weight."""
        result = dosing_weight(woman(**changes), BloodStar2026())
        assert result.basis is WeightBasis.ACTUAL

    def test_unrecorded_pregnancy_is_said(self) -> None:
        """An unrecorded pregnancy is stated in the reason, not hidden."""
        assert "not recorded" in dosing_weight(woman(), BloodStar2026()).reason

    def test_recorded_not_pregnant_is_silent(self) -> None:
        """Recorded as not pregnant: no note."""
        assert (
            "not recorded"
            not in dosing_weight(woman(pregnant=False), BloodStar2026()).reason
        )


def test_ideal_or_actual_takes_lower() -> None:
    """ideal-or-actual uses actual weight when it is below IBW."""
    result = dosing_weight(woman(weight="50 kg"), IdealWeight(actual_if_lower=True))
    assert (result.basis, result.weight_kg) == (WeightBasis.ACTUAL, 50.0)


def test_adjusted_uses_actual_below_ibw() -> None:
    """Below IBW the adjusted policy uses actual weight and says why."""
    result = dosing_weight(woman(weight="50 kg"), AdjustedWeight())
    assert result.basis is WeightBasis.ACTUAL
    assert "actual 50.0 kg < adjusted" in result.reason


def test_custom_policy() -> None:
    """A user-written policy satisfies the protocol and is used."""

    @attrs.frozen
    class Fixed:
        name: str = "fixed-60"
        source: str = "test"

        def dosing_weight(self, patient: Patient) -> DosingWeight:
            del patient
            return DosingWeight(
                weight="60 kg",
                basis=WeightBasis.ACTUAL,
                policy=self.name,
                reason="fixed",
                source=self.source,
            )

    assert isinstance(Fixed(), DosingWeightPolicy)
    assert dosing_weight(woman(), Fixed()).weight_kg == 60.0


def test_get_policy_suggests() -> None:
    """An unknown policy name lists close matches."""
    with pytest.raises(
        InputError,
        match=r"^policy: no built-in policy 'ontaro'; did you mean ontario\?; "
        r"allowed: one of \['actual', ",
    ):
        get_policy("ontaro")


# --------------------------------------------------------------------------
# Properties

NOT_ABOVE_ACTUAL = [name for name in BUILTIN_POLICIES if name != "ideal"]


@given(p=adult_patients(), name=st.sampled_from(NOT_ABOVE_ACTUAL))
def test_never_above_actual(p: Patient, name: str) -> None:
    """Every built-in policy but plain 'ideal' stays at or below actual weight."""
    result = dosing_weight(p, name)
    assert result.weight_kg <= p.weight_kg * (1 + 1e-12)


@given(p=adult_patients(), name=st.sampled_from(list(BUILTIN_POLICIES)))
def test_imperial_gives_same_weight(p: Patient, name: str) -> None:
    """The same person in lb/in and in kg/cm gets the same dosing weight."""
    imperial = attrs.evolve(p, weight=p.weight.to("lb"), height=p.height.to("inch"))
    a = dosing_weight(p, name)
    b = dosing_weight(imperial, name)
    assert a.basis is b.basis
    assert math.isclose(a.weight_kg, b.weight_kg, rel_tol=1e-9)


@given(p=adult_patients(), order=st.permutations(list(BUILTIN_POLICIES)))
def test_order_of_calls_does_not_matter(p: Patient, order: list[str]) -> None:
    """Results do not depend on which policies ran before."""
    first = {name: dosing_weight(p, name) for name in BUILTIN_POLICIES}
    again = {name: dosing_weight(p, name) for name in order}
    assert first == again


@given(p=adult_patients())
def test_adjusted_between_ideal_and_actual(p: Patient) -> None:
    """The adjusted policy lies between IBW and actual weight."""
    ideal = dosing_weight(p, "ideal").weight_kg
    adjusted = dosing_weight(p, "adjusted").weight_kg
    assert min(ideal, p.weight_kg) - 1e-9 <= adjusted <= max(ideal, p.weight_kg) + 1e-9


def test_settings_record_the_variant() -> None:
    """A configured policy's parameters are recorded on the dosing weight."""
    configured = dosing_weight(woman(), UkRequestForm(short_stature_below="152 cm"))
    assert configured.settings == "short_stature_below=152 cm"
    assert dosing_weight(woman(), "uk-request-form").settings == ""
    tuned = dosing_weight(woman(), OntarioRule(factor=0.3))
    assert tuned.settings == "factor=0.3"
