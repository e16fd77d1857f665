"""The units boundary: parsing, dimensions, registries."""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterator

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Q_, InputError, Patient, UnitError, set_registry, units
from ivig_core.units import G_PER_KG, KG, get_registry, parse_quantity, to_float


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("92 kg", "kg", 92.0),
        ("202.8 lb", "lb", 202.8),
        ("165 cm", "cm", 165.0),
        ("5 ft 5 in", "inch", 65.0),
        ("6 ft 1 in", "inch", 73.0),
        ("5'5\"", "inch", 65.0),
        ("54 year", "year", 54.0),
        ("92kg", "kg", 92.0),
        ("  1.5e2 mL ", "mL", 150.0),
    ],
)
def test_parses_the_issue_examples(text: str, unit: str, expected: float) -> None:
    """Strings from the issue parse to the right quantity."""
    got = parse_quantity(text, field="x")
    assert got.m_as(unit) == pytest.approx(expected)


def test_pounds_become_kilograms() -> None:
    """202.8 lb is 91.99 kg (1 lb = 0.45359237 kg exactly)."""
    assert to_float("202.8 lb", field="w", unit=KG) == pytest.approx(202.8 * 0.45359237)


def test_mass_ratio_must_be_two_masses() -> None:
    """'2 %' and a dimensionless 2 are not 2 g/kg; '2000 mg/kg' is."""
    assert to_float("2000 mg/kg", field="dose", unit=G_PER_KG) == pytest.approx(2.0)
    with pytest.raises(
        UnitError,
        match=(
            r"^dose: 2\.0 % is not written as mass per body mass; allowed: "
            r"a dose per body mass written as mass per body mass, e\.g\. "
            r"'2 g/kg' or '400 mg/kg'$"
        ),
    ):
        to_float("2 %", field="dose", unit=G_PER_KG)
    with pytest.raises(
        UnitError, match=r"^dose: .*; allowed: a dose per body mass written"
    ):
        to_float(Q_(2.0, "dimensionless"), field="dose", unit=G_PER_KG)


class TestRegistries:
    """Quantities from the host's registry work; nothing is built per call."""

    @pytest.fixture
    def other(self) -> Iterator[pint.UnitRegistry[float]]:
        """A second registry, restored afterwards."""
        registry: pint.UnitRegistry[float] = pint.UnitRegistry()
        yield registry
        set_registry(None)

    def test_foreign_quantity_is_rehomed(self, other: pint.UnitRegistry[float]) -> None:
        """A quantity from another registry is converted correctly, not nested."""
        foreign = other.Quantity(154.0, "lb")
        assert to_float(foreign, field="w", unit=KG) == pytest.approx(154 * 0.45359237)

    def test_set_registry_moves_results(self, other: pint.UnitRegistry[float]) -> None:
        """After set_registry, results live in that registry and combine with it."""
        set_registry(other)
        assert get_registry() is other
        p = Patient(sex="male", age="40 year", height="180 cm", weight="80 kg")
        total = p.weight + other.Quantity(1.0, "kg")  # raises if registries differ
        assert total.m_as("kg") == pytest.approx(81.0)

    def test_default_is_application_registry(self) -> None:
        """Without an override the application registry is used."""
        set_registry(None)
        app = pint.get_application_registry().get()  # type: ignore[no-untyped-call]
        assert get_registry() is app

    def test_rejects_non_registry(self) -> None:
        """set_registry refuses anything but a UnitRegistry or None."""
        with pytest.raises(
            InputError, match=r"^registry: .*; allowed: a pint\.UnitRegistry, or None"
        ):
            set_registry("kg")  # type: ignore[arg-type]


def test_quantities_pickle() -> None:
    """Canonical quantities survive pickling (process pools)."""
    q = units.quantity(70.0, KG)
    assert pickle.loads(pickle.dumps(q)) == q  # noqa: S301 - our own bytes


def test_errors_pickle() -> None:
    """Library errors pickle with their fields."""
    err = InputError("weight", -1.0, "> 0")
    back = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own bytes
    assert (back.field, back.value, back.allowed, str(back)) == (
        err.field,
        err.value,
        err.allowed,
        str(err),
    )


@given(st.floats(0.2, 650), st.sampled_from(["kg", "lb", "g", "oz", "stone"]))
def test_any_mass_unit_round_trips(kg: float, unit: str) -> None:
    """A mass in any unit comes back as the same kilograms."""
    q = Q_(kg, "kg").to(unit)
    assert math.isclose(to_float(q, field="w", unit=KG), kg, rel_tol=1e-12)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_magnitudes_refused(value: float) -> None:
    """NaN and infinities are refused with the field named."""
    with pytest.raises(InputError, match=r"^weight: .*; allowed: a finite number"):
        to_float(Q_(value, "kg"), field="weight", unit=KG)


def test_q_helper() -> None:
    """Q_ builds quantities from a pair or a string, and refuses a bare number."""
    assert Q_(92, "kg").m_as("kg") == 92.0
    assert Q_("92 kg").m_as("kg") == 92.0
    with pytest.raises(
        UnitError, match=r"^Q_: .*; allowed: a string with a unit such as"
    ):
        Q_(92)
    with pytest.raises(
        UnitError, match=r"^Q_: unknown unit 'kilogramz'; allowed: a unit pint knows$"
    ):
        Q_(92, "kilogramz")
