"""Catalogue values added in session 4, each pinned against its source's words.

- Privigen's vials: the EU SmPC, section 2 ("Cada vial de 50 ml de solución
  contiene: 5 g de inmunoglobulina humana normal", and 100 mL 10 g, 200 mL
  20 g, 400 mL 40 g).

Every expected number is the source's, or worked by hand in the docstring.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ivig_core import Patient
from ivig_core.infusion import rate_schedule
from ivig_core.planning import plan_course
from ivig_core.products import get_product
from ivig_core.regimen import get_preset
from ivig_core.safety import FindingCode, assess
from ivig_core.vials import NeverBelow, select_vials


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
