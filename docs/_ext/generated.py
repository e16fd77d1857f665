"""Pages generated from the library's own data, so docs and data cannot drift.

Each generator is a function returning reStructuredText; the ``generated``
directive inserts its output where it is used::

    .. generated:: dosing_weight_policies
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


GENERATORS: dict[str, Callable[[], str]] = {}


def generator(func: Callable[[], str]) -> Callable[[], str]:
    """Register *func* under its name."""
    GENERATORS[func.__name__] = func
    return func


@generator
def dosing_weight_policies() -> str:
    """A table of the built-in dosing-weight policies with their sources."""
    from ivig_core import BUILTIN_POLICIES  # noqa: PLC0415 - built at doc time

    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 20 80",
        "",
        "   * - Name",
        "     - Source",
    ]
    for name, policy in BUILTIN_POLICIES.items():
        lines += [f"   * - ``{name}``", f"     - {policy.source}"]
    return "\n".join(lines) + "\n"


class GeneratedDirective(SphinxDirective):
    """Insert the reStructuredText a registered generator returns."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Parse the generator's output in place."""
        name = self.arguments[0]
        if name not in GENERATORS:
            msg = f"unknown generator {name!r}; known: {sorted(GENERATORS)}"
            raise self.error(msg)
        text = GENERATORS[name]()
        container = nodes.container()
        self.state.nested_parse(
            StringList(text.splitlines(), source=f"<generated:{name}>"),
            self.content_offset,
            container,
        )
        return list(container.children)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("generated", GeneratedDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
