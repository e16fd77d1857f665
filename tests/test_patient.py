"""Patient: canonical storage, immutability, validation without validators."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given

from ivig_core import InputError, Patient, RiskFactor, Sex
from ivig_core.patient import BloodGroup
from ivig_core.testing import patients
from worked import woman


def test_canonical_units() -> None:
    """Every dimensioned field is stored in its canonical unit as a float."""
    p = woman(
        weight="202.8 lb",
        height="5 ft 5 in",
        serum_iga="0.9 g/L",
        serum_creatinine="88.4 umol/L",
    )
    assert str(p.weight.units) == "kilogram"
    assert str(p.height.units) == "centimeter"
    assert str(p.age.units) == "year"
    assert p.serum_iga_mg_dl == pytest.approx(90.0)
    assert p.serum_creatinine_mg_dl == pytest.approx(1.0, rel=1e-4)
    assert isinstance(p.weight.magnitude, float)


def test_frozen() -> None:
    """A patient cannot be changed in place."""
    p = woman()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.weight = "80 kg"  # type: ignore[misc, assignment]


def test_keyword_only() -> None:
    """Positional arguments are refused: Patient(70, 170) cannot mean anything."""
    with pytest.raises(TypeError):
        Patient("female", "54 year", "165 cm", "92 kg")  # type: ignore[call-arg]


def test_parses_enums_and_sets() -> None:
    """Strings are accepted for sex, blood group and risk factors."""
    p = woman(
        sex="FEMALE", abo_group="ab", risk_factors=["diabetes", RiskFactor.SEPSIS]
    )
    assert p.sex is Sex.FEMALE
    assert p.abo_group is BloodGroup.AB
    assert p.risk_factors == {RiskFactor.DIABETES, RiskFactor.SEPSIS}
    assert p.has(RiskFactor.DIABETES)


def test_checks_hold_with_validators_disabled() -> None:
    """Range checks live in converters, so disabling validators changes nothing."""
    with (
        attrs.validators.disabled(),
        pytest.raises(InputError, match=r"^weight: .*; allowed: \[0\.2, 650\] kg"),
    ):
        woman(weight="-5 kg")


def test_equal_inputs_equal_patients() -> None:
    """The same person in kg/cm and in lb/in compares close, field by field."""
    a = woman(weight="92 kg", height="165 cm")
    b = woman(weight=f"{92 / 0.45359237} lb", height=f"{165 / 2.54} inch")
    assert a.weight_kg == pytest.approx(b.weight_kg, rel=1e-12)
    assert a.height_cm == pytest.approx(b.height_cm, rel=1e-12)


@given(patients())
def test_generated_patients_are_valid(p: Patient) -> None:
    """Every generated patient lies inside the documented ranges."""
    assert 0.2 <= p.weight_kg <= 650
    assert 20 <= p.height_cm <= 275
    assert 0 <= p.age_years <= 125


def test_replace_checks_like_a_new_patient() -> None:
    """replace() returns a checked copy and leaves the original unchanged."""
    p = woman()
    q = p.replace(serum_iga="0.9 g/L", weight="200 lb")
    assert q.serum_iga_mg_dl == pytest.approx(90.0)
    assert q.weight_kg == pytest.approx(200 * 0.45359237)
    assert p.serum_iga is None
    with pytest.raises(
        InputError, match=r"^weight: .*; allowed: a mass as a pint Quantity or"
    ):
        p.replace(weight=92)
