"""A read-only mapping built on first use.

Tables of built-in values (policies, presets) hold quantities, and making a
quantity builds pint's registry (about 0.3 s). Importing ivig_core must not
do that (DESIGN.md principle 7), so such tables are built when first read.

Strictly private.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar


K = TypeVar("K")
V = TypeVar("V")


class LazyMapping(Mapping[K, V]):
    """A read-only mapping whose contents *factory* makes on first access."""

    __slots__ = ("_factory", "_name", "_table")

    def __init__(self, factory: Callable[[], Mapping[K, V]], name: str) -> None:
        """Remember *factory*; *name* is shown in the repr."""
        self._factory = factory
        self._name = name
        self._table: Mapping[K, V] | None = None

    def _get(self) -> Mapping[K, V]:
        if self._table is None:
            self._table = dict(self._factory())
        return self._table

    def __getitem__(self, key: K) -> V:
        """Look *key* up, building the table if needed."""
        return self._get()[key]

    def __iter__(self) -> Iterator[K]:
        """Iterate over the keys in their defined order."""
        return iter(self._get())

    def __len__(self) -> int:
        """The number of entries."""
        return len(self._get())

    def __repr__(self) -> str:
        """``NAME([keys])``."""
        return f"{self._name}({list(self._get())})"
