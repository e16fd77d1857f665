"""Safety with validators off: every safety-relevant refusal still holds.

Any code in the process can call ``attrs.validators.set_disabled(True)``.
The library's checks live in converters and ``__attrs_post_init__``, which
attrs runs regardless, so each refusal below holds with validators off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
import pytest

from ivig_core import InputError, IvigError
from ivig_core.dosing_weight import BloodStar2026, UkRequestForm, Us120PercentIbw
from ivig_core.findings import Concern, Finding, FindingCode, Severity
from ivig_core.rates import RateSchedule, RateStep
from ivig_core.regimen import DayRange, Maintenance
from ivig_core.scig import UserFactor
from ivig_core.scig.sites import ScLimits
from worked import woman


@pytest.fixture(autouse=True)
def validators_off() -> Iterator[None]:
    """Every test here runs with attrs validators disabled."""
    attrs.validators.set_disabled(True)
    try:
        yield
    finally:
        attrs.validators.set_disabled(False)


CASES: list[tuple[str, Callable[[], object], str]] = [
    ("bare weight", lambda: woman(weight=92), "weight"),
    ("weight out of range", lambda: woman(weight="700 kg"), "weight"),
    ("height as signed feet-inches", lambda: woman(height="6 ft -3 in"), "height"),
    ("inches >= 12", lambda: woman(height="5 ft 15 in"), "height"),
    (
        "creatinine slip",
        lambda: woman(serum_creatinine="0.001 mg/dL"),
        "serum_creatinine",
    ),
    ("rate above every label", lambda: RateStep(rate="80 mg/kg/min"), "rate"),
    ("rate far below any label", lambda: RateStep(rate="0.0001 mg/kg/min"), "rate"),
    (
        "step of a nanosecond",
        lambda: RateStep(rate="1 mg/kg/min", duration="1e-9 min"),
        "duration",
    ),
    (
        "schedule maximum above every label",
        lambda: RateSchedule(
            steps=[RateStep(rate="1 mg/kg/min")], maximum="80 mg/kg/min", source="x"
        ),
        "maximum",
    ),
    (
        "policy threshold as a percentage",
        lambda: Us120PercentIbw(threshold=120),
        "threshold",
    ),
    (
        "policy threshold NaN",
        lambda: Us120PercentIbw(threshold=float("nan")),
        "threshold",
    ),
    (
        "BMI threshold negative",
        lambda: UkRequestForm(bmi_threshold=-30),
        "bmi_threshold",
    ),
    ("over-IBW ratio as percentage", lambda: UkRequestForm(over_ibw=20), "over_ibw"),
    (
        "adult age of 0",
        lambda: BloodStar2026(adult_from_age_years=0),
        "adult_from_age_years",
    ),
    ("height cut-off in m", lambda: BloodStar2026(min_height_cm=1.52), "min_height_cm"),
    (
        "maintenance dose in mg/kg",
        lambda: Maintenance(
            dose="2 mg/kg",
            interval="4 week",
            allowed_days=DayRange(low=1, high=2),
            allowed_cycles=DayRange(low=1),
            source="x",
        ),
        "maintenance.dose",
    ),
    ("SCIg factor 137", lambda: UserFactor(factor=137, reason="typo"), "rule.factor"),
    (
        "SC limits with a negative rate",
        lambda: ScLimits(
            product="hizentra", applies_to=("x",), tiers=(), rate_per_site_ml_h=-25.0
        ),
        "rate_per_site_ml_h",
    ),
    (
        "finding severity lowered",
        lambda: Finding(
            code=FindingCode.parse("RENAL_RISK"),
            severity=Severity.INFO,
            message="m",
            source="s",
            concerns=Concern.patient(),
        ),
        "severity",
    ),
]


@pytest.mark.parametrize(
    ("make", "field"), [(m, f) for _, m, f in CASES], ids=[c[0] for c in CASES]
)
def test_refusal_holds_with_validators_off(
    make: Callable[[], object], field: str
) -> None:
    """The refusal names its field even with attrs validators disabled."""
    assert attrs.validators.get_disabled()
    with pytest.raises(IvigError) as caught:
        make()
    assert isinstance(caught.value, InputError)
    assert caught.value.field.endswith(field), caught.value.field
