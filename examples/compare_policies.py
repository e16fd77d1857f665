"""Compare dosing-weight policies on a few patients, side by side.

Each built-in policy encodes one published practice (reference §1): actual
weight (US labels), ideal body weight (seed 004), adjusted body weight, the
US 120 % rule, the UK request form, Ontario and BloodSTAR 2026. Two
configured variants show parameters a hospital sets: the UK form's
short-stature height (printed as 132 cm in the form as read, possibly an OCR
error for 152 cm, reference §1.5) and what Ontario does below 60 in.

A policy that cannot decide for a patient refuses with an
:class:`~ivig_core.InputError` naming the field and what is allowed; the
table shows the refusal instead of a number.

Run: python examples/compare_policies.py
"""

from __future__ import annotations

from collections.abc import Mapping

from ivig_core import DosingWeightPolicy, InputError, Patient, dosing_weight
from ivig_core.dosing_weight import BUILTIN_POLICIES, OntarioRule, UkRequestForm


def patients() -> dict[str, Patient]:
    """A few patients that the policies treat differently."""
    return {
        "obese woman, 165 cm": Patient(
            sex="female", age="54 year", height="165 cm", weight="92 kg"
        ),
        "lean man, 180 cm": Patient(
            sex="male", age="40 year", height="180 cm", weight="72 kg"
        ),
        "short woman, 148 cm": Patient(
            sex="female", age="61 year", height="148 cm", weight="80 kg"
        ),
        "boy, 12 years": Patient(
            sex="male", age="12 year", height="150 cm", weight="60 kg"
        ),
    }


def policies() -> dict[str, DosingWeightPolicy]:
    """The built-in policies plus two locally configured variants."""
    chosen: dict[str, DosingWeightPolicy] = dict(BUILTIN_POLICIES)
    chosen["uk-request-form, <152 cm"] = UkRequestForm(short_stature_below="152 cm")
    chosen["ontario, clamp <60 in"] = OntarioRule(below_60in="clamp")
    return chosen


def cell(patient: Patient, policy: DosingWeightPolicy) -> str:
    """The dosing weight and its basis, or the refusal's field."""
    try:
        result = dosing_weight(patient, policy)
    except InputError as exc:
        return f"refused ({exc.field})"
    return f"{result.weight_kg:.1f} kg {result.basis.value}"


def table(
    rows: Mapping[str, Patient], columns: Mapping[str, DosingWeightPolicy]
) -> str:
    """One line per policy, one column per patient."""
    width = max(len(name) for name in columns)
    head = f"{'policy':<{width}}  " + "  ".join(f"{p:<21}" for p in rows)
    lines = [head, "-" * len(head)]
    for name, policy in columns.items():
        cells = "  ".join(f"{cell(p, policy):<21}" for p in rows.values())
        lines.append(f"{name:<{width}}  {cells}")
    return "\n".join(lines)


def main() -> None:
    """Print the comparison and, for one patient, every policy's reason."""
    rows = patients()
    columns = policies()
    print(table(rows, columns))
    name = "short woman, 148 cm"
    patient = rows[name]
    print(f"\nWhy, for the {name}:")
    for label, policy in columns.items():
        try:
            print(f"- {label}: {dosing_weight(patient, policy).reason}")
        except InputError as exc:
            print(f"- {label}: refused: {exc}")


if __name__ == "__main__":
    main()
