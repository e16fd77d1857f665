"""The errors ivig_core raises.

Everything the library raises on purpose derives from :class:`IvigError`, and
each error also derives from the builtin a caller would expect (``ValueError``
for a bad value, ``TypeError`` for a bare number where a quantity is needed),
so ``except ValueError`` in a host application keeps working.

Messages name the field, the value received and what is allowed, e.g.::

    weight: 700.0 kg is outside the accepted range 0.2 kg to 650 kg
"""

from __future__ import annotations


__all__ = [
    "DocumentError",
    "InputError",
    "IvigError",
    "PlanningError",
    "UnitError",
]


class IvigError(Exception):
    """Base class of every error ivig_core raises on purpose.

    .. versionadded:: 0.1.0
    """


class InputError(IvigError, ValueError):
    """An input value is missing, malformed, non-finite or out of range.

    Attributes:
        field: The name of the offending field or argument (dotted for nested
            values, e.g. ``"patient.weight"``).
        value: The value that was received, as given.
        allowed: A short description of what is accepted.

    .. versionadded:: 0.1.0
    """

    field: str
    value: object
    allowed: str
    detail: str | None

    def __init__(
        self, field: str, value: object, allowed: str, detail: str | None = None
    ) -> None:
        """Build the message from the field, the value and what is allowed.

        Args:
            field: The offending field or argument.
            value: The value received.
            allowed: What is accepted, in words.
            detail: What is wrong, when "got <value>" is not enough; it should
                mention the value.
        """
        self.field = field
        self.value = value
        self.allowed = allowed
        self.detail = detail
        what = detail if detail is not None else f"got {value!r}"
        super().__init__(f"{field}: {what}; allowed: {allowed}")

    def __reduce__(
        self,
    ) -> tuple[type[InputError], tuple[str, object, str, str | None]]:
        """Pickle with the structured fields (errors cross process pools)."""
        return (type(self), (self.field, self.value, self.allowed, self.detail))


class UnitError(InputError, TypeError):
    """A dimensioned value has no unit, the wrong dimension or an unknown unit.

    A bare number is never assumed to be in kg, cm or any other unit: the
    lb/kg slip is the most common weight-based dosing error.

    .. versionadded:: 0.1.0
    """


class PlanningError(IvigError, ValueError):
    """A plan cannot be built under the constraints given.

    The message says which constraint failed and by how much, and starts
    with the constraint's name (``"interval: course 1 takes 5 days ..."``).

    Attributes:
        constraint: The constraint that failed (``"interval"``,
            ``"rounding"``, ``"max_daily_grams"``, ...): the given one, or
            the message's leading word before ``": "``.

    Example:
        >>> PlanningError("rounding: 141.9 g rounds to 140 g ...").constraint
        'rounding'

    .. versionadded:: 0.1.0
    """

    constraint: str

    def __init__(self, message: str, *, constraint: str | None = None) -> None:
        """Keep the message; take the constraint from it unless given."""
        super().__init__(message)
        if constraint is None:
            head, sep, _ = message.partition(": ")
            constraint = head if sep and " " not in head.strip() else ""
        self.constraint = constraint

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle with the constraint (errors cross process pools)."""
        return (_planning_error, (str(self), self.constraint))


def _planning_error(message: str, constraint: str) -> PlanningError:
    return PlanningError(message, constraint=constraint)


class DocumentError(InputError):
    """A JSON document is malformed, of another schema, or tampered with.

    Attributes:
        field: The path of the (first) bad field, e.g.
            ``infusions[3].dispensed_g``; ``document`` for the whole text.
        errors: Every problem found, as ``(path, message)`` pairs.

    .. versionadded:: 0.1.0
    """

    errors: tuple[tuple[str, str], ...]

    def __init__(
        self,
        field: str,
        value: object,
        allowed: str,
        detail: str | None = None,
        errors: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """See :class:`~ivig_core.InputError`; *errors* lists every problem."""
        super().__init__(field, value, allowed, detail)
        self.errors = errors or ((field, detail or f"got {value!r}"),)

    def __reduce__(  # type: ignore[override]
        self,
    ) -> tuple[
        type[DocumentError],
        tuple[str, object, str, str | None, tuple[tuple[str, str], ...]],
    ]:
        """Pickle with the structured fields."""
        return (
            type(self),
            (self.field, self.value, self.allowed, self.detail, self.errors),
        )
