"""Small input checks shared by the value classes.

Strictly private.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from ivig_core.errors import InputError


T = TypeVar("T")


def tuple_of(value: object, kind: type[T], *, field: str) -> tuple[T, ...]:
    """Check that *value* is a collection of *kind* and return it as a tuple.

    A string is refused (it would iterate as characters); each wrong item is
    named by its index, e.g. ``vials[2]``.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(field, value, f"a list of {kind.__name__}")
    out = tuple(value)
    for i, item in enumerate(out):
        if not isinstance(item, kind):
            raise InputError(f"{field}[{i}]", item, f"a {kind.__name__}")
    return out
