"""The code of the how-to docs/how-to/units.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    from ivig_core import Patient
    p = Patient(sex="female", age="54 year", height="5 ft 5 in", weight="202.8 lb")
    print((round(p.weight_kg, 2), round(p.height_cm, 1)))
    import pint
    ureg = pint.get_application_registry()
    p = Patient(sex="male", age=ureg.Quantity(40, "year"),
                height=ureg.Quantity(71, "inch"), weight=ureg.Quantity(176, "lb"))
    print(p.weight + ureg.Quantity(1, 'kg'))
    import ivig_core
    mine = pint.UnitRegistry()
    ivig_core.set_registry(mine)
    w = Patient(sex="male", age="40 year", height="180 cm", weight=mine.Quantity(80, "kg")).weight
    print(w + mine.Quantity(1, 'kg'))
    ivig_core.set_registry(None)  # back to pint's application registry
    try:
        Patient(sex="female", age="54 year", height="165 cm", weight=92)
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    try:
        Patient(sex="female", age="54 year", height="165 kg", weight="92 kg")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    try:
        Patient(sex="female", age="54 year", height="165 cm", weight="92 mg")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
