"""Test configuration: Hypothesis profiles.

* ``ci`` (used when the ``CI`` environment variable is set, as ``.ci/run``
  does): derandomised, so every run tries the same examples; no deadline,
  because a cold interpreter builds pint's registry inside the first example;
  no example database; 200 examples per property.
* ``dev`` (default): random, 100 examples, deadline off for the same reason.

Pick one explicitly with ``HYPOTHESIS_PROFILE=ci pytest``.

Also: this directory is put on ``sys.path``, so test modules import the
shared test helpers (e.g. ``safety_plans``) by name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings


sys.path.insert(0, str(Path(__file__).resolve().parent))

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
