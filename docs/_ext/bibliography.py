"""The bibliography page and the ``:source:`` role, from ``data/sources.toml``.

``.. bibliography::`` renders every source of the project's bibliography,
grouped by kind, each with an anchor ``source-<id>``; weak sources
(secondary, AI-generated summaries) are flagged. ``:source:`<id>``` writes a
source's short name linked to its entry; an unknown ID is a build error, so a
page cannot cite what the bibliography does not hold.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def _escape(text: str) -> str:
    """Text safe inside reStructuredText inline markup."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")


def bibliography_rst() -> str:
    """Every source, grouped by kind, as reStructuredText."""
    from ivig_core.sources import NOT_RECORDED, SourceKind, all_sources  # noqa: PLC0415

    lines: list[str] = []
    by_kind = {k: [s for s in all_sources() if s.kind is k] for k in SourceKind}
    for kind, group in by_kind.items():
        if not group:
            continue
        title = kind.label[0].upper() + kind.label[1:]
        if kind.value in ("secondary", "ai-summary"):
            title += " (weak sources)"
        lines += [title, "-" * len(title), ""]
        for s in group:
            lines += [f".. _source-{s.id}:", "", f"``{s.id}``", ""]
            entry = f"   {_escape(s.reference)}."
            lines += [entry, ""]
            facts = [f"Kind: {kind.label}"]
            if s.is_weak:
                facts.append("**weak source**: a pointer, not evidence")
            if not s.read:
                facts.append("cited, not read by the project")
            if kind is SourceKind.LABEL and s.version is None:
                facts.append(f"label version {NOT_RECORDED}")
            if s.year is None and kind is not SourceKind.LABEL:
                facts.append(f"year {NOT_RECORDED}")
            lines += [f"   {'; '.join(facts)}.", ""]
            if s.note is not None:
                lines += [f"   {_escape(s.note)}", ""]
    return "\n".join(lines) + "\n"


class BibliographyDirective(SphinxDirective):
    """Insert the whole bibliography."""

    def run(self) -> list[nodes.Node]:
        """Parse the generated text in place (its labels register normally)."""
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(
            self.state,
            StringList(bibliography_rst().splitlines(), source="<bibliography>"),
            container,
        )
        return list(container.children)


def source_role(  # noqa: PLR0917 - the docutils role signature
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``:source:`<id>```: the source's short name, linked to its entry."""
    del name, options, content
    from ivig_core.errors import InputError  # noqa: PLC0415 - doc time
    from ivig_core.sources import get_source  # noqa: PLC0415 - doc time

    sid = text.strip()
    try:
        source = get_source(sid)
    except InputError as exc:
        msg = inliner.reporter.error(str(exc), line=lineno)
        problem = inliner.problematic(rawtext, rawtext, msg)
        return [problem], [msg]
    node = addnodes.pending_xref(
        rawtext,
        refdomain="std",
        reftype="ref",
        reftarget=f"source-{sid}",
        refexplicit=True,
        refwarn=True,
    )
    node += nodes.inline(source.short, source.short)
    return [node], []


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the role."""
    app.add_directive("bibliography", BibliographyDirective)
    app.add_role("source", source_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
