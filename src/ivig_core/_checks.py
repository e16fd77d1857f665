"""The small input checks shared by every module: the one place they live.

Each check takes the value and the *field* it came from, returns the value in
its canonical Python type, and raises :class:`~ivig_core.errors.InputError`
naming the field, the value and what is allowed. ``bool`` is never a number
here (``True`` is an ``int`` to Python, never a dose or a count to a
clinician).

Also here: the float round-off slack used wherever a computed value is
compared with a limit (:data:`REL_TOL`, :func:`exceeds`), and
:data:`DAYS_PER_WEEK`.

Strictly private: the public API re-checks through these, users never call
them.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable
from typing import Any, Final, TypeGuard, TypeVar

from ivig_core.errors import InputError


T = TypeVar("T")

#: Relative float round-off slack for comparing a computed value with a limit
#: (e.g. 0.1 + 0.2 against 0.3). Not a clinical tolerance.
REL_TOL: Final = 1e-9

#: Days in a week (calendar fact).
DAYS_PER_WEEK: Final = 7.0

#: The largest count (cycles of a plan, days of a course, rate steps) the
#: library accepts. A "cannot be meant" sanity limit, not a clinical one:
#: 1000 weekly cycles are over 19 years, far past any review point, and a
#: larger count is a slip (a typed extra zero) that would make a plan run
#: for minutes and hold millions of numbers.
MAX_COUNT: Final = 1000


def days_word(count: float) -> str:
    """``day`` for exactly one, ``days`` otherwise (0.5 days, 2 days)."""
    return "day" if count == 1 else "days"


def exceeds(value: float, limit: float) -> bool:
    """Whether *value* is above *limit* by more than float round-off.

    Example:
        >>> exceeds(0.1 + 0.2, 0.3), exceeds(0.31, 0.3)
        (False, True)
    """
    return value > limit * (1.0 + REL_TOL)


def below(value: float, limit: float) -> bool:
    """Whether *value* is below *limit* by more than float round-off.

    Example:
        >>> below(0.3 - 1e-12, 0.3), below(0.29, 0.3)
        (False, True)
    """
    return value < limit * (1.0 - REL_TOL)


def is_number(value: object) -> TypeGuard[numbers.Real]:
    """Whether *value* is a real number that is not a ``bool``."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_whole(value: object) -> TypeGuard[numbers.Integral]:
    """Whether *value* is an integer that is not a ``bool``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_weekday(value: object) -> bool:
    """Whether *value* is a weekday or day offset: a whole number 0 to 6."""
    return is_whole(value) and 0 <= int(value) <= 6


def real(value: object, *, field: str, allowed: str = "a number") -> float:
    """*value* as a finite float (``bool`` refused)."""
    if not is_number(value):
        raise InputError(field, value, allowed)
    out = float(value)
    if not math.isfinite(out):
        raise InputError(field, value, f"{allowed} (finite)")
    return out


def finite(
    value: object,
    *,
    field: str,
    low: float | None = None,
    high: float | None = None,
    positive: bool = False,
    allowed: str | None = None,
) -> float:
    """*value* as a finite float within ``[low, high]`` (and > 0 if *positive*).

    Example:
        >>> finite(2, field="factor", low=1, high=2)
        2.0
        >>> finite(0.0, field="dose", positive=True)
        Traceback (most recent call last):
        ...
        ivig_core.errors.InputError: dose: got 0.0; allowed: a number > 0
    """
    if allowed is None:
        parts = []
        if positive:
            parts.append("> 0")
        if low is not None:
            parts.append(f">= {low:g}")
        if high is not None:
            parts.append(f"<= {high:g}")
        allowed = "a number" + (" " + " and ".join(parts) if parts else "")
    out = real(value, field=field, allowed=allowed)
    if (
        (positive and not out > 0.0)
        or (low is not None and out < low)
        or (high is not None and out > high)
    ):
        raise InputError(field, value, allowed)
    return out


def whole(
    value: object,
    *,
    field: str,
    low: int = 1,
    high: int | None = None,
) -> int:
    """*value* as an ``int`` within ``[low, high]`` (``bool`` and floats refused).

    Example:
        >>> whole(3, field="cycles")
        3
        >>> whole(True, field="cycles")
        Traceback (most recent call last):
        ...
        ivig_core.errors.InputError: cycles: got True; allowed: a whole number >= 1
    """
    allowed = f"a whole number >= {low}" + ("" if high is None else f" and <= {high}")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(field, value, allowed)
    out = int(value)
    if out < low or (high is not None and out > high):
        raise InputError(field, value, allowed)
    return out


def instance(value: object, kind: type[T], *, field: str, allowed: str = "") -> T:
    """*value* if it is a *kind*, else :class:`InputError` naming *field*.

    For the public functions that take the library's own objects (a Plan, a
    Product, a UnitSpec): a wrong type is refused here, by name, not as an
    ``AttributeError`` from deep inside.

    Example:
        >>> instance(3, str, field="name")
        Traceback (most recent call last):
        ...
        ivig_core.errors.InputError: name: got 3; allowed: a str
    """
    if not isinstance(value, kind):
        raise InputError(field, value, allowed or _a(kind.__name__))
    return value


def _a(name: str) -> str:
    """*name* with its article: 'a Sex', 'an IbwFormula'."""
    return f"{'an' if name[:1] in 'AEIOUaeiou' else 'a'} {name}"


#: The last date the library plans from or to: dates run up to a year past
#: it (closed-day moves, the next interval), and Python's calendar ends at
#: 9999-12-31. A "cannot be meant" limit (a date past it is a typing slip).
LAST_DATE: Final = dt.date(9998, 12, 31)


def date(value: object, *, field: str) -> dt.date:
    """*value* as a :class:`datetime.date` (not a datetime) up to :data:`LAST_DATE`.

    Example:
        >>> date(dt.date(9999, 12, 31), field="start")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ivig_core.errors.InputError: start: got datetime.date(9999, 12, 31); ...
    """
    allowed = f"a datetime.date up to {LAST_DATE.isoformat()}"
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError(field, value, allowed)
    if value > LAST_DATE:
        raise InputError(field, value, allowed)
    return value


def flag(value: object, *, field: str) -> bool:
    """*value* as a ``bool`` (only ``True`` or ``False``; no truthy values)."""
    if not isinstance(value, bool):
        raise InputError(field, value, "True or False")
    return value


def text(value: object, *, field: str, allowed: str = "a non-empty text") -> str:
    """*value* as stripped, non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, allowed)
    return value.strip()


def iterates(value: object) -> TypeGuard[Iterable[Any]]:
    """Whether *value* can be iterated: ``isinstance(value, Iterable)`` that holds.

    A scalar pint quantity has ``__iter__`` (it is an ``Iterable`` to
    Python) but refuses to iterate; here it is not iterable. Nothing is
    consumed (``iter`` of an iterator is the iterator).

    Example:
        >>> from ivig_core import Q_
        >>> iterates([1]), iterates(Q_(1.0, "kg")), iterates(3)
        (True, False, False)
    """
    if not isinstance(value, Iterable):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def items(value: object, *, field: str, allowed: str) -> tuple[object, ...]:
    """The items of a collection *value* as a tuple (a string is refused).

    Anything that does not iterate (a number, or a pint quantity, which has
    ``__iter__`` but refuses a scalar) is refused naming *field*.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(field, value, allowed)
    try:
        return tuple(value)
    except TypeError:
        raise InputError(field, value, allowed) from None


def tuple_of(value: object, kind: type[T], *, field: str) -> tuple[T, ...]:
    """Check that *value* is a collection of *kind* and return it as a tuple.

    A string is refused (it would iterate as characters); each wrong item is
    named by its index, e.g. ``vials[2]``.
    """
    out: list[T] = []
    for i, item in enumerate(
        items(value, field=field, allowed=f"a list of {kind.__name__}")
    ):
        if not isinstance(item, kind):
            raise InputError(f"{field}[{i}]", item, _a(kind.__name__))
        out.append(item)
    return tuple(out)
