"""Test configuration: Hypothesis profiles.

* ``ci`` (used when the ``CI`` environment variable is set, as ``.ci/run``
  does): derandomised, so every run tries the same examples; no deadline,
  because a cold interpreter builds pint's registry inside the first example;
  no example database; 200 examples per property.
* ``dev`` (default): random, 100 examples, deadline off for the same reason.

Pick one explicitly with ``HYPOTHESIS_PROFILE=ci pytest``.

The shared test helpers (``worked``, ``safety_plans``, ``processes``) are
importable by name because pyproject.toml puts ``tests/`` on pytest's
``pythonpath``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=200,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)
