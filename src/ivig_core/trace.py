"""How one number was obtained: the :class:`Trace` record (ground layer).

Every planner and converter records, for each number it produces, the
formula, the inputs and the source; :class:`~ivig_core.plan.Plan` holds these
records and its explanation prints them. The record lives here, below every
layer that writes one, so that no lower layer imports the plan model.

Example:
    >>> Trace(what="dose", value="35 g", formula="0.5 g/kg × 70 kg",
    ...       inputs="70 kg", source="label").value
    '35 g'
"""

from __future__ import annotations

import attrs


__all__ = ["Trace"]


@attrs.frozen(kw_only=True)
class Trace:
    """How one number was obtained.

    Attributes:
        what: The number's name (e.g. ``"course 1 calculated"``).
        value: The value with its unit, as printed.
        formula: The formula or rule.
        inputs: The inputs, with their values.
        source: Where the rule comes from.

    .. versionadded:: 0.1.0
    """

    what: str
    value: str
    formula: str
    inputs: str
    source: str
