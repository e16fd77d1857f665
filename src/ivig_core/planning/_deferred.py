"""Trace records whose text is written when read (a plan keeps them compact).

A plan's trace says, for each number, the formula, the inputs and the
source: about 40 records of five strings, most of a kept plan's memory. A
:class:`Deferred` record holds a render function and the few values it
formats (most of them objects the plan holds anyway) and writes the five
strings each time they are read. It *is* a :class:`~ivig_core.trace.Trace`:
equal to (and hashing as) the plain record with the same text, serialised
and explained identically, and pickled as a plain record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

from ivig_core.trace import Trace


__all__ = ["Deferred", "Texts"]

#: The five strings of a trace record, in field order.
Texts: TypeAlias = tuple[str, str, str, str, str]

_FIELDS: Final = ("what", "value", "formula", "inputs", "source")

# The record last rendered, with its text: reading the five fields of one
# record in a row (as the JSON writer and the explanation do) renders once.
# Replaced whole (one assignment), so a reader in another thread sees either
# the old pair or the new one.
_last: tuple[object, Texts] = (None, ("", "", "", "", ""))


def _plain(*texts: str) -> Trace:
    """The plain record with *texts* (what a deferred record pickles as)."""
    return Trace(**dict(zip(_FIELDS, texts, strict=True)))


class Deferred(Trace):
    """A :class:`~ivig_core.trace.Trace` rendered from values when read.

    Args:
        render: Returns the five strings from *args*.
        args: The values to format (held, not copied).
    """

    __slots__ = ("_args", "_render")
    _render: Callable[..., Texts]
    _args: tuple[object, ...]

    def __init__(self, render: Callable[..., Texts], *args: object) -> None:
        """Hold *render* and *args*; nothing is formatted yet."""
        object.__setattr__(self, "_render", render)
        object.__setattr__(self, "_args", args)

    def texts(self) -> Texts:
        """The five strings, rendered now (or just before, for this record)."""
        global _last  # noqa: PLW0603 - a one-record cache, replaced whole
        last = _last
        if last[0] is self:
            return last[1]
        out: Texts = self._render(*self._args)
        _last = (self, out)
        return out

    @property
    def what(self) -> str:
        """The number's name."""
        return self.texts()[0]

    @property
    def value(self) -> str:
        """The value with its unit."""
        return self.texts()[1]

    @property
    def formula(self) -> str:
        """The formula or rule."""
        return self.texts()[2]

    @property
    def inputs(self) -> str:
        """The inputs, with their values."""
        return self.texts()[3]

    @property
    def source(self) -> str:
        """Where the rule comes from."""
        return self.texts()[4]

    def __eq__(self, other: object) -> bool:
        """Equal to any trace record with the same five strings."""
        if not isinstance(other, Trace):
            return NotImplemented
        mine = self.texts()
        return all(a == getattr(other, f) for a, f in zip(mine, _FIELDS, strict=True))

    def __ne__(self, other: object) -> bool:
        """Not :meth:`__eq__`."""
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    # The plain record's hash (same class salt, fields read through the
    # properties): equal records hash alike.
    __hash__ = Trace.__hash__

    def __repr__(self) -> str:
        """As the plain record's."""
        return repr(_plain(*self.texts()))

    def __reduce__(self) -> tuple[Callable[..., Trace], Texts]:
        """Pickle as the plain record with the same text."""
        return _plain, self.texts()
