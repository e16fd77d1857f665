"""The public API: exports, documentation and packaging agree."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import ivig_core
from processes import cold_import


DOCS = Path(__file__).parent.parent / "docs"


def test_all_names_exist() -> None:
    """Every name in __all__ is importable."""
    for name in ivig_core.__all__:
        assert hasattr(ivig_core, name), name


def test_reference_documents_every_export() -> None:
    """docs/reference/api.rst documents exactly ivig_core.__all__."""
    text = (DOCS / "reference" / "api.rst").read_text(encoding="utf-8")
    documented = set(
        re.findall(
            r"^\.\. auto(?:class|function|data|exception):: ivig_core\.(\w+)$",
            text,
            re.MULTILINE,
        )
    )
    assert set(ivig_core.__all__) == documented


def test_version_matches_metadata() -> None:
    """__version__ is the installed distribution's version."""
    assert version("ivig-core") == ivig_core.__version__


def test_py_typed_ships() -> None:
    """The package is marked typed (PEP 561)."""
    assert (Path(ivig_core.__file__).parent / "py.typed").exists()


def test_core_imports_no_optional_dependency() -> None:
    """Importing ivig_core pulls in none of the optional extras."""
    assert cold_import("ivig_core").extras() == frozenset()


def test_import_does_not_build_the_registry() -> None:
    """Importing ivig_core leaves pint's application registry unbuilt (lazy)."""
    assert cold_import("ivig_core").registry == "LazyRegistry"
