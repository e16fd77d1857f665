"""The HyQvia ramp-up: the label's 1-, 2- and 3-week doses before the full dose.

Example:
    >>> [(s.week, s.dose) for s in hyqvia_ramp_up(full_dose="30 g",
    ...                                          interval="4 week")]
    [(1, 7.5), (2, 15.0), (4, 22.5), (7, 30.0)]
"""

from __future__ import annotations

import math
from typing import Final, Literal

import attrs

from ivig_core import units
from ivig_core._checks import REL_TOL
from ivig_core._checks import real as _real
from ivig_core.errors import InputError
from ivig_core.scig.conversion import read_ivig_dose
from ivig_core.sources import cited
from ivig_core.units import WEEK


__all__ = ["HyqviaRampStep", "hyqvia_ramp_up", "hyqvia_ramp_up_values"]

#: The sources of the ramp-up, by ID (:mod:`ivig_core.sources`).
SRC_RAMP_IDS: Final = ("hyqvia-uspi", "hyqvia-hcp-site")
SRC_RAMP: Final = cited(
    "HyQvia US PI ramp-up (example 30 g per 4 weeks): week 1 a 1-week dose, "
    "week 2 a 2-week dose, week 4 a 3-week dose, week 7 a 4-week dose",
    SRC_RAMP_IDS,
)


#: The HyQvia PI ramp-up table: (week given, weeks of dose). Source:
#: :data:`SRC_RAMP`. The table marks its 4th infusion (week 7, the 4-week
#: dose) "(if required)": a 3-week interval reaches its full dose at the
#: week-4 infusion (the 3-week dose), the table's first three rows.
_HYQVIA_RAMP_4W: Final = ((1, 1), (2, 2), (4, 3), (7, 4))
_HYQVIA_RAMP_INTERVAL_WEEKS: Final = 4.0
#: The intervals the table covers (weeks): 3 (rows 1-3) and 4 (rows 1-4).
_HYQVIA_RAMP_INTERVALS: Final = (3, 4)


# --------------------------------------------------------------------------
# HyQvia ramp-up


@attrs.frozen(kw_only=True)
class HyqviaRampStep:
    """One ramp-up infusion: the week it is given and the weeks of dose.

    Attributes:
        week: The week of the infusion (week 1 is the first infusion).
        weeks_of_dose: How many weeks of the full dose it holds (1-4).
        dose: The dose, in the unit of the full dose (g or g/kg).
        unit: ``"g"`` or ``"g/kg"``.

    .. versionadded:: 0.1.0
    """

    week: int
    weeks_of_dose: int
    dose: float
    unit: Literal["g", "g/kg"]

    @property
    def day_offset(self) -> int:
        """Days from the first infusion."""
        return (self.week - 1) * 7

    interval_weeks: int = 4

    @property
    def is_full(self) -> bool:
        """Whether this is the first full dose (the interval's weeks of dose)."""
        return self.weeks_of_dose == self.interval_weeks


def hyqvia_ramp_up_values(
    full_dose: float, interval_weeks: float
) -> tuple[tuple[int, int, float], ...]:
    """Float core: (week, weeks of dose, dose) for the HyQvia PI ramp-up.

    The label's table (:data:`SRC_RAMP`) covers a 4-week interval and, its
    4th infusion being "(if required)", a 3-week one; other intervals are not
    confirmed.

    Example:
        >>> hyqvia_ramp_up_values(30.0, 4.0)
        ((1, 1, 7.5), (2, 2, 15.0), (4, 3, 22.5), (7, 4, 30.0))
        >>> hyqvia_ramp_up_values(30.0, 3.0)
        ((1, 1, 10.0), (2, 2, 20.0), (4, 3, 30.0))

    .. versionadded:: 0.1.0
    """
    full_dose = _real(full_dose, field="dose")
    interval_weeks = _real(interval_weeks, field="interval")
    covered = [
        w
        for w in _HYQVIA_RAMP_INTERVALS
        if math.isclose(interval_weeks, w, rel_tol=REL_TOL)
    ]
    if not covered:
        # 12 significant digits: an interval just outside the float slack
        # (4.00000002 weeks) must not print as the table's "4".
        weeks = f"{interval_weeks:.12g}"
        raise InputError(
            "interval",
            f"{weeks} week",
            "3 week or 4 week: the HyQvia US prescribing information's ramp-up "
            "table covers a 4-week interval (its 4th infusion 'if required', so "
            "3 weeks too); other intervals (and the CIDP ramp) are not confirmed",
            f"no labelled ramp-up is recorded for a {weeks}-week interval",
        )
    if not (math.isfinite(full_dose) and full_dose > 0.0):
        raise InputError("full_dose", full_dose, "a dose > 0")
    per_week = full_dose / interval_weeks
    return tuple(
        (week, n, per_week * n) for week, n in _HYQVIA_RAMP_4W if n <= covered[0]
    )


def hyqvia_ramp_up(
    *, full_dose: object, interval: object
) -> tuple[HyqviaRampStep, ...]:
    """The HyQvia PI ramp-up before the full dose (:data:`SRC_RAMP`).

    Args:
        full_dose: The full dose per infusion after ramp-up (``"30 g"`` or
            ``"0.4 g/kg"``); 1:1 with the IVIg dose per the label.
        interval: The full-dose interval: ``"4 week"`` or ``"3 week"``.

    Example:
        >>> [(s.week, s.dose) for s in hyqvia_ramp_up(full_dose="30 g",
        ...                                          interval="4 week")]
        [(1, 7.5), (2, 15.0), (4, 22.5), (7, 30.0)]

    .. versionadded:: 0.1.0
    """
    value, per = read_ivig_dose(full_dose, field="full_dose")
    weeks = units.to_float(interval, field="interval", unit=WEEK)
    return tuple(
        HyqviaRampStep(
            week=w, weeks_of_dose=n, dose=d, unit=per, interval_weeks=round(weeks)
        )
        for w, n, d in hyqvia_ramp_up_values(value, weeks)
    )
