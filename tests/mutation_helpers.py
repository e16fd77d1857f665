"""Helpers for the tests that pin behaviour mutation testing found unpinned."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ivig_core.errors import InputError


@contextmanager
def refused(
    field: str,
    value: object,
    allowed: str,
    detail: str | None = None,
    error: type[InputError] = InputError,
) -> Iterator[None]:
    """Expect an :class:`InputError` naming exactly this field, value and range.

    The whole message is compared, so a changed field name, value, allowed
    range or detail fails the test (not just one word of it).
    """
    with pytest.raises(error) as caught:
        yield
    err = caught.value
    got = (err.field, err.value, err.allowed, err.detail)
    expected = (field, value, allowed, detail)
    assert got == expected, f"refused with {got!r}, expected {expected!r}"
