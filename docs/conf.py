"""Sphinx configuration for the ivig_core docs."""

from __future__ import annotations

import sys
from importlib.metadata import version as _version
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent))

project = "ivig_core"
author = "ivig_core developers"
copyright = "2026, ivig_core developers"
release = _version("ivig-core")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.extlinks",
    "sphinx.ext.doctest",
    "_ext.generated",
    "_ext.toplevel",
    "_ext.bibliography",
]

html_theme = "furo"
html_title = "ivig_core"
exclude_patterns = ["_build"]
templates_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Cross-links to the libraries ivig_core builds on. The build machine has no
# network, so these are plain links rather than intersphinx inventories.
extlinks = {
    "pint": ("https://pint.readthedocs.io/en/stable/%s", "pint: %s"),
    "attrs": ("https://www.attrs.org/en/stable/%s", "attrs: %s"),
    "cattrs": ("https://catt.rs/en/stable/%s", "cattrs: %s"),
    "hypothesis": ("https://hypothesis.readthedocs.io/en/latest/%s", "Hypothesis: %s"),
}
