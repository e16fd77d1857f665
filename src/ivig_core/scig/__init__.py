"""IVIg → SCIg conversion, the HyQvia ramp-up and subcutaneous site limits.

The package is split by job: :mod:`ivig_core.scig.conversion` (rules,
frequencies, :func:`convert_to_scig`), :mod:`ivig_core.scig.hyqvia` (the
ramp-up), :mod:`ivig_core.scig.sites` (site limits and counts) and
:mod:`ivig_core.scig.presets` (the Hizentra CIDP presets); every public name
is re-exported here. This package is the arithmetic;
:mod:`ivig_core.planning.scig` lays the result on a calendar as a
:class:`~ivig_core.plan.Plan`.

Conversion (US prescribing information: :data:`SRC_FORMULA`)::

    weekly SC dose = IVIg dose ÷ IVIg interval in weeks × factor

The factor is an explicit rule, never a default:

* :class:`LabelFactor`: the product's US label factor from the catalogue
  (1.37 Hizentra, Gamunex-C SC, Gammagard Liquid SC, Xembify; 1.30 Cuvitru;
  1.0 HyQvia);
* :class:`OneToOne`: 1:1, as studied and approved in the EU and as HyQvia's
  label doses after ramp-up;
* :class:`UserFactor`: your own factor (> 0), with your reason.

The weekly dose is then spread (:class:`Weekly`, :class:`EveryTwoWeeks` =
2 × weekly, :class:`TimesPerWeek` = weekly ÷ n; for HyQvia
:class:`SameAsIvig`: the IVIg dose at the IVIg interval). Every number comes
with a :class:`~ivig_core.trace.Trace` (formula, inputs, source).

Example:
    >>> from ivig_core import Q_
    >>> dose = convert_to_scig(ivig_dose=Q_(30, "g"), ivig_interval="4 week",
    ...                        product="hizentra", rule=LabelFactor(),
    ...                        frequency=Weekly())
    >>> dose.factor, round(dose.weekly_g, 3), round(dose.dose_g, 3)
    (1.37, 10.275, 10.275)
    >>> every2 = convert_to_scig(ivig_dose="30 g", ivig_interval="4 week",
    ...     product="hizentra", rule=LabelFactor(), frequency=EveryTwoWeeks())
    >>> round(every2.dose_g, 2)
    20.55
"""

from __future__ import annotations

# Also here (documented on the scig reference page, not in __all__): the
# sources the conversion's traces quote.
from ivig_core.scig.conversion import SRC_EVERY_2_WEEKS as SRC_EVERY_2_WEEKS
from ivig_core.scig.conversion import SRC_FORMULA as SRC_FORMULA
from ivig_core.scig.conversion import SRC_HYQVIA_SAME as SRC_HYQVIA_SAME
from ivig_core.scig.conversion import SRC_N_PER_WEEK as SRC_N_PER_WEEK
from ivig_core.scig.conversion import SRC_ONE_TO_ONE as SRC_ONE_TO_ONE
from ivig_core.scig.conversion import (
    ConversionRule,
    EveryTwoWeeks,
    LabelFactor,
    OneToOne,
    SameAsIvig,
    ScigDose,
    ScigFrequency,
    TimesPerWeek,
    UserFactor,
    Weekly,
    convert_to_scig,
    dose_per_administration,
    parse_frequency,
    sc_product,
    weekly_scig,
)
from ivig_core.scig.hyqvia import SRC_RAMP as SRC_RAMP
from ivig_core.scig.hyqvia import (
    HyqviaRampStep,
    hyqvia_ramp_up,
    hyqvia_ramp_up_values,
)
from ivig_core.scig.presets import SCIG_PRESETS, get_scig_preset
from ivig_core.scig.presets import SRC_HIZENTRA_CIDP as SRC_HIZENTRA_CIDP
from ivig_core.scig.sites import (
    ScLimits,
    SitePlan,
    SiteTier,
    plan_sites,
    sc_situations,
)


__all__ = [
    "SCIG_PRESETS",
    "ConversionRule",
    "EveryTwoWeeks",
    "HyqviaRampStep",
    "LabelFactor",
    "OneToOne",
    "SameAsIvig",
    "ScLimits",
    "ScigDose",
    "ScigFrequency",
    "SitePlan",
    "SiteTier",
    "TimesPerWeek",
    "UserFactor",
    "Weekly",
    "convert_to_scig",
    "dose_per_administration",
    "get_scig_preset",
    "hyqvia_ramp_up",
    "hyqvia_ramp_up_values",
    "parse_frequency",
    "plan_sites",
    "sc_product",
    "sc_situations",
    "weekly_scig",
]
