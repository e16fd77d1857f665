"""The CDS Hooks service: discovery, ``order-select`` and ``order-sign``.

Needs the ``service`` extra (FastAPI, uvicorn, fhir.resources):
``pip install "ivig-core[service]"``. The hook logic is in
:mod:`ivig_core.service.hooks` (no web framework), the application in
:mod:`ivig_core.service.app`; ``ivig-core serve`` starts it.

Nothing here is imported by ``import ivig_core``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from ivig_core.service.app import create_app
from ivig_core.service.hooks import (
    HOOKS,
    INDICATOR,
    PREFETCH,
    DraftOrder,
    ServiceConfig,
    discovery,
    handle,
    read_order,
)


__all__ = [
    "HOOKS",
    "INDICATOR",
    "PREFETCH",
    "DraftOrder",
    "ServiceConfig",
    "create_app",
    "discovery",
    "handle",
    "read_order",
]
