"""The CDS Hooks service (extra ``service``): see :mod:`ivig_core.service.app`.

.. versionadded:: 0.1.0
"""

__all__: list[str] = []
