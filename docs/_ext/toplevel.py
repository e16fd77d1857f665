"""Resolve a cross-reference to a re-exported name to where it is documented.

Each object is documented once, at its home: ``ivig_core.Patient`` at
``ivig_core.patient.Patient``, ``ivig_core.planning.plan_course`` at
``ivig_core.planning.course.plan_course``, ``ivig_core.safety.Finding`` at
``ivig_core.findings.Finding``. Pages and docstrings may still write the path
a user imports from (``:class:`~ivig_core.Patient```); when Sphinx finds no
object under that path, this extension imports it and points the reference
at the documented object.
"""

from __future__ import annotations

import importlib
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

import ivig_core


def _lookup(path: str) -> object:
    """The object *path* (``ivig_core.a.b.Name``) names, or None."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
        return obj
    return None


def _candidates(target: str) -> list[str]:
    """Other paths the object named by *target* may be documented under.

    The home of an exported name (``ivig_core.X``), then, for the longest
    prefix of *target* naming a class or function, where it is defined.
    """
    parts = target.split(".")
    found: list[str] = []
    home = ivig_core._HOME.get(parts[1])  # noqa: SLF001 - the package's own table
    if home is not None:
        found.append(".".join([home, *parts[1:]]))
    for cut in range(len(parts), 1, -1):
        obj = _lookup(".".join(parts[:cut]))
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        if isinstance(module, str) and isinstance(qualname, str):
            found.append(".".join([module, qualname, *parts[cut:]]))
            break
    return [path for path in found if path != target]


def resolve(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve a missing ``ivig_core...`` reference to its documented home."""
    target = str(node.get("reftarget", ""))
    if (
        node.get("refdomain") != "py"
        or node.get("reftype") == "mod"
        or not target.startswith("ivig_core.")
    ):
        return None
    domain = env.get_domain("py")
    for path in _candidates(target):
        found = domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], path, node, contnode
        )
        if found is not None:
            return found
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the resolver."""
    app.connect("missing-reference", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
