"""Run the library in a fresh process: the console script and a cold import.

One copy of each runner, shared by the CLI tests and the import-cost tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Final

import attrs
import pytest


#: The optional extras; a plain ``import ivig_core`` must load none of them.
OPTIONAL_EXTRAS: Final = frozenset(
    {"cattrs", "matplotlib", "icalendar", "hypothesis", "jinja2"}
)


@cache
def _script() -> tuple[str, ...]:
    """The installed ``ivig-core`` console script next to this interpreter."""
    found = Path(sys.executable).with_name("ivig-core")
    if found.exists():
        return (str(found),)
    which = shutil.which("ivig-core")
    if which is None:  # pragma: no cover - the package is installed for tests
        pytest.fail("the ivig-core console script is not installed")
    return (which,)


#: The page width of :func:`cli` unless told: wide enough for the full table.
COLUMNS: Final = 120


def cli(
    *args: str, timeout: float = 300, columns: int = COLUMNS
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``ivig-core`` with *args*; capture its output, never raise.

    The page is *columns* wide (``COLUMNS``), whatever the terminal running
    the tests.
    """
    return subprocess.run(  # noqa: S603 - our own console script
        [*_script(), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, "COLUMNS": str(columns)},
    )


def shell(command: str, *, columns: int = COLUMNS) -> subprocess.CompletedProcess[str]:
    """Run a shell pipeline with the console script's directory first on PATH."""
    path = f"{Path(_script()[0]).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(  # noqa: S602 - a fixed pipeline written by the tests
        command,
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PATH": path, "COLUMNS": str(columns)},
        executable="/bin/bash",
    )


@attrs.frozen
class ColdImport:
    """What a fresh interpreter holds right after importing some modules."""

    #: Every module in ``sys.modules`` after the import.
    modules: frozenset[str]
    #: The class name of pint's application registry (``"LazyRegistry"`` if unbuilt).
    registry: str

    def extras(self) -> frozenset[str]:
        """The optional extras (:data:`OPTIONAL_EXTRAS`) that were loaded.

        Not counted: what ``import pint`` loads on its own. Where dask is
        installed (the ``dask`` extra), pint imports it for its dask facet,
        and dask loads jinja2; that is pint's doing, not this library's.
        """
        return OPTIONAL_EXTRAS & (self.modules - cold_import("pint").modules)


_COLD_IMPORT = """
import json, sys
for name in sys.argv[1:]:
    __import__(name)
modules = sorted(sys.modules)
import pint
registry = type(pint.get_application_registry()._registry).__name__
print(json.dumps({"modules": modules, "registry": registry}))
"""


@cache
def cold_import(*names: str) -> ColdImport:
    """Import the modules *names* in a new interpreter and report what it holds.

    ``sys.modules`` is read before pint is touched, so :attr:`ColdImport.modules`
    is what the import itself loaded.
    """
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", _COLD_IMPORT, *names],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found = json.loads(result.stdout)
    return ColdImport(modules=frozenset(found["modules"]), registry=found["registry"])
