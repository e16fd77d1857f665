"""Dosing weight of one patient under every built-in policy.

Run: python examples/dosing_weight.py
"""

from __future__ import annotations

from ivig_core import InputError, Patient, dosing_weight
from ivig_core.dosing_weight import BUILTIN_POLICIES


def main() -> None:
    """Print the dosing weight under each built-in policy."""
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
    for name in BUILTIN_POLICIES:
        try:
            result = dosing_weight(patient, name)
        except InputError as exc:
            print(f"{name}: not applicable ({exc})")
        else:
            print(f"{name}: {result.weight_kg:.1f} kg, {result.reason}")


if __name__ == "__main__":
    main()
