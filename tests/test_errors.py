"""The error hierarchy: builtin bases, structured fields, pickling."""

from __future__ import annotations

import pickle

import pytest

from ivig_core import InputError, IvigError, PlanningError, UnitError


def test_hierarchy() -> None:
    """Each error is an IvigError and the builtin a host would catch."""
    assert issubclass(InputError, ValueError)
    assert issubclass(UnitError, InputError)
    assert issubclass(UnitError, TypeError)
    assert issubclass(PlanningError, ValueError)
    for cls in (InputError, UnitError, PlanningError):
        assert issubclass(cls, IvigError)


@pytest.mark.parametrize(
    ("message", "constraint"),
    [
        ("interval: course 1 takes 5 days", "interval"),
        ("taper.strategy: step 2 would raise", "taper.strategy"),
        ("no split over 2-5 days meets the limits: x", ""),
        ("plain message", ""),
    ],
)
def test_planning_error_constraint(message: str, constraint: str) -> None:
    """The constraint is the message's leading name, or empty."""
    assert PlanningError(message).constraint == constraint


def test_planning_error_given_constraint_and_pickle() -> None:
    """A given constraint wins, and survives pickling with the message."""
    err = PlanningError("course 3 is too long", constraint="interval")
    back = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own bytes
    assert (str(back), back.constraint) == ("course 3 is too long", "interval")
