"""The course as it happens: a record of what was given, and what it tells.

A plan is a forecast. :class:`Administered` records one infusion as it was
given (date, grams, product and lot, the highest rate reached, reactions);
a :class:`History` holds them in date order and is append-only: a record,
once kept, is never rewritten. :func:`history_notes` compares the history
with the plan and says what the next dose must take into account: a
reaction on the last infusion (start slower, premedicate), a product switch
(restart at the initial rate, as the Gammagard Liquid label asks of
patients switching products), a dose given late or early, a missed dose.

This is the record and its reading; re-planning the rest of the course from
it (``replan``) is not yet built.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING

import attrs

from ivig_core import units
from ivig_core._checks import tuple_of
from ivig_core.errors import InputError
from ivig_core.units import ML_PER_H, G


if TYPE_CHECKING:
    from collections.abc import Iterable

    from ivig_core.plan import Plan


__all__ = ["Administered", "History", "history_notes"]


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError("administered.date", value, "a datetime.date")
    return value


def _grams(value: object) -> float:
    grams = units.to_float(value, field="administered.grams", unit=G)
    if not grams >= 0.0:
        raise InputError("administered.grams", value, "a mass ≥ 0 g (0 g: not given)")
    return grams


def _text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-empty string")
    return value


def _product(value: object) -> str:
    return _text("administered.product", value)


def _lot(value: object) -> str | None:
    return None if value is None else _text("administered.lot", value)


def _rate(value: object) -> float | None:
    if value is None:
        return None
    rate = units.to_float(value, field="administered.rate_reached", unit=ML_PER_H)
    if not rate > 0.0:
        raise InputError("administered.rate_reached", value, "a rate > 0 mL/h")
    return rate


def _reactions(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InputError("administered.reactions", value, "a sequence of strings")
    return tuple(
        _text("administered.reactions", v)
        for v in tuple_of(value, str, field="administered.reactions")
    )


@attrs.frozen(kw_only=True)
class Administered:
    """One infusion day as it was given.

    Attributes:
        date: The day it was given.
        grams: The grams given (``"0 g"``: planned but not given).
        product: The product's name or key.
        lot: The lot number, or ``None``.
        rate_reached: The highest rate reached (``"300 mL/h"``), held in
            mL/h, or ``None``.
        reactions: Reactions seen, in words (``()`` for none).

    .. versionadded:: 0.2.0
    """

    date: dt.date = attrs.field(converter=_date)
    grams: float = attrs.field(converter=_grams)
    product: str = attrs.field(converter=_product)
    lot: str | None = attrs.field(default=None, converter=_lot)
    rate_reached: float | None = attrs.field(default=None, converter=_rate)
    reactions: tuple[str, ...] = attrs.field(default=(), converter=_reactions)


def _records(value: object) -> tuple[Administered, ...]:
    records = tuple_of(value, Administered, field="history")
    for before, after in itertools.pairwise(records):
        if after.date < before.date:
            raise InputError(
                "history", after.date, f"records in date order (after {before.date})"
            )
    return records


@attrs.frozen
class History:
    """What was given, in date order; append-only.

    Example:
        >>> h = History().add([Administered(date=dt.date(2026, 1, 5),
        ...                                 grams="70 g", product="privigen")])
        >>> h.cumulative_g
        70.0

    .. versionadded:: 0.2.0
    """

    records: tuple[Administered, ...] = attrs.field(default=(), converter=_records)

    @property
    def cumulative_g(self) -> float:
        """The grams given so far: the sum of the records."""
        return sum(r.grams for r in self.records)

    def add(self, records: Iterable[Administered]) -> History:
        """This history with *records* appended (never rewritten).

        Raises:
            InputError: A record dated before the last one kept.
        """
        new = tuple_of(records, Administered, field="administered")
        return History(records=(*self.records, *new))


def history_notes(plan: Plan, history: History) -> tuple[str, ...]:
    """What the history tells the next dose of *plan*, in words.

    .. versionadded:: 0.2.0
    """
    notes: list[str] = []
    given = [r for r in history.records if r.grams > 0.0]
    if given and given[-1].reactions:
        last = given[-1]
        notes.append(
            f"A reaction on {last.date.isoformat()} ({'; '.join(last.reactions)}): "
            "start the next infusion slower and consider premedication (the "
            "prescriber's decision)."
        )
    products = [r.product for r in given]
    for before, after in itertools.pairwise(products):
        if before != after:
            notes.append(
                f"Product switched from {before} to {after}: restart at the "
                "initial rate."
            )
    planned = {i.date for i in plan.infusions}
    notes.extend(
        f"Dose of {record.date.isoformat()} not given (missed)."
        for record in history.records
        if record.grams == 0.0
    )
    for record in given:
        if record.date not in planned:
            near = min(plan.infusions, key=lambda i: abs((i.date - record.date).days))
            days = (record.date - near.date).days
            when = "late" if days > 0 else "early"
            notes.append(
                f"Dose given {abs(days)} day(s) {when} on {record.date.isoformat()} "
                f"(planned {near.date.isoformat()})."
            )
    return tuple(notes)
