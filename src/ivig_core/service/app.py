"""The CDS Hooks service as a FastAPI application (extra ``service``).

:func:`create_app` wraps :func:`~ivig_core.service.hooks.discovery` and
:func:`~ivig_core.service.hooks.handle` in two routes:

* ``GET /cds-services``: the discovery response;
* ``POST /cds-services/{id}``: one hook call (``ivig-order-select``,
  ``ivig-order-sign``).

The request body is read as plain JSON, so a malformed request gets the
service's own ``400`` naming the field rather than a framework error. Start
it with ``ivig-core serve`` (uvicorn), or mount the application in your own
server.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ivig_core.io import require
from ivig_core.service.hooks import ServiceConfig, discovery, handle


if TYPE_CHECKING:
    from fastapi import FastAPI, Request


__all__ = ["create_app"]

_PURPOSE = "The CDS Hooks service"


def create_app(config: ServiceConfig) -> FastAPI:
    """The FastAPI application serving the CDS Hooks services.

    Args:
        config: The site's choices (policy, rounding, rate weight,
            observation age limits, local rate schedules).

    Raises:
        MissingExtraError: FastAPI is not installed (extra ``service``).

    .. versionadded:: 0.1.0
    """
    fastapi = require("fastapi", extra="service", purpose=_PURPOSE)
    responses = require("fastapi.responses", extra="service", purpose=_PURPOSE)
    require("fhir.resources", extra="service", purpose=_PURPOSE)
    app: FastAPI = fastapi.FastAPI(
        title="ivig_core CDS Hooks service",
        description="Plans and checks IVIg/SCIg draft orders; it does not prescribe.",
    )
    # CDS Hooks clients call from the EHR's origin; the host decides CORS
    # (FastAPI's CORSMiddleware), the library does not open it.

    @app.get("/cds-services")
    def services() -> dict[str, object]:
        return discovery()

    async def call(service_id: str, request: Request) -> object:
        raw = await request.body()
        content: dict[str, object]
        try:
            body: object = json.loads(raw)
        except ValueError:
            status, content = (
                400,
                {
                    "error": "InputError",
                    "message": "body: not JSON",
                    "field": "body",
                    "allowed": "a CDS Hooks request as JSON",
                },
            )
        else:
            status, content = handle(service_id, body, config)
        return responses.JSONResponse(content, status_code=status)

    # FastAPI reads the annotations at run time: give it the real class.
    call.__annotations__["request"] = fastapi.Request
    app.post("/cds-services/{service_id}")(call)
    return app
