"""An Enum whose members parse from their text, with the library's error.

Strictly private.
"""

from __future__ import annotations

import enum
from typing import Self

from ivig_core.errors import InputError


class ParsedEnum(enum.Enum):
    """Base for enums that accept a member or its value's text.

    Subclasses name the input they stand for in :meth:`_field` (used in the
    error message) and may change how text is folded (:meth:`_fold`, lower
    case by default).
    """

    @classmethod
    def _field(cls) -> str:
        """The default input name for errors."""
        return cls.__name__

    @classmethod
    def _fold(cls, text: str) -> str:
        """Normalise text before looking it up (strip, lower case)."""
        return text.strip().lower()

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> Self:
        """Accept a member or its value (``"male"``, ``"iv"``, ...), any case.

        Anything else is an :class:`~ivig_core.InputError` naming the field
        and listing the accepted values; there is never a default.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls(cls._fold(value))
            except ValueError:
                pass
        raise InputError(
            field or cls._field(), value, f"one of {[m.value for m in cls]}"
        )
