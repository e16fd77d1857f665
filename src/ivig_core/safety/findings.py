"""Deprecated: the findings model moved to :mod:`ivig_core.findings`.

``ivig_core.safety`` still exports every name; import them from there or
from :mod:`ivig_core.findings`. This module will be removed in a later
release.

.. deprecated:: 0.2.0
"""

from __future__ import annotations

import warnings

from ivig_core import findings as _findings


def __getattr__(name: str) -> object:
    """Forward to :mod:`ivig_core.findings`, with a deprecation warning."""
    value = getattr(_findings, name)
    warnings.warn(
        "ivig_core.safety.findings is deprecated: import from ivig_core.findings "
        "(or ivig_core.safety)",
        DeprecationWarning,
        stacklevel=2,
    )
    return value
