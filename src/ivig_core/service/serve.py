"""Run the service with uvicorn: the glue ``ivig-core serve`` calls.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from ivig_core.io import require
from ivig_core.service.app import create_app
from ivig_core.service.hooks import ServiceConfig


__all__ = ["ServiceConfig", "check_extra", "serve"]

_PURPOSE = "ivig-core serve"


def check_extra() -> None:
    """Raise :class:`~ivig_core.io.MissingExtraError` unless the extra is installed.

    .. versionadded:: 0.1.0
    """
    for module in ("fastapi", "uvicorn", "fhir.resources"):
        require(module, extra="service", purpose=_PURPOSE)


def serve(config: ServiceConfig, *, host: str, port: int) -> None:
    """Serve the CDS Hooks application on *host*:*port* until stopped.

    .. versionadded:: 0.1.0
    """
    uvicorn = require("uvicorn", extra="service", purpose=_PURPOSE)
    uvicorn.run(create_app(config), host=host, port=port)
