"""The docs site: every code block runs, and every page is reachable.

Convention (issue 8, "every code block in the docs runs as a test"):

* Python in a page is a doctest (``>>>`` lines). pytest runs every ``.rst``
  under ``docs/`` with ``--doctest-glob=*.rst``, wherever the ``>>>`` lines
  sit (a plain paragraph, a ``::`` literal block or a ``.. doctest::``).
* A code block that is not run says so by its language: only ``console``,
  ``text``, ``toml``, ``json``, ``ini`` and ``none`` are allowed for
  ``.. code-block::`` / ``.. code::`` / ``.. sourcecode::`` without ``>>>``.
  ``python``, ``pycon``, ``py`` or no language at all need ``>>>`` lines.
* A ``::`` literal block that is Python code (it parses, and it imports,
  defines, assigns or calls something, and is not plain TOML) must be a
  doctest. Other literal blocks (a formula, a table, output, a TOML
  snippet) are text and are not run; ``.. code-block:: toml`` says so more
  clearly.
* ``.. literalinclude::`` may only show ``examples/*.py`` (each is run by
  ``tests/test_packaging.py``) or a non-Python file.
* Directives whose code pytest would never run (``testcode``, ``testsetup``,
  ``ipython``, ...) are refused.

Every page is reached from ``docs/index.rst`` (its toctree globs or entries)
and starts with a title.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import textwrap
import tomllib
from pathlib import Path

import pytest


ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
EXCLUDED_DIRS = {"_build", "_ext", "_static", "_templates"}

#: Code-block languages that are shown, not run.
NOT_RUN = frozenset({"console", "text", "toml", "json", "ini", "none"})
#: Directives whose content pytest's doctest collection would never run.
NEVER_RUN = frozenset(
    {"testcode", "testsetup", "testcleanup", "testoutput", "ipython", "jupyter-execute"}
)

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:-]+)::\s*(?P<arg>.*)$")
_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+_.:<>])\1{2,}\s*$")


def _pages() -> list[Path]:
    """Every .rst page under docs/, outside build and extension folders."""
    return sorted(
        path
        for path in DOCS.rglob("*.rst")
        if not EXCLUDED_DIRS.intersection(path.relative_to(DOCS).parts)
    )


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(DOCS)) for path in paths]


PAGES = _pages()
#: Every page but the index itself.
LEAVES = [page for page in PAGES if page != DOCS / "index.rst"]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block(lines: list[str], start: int, parent_indent: int) -> tuple[list[str], int]:
    """The indented body after line *start* (options included), and its end."""
    body: list[str] = []
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if line.strip() and _indent(line) <= parent_indent:
            break
        body.append(line)
        i += 1
    return body, i


def _content(body: list[str]) -> list[str]:
    """A directive's content: its body without the leading ``:option:`` lines."""
    lines = list(body)
    while lines and (not lines[0].strip() or lines[0].strip().startswith(":")):
        lines.pop(0)
    return lines


def _has_doctest(lines: list[str]) -> bool:
    return any(line.lstrip().startswith(">>>") for line in lines)


_CODE_NODES = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Call,
    ast.For,
    ast.While,
    ast.With,
)


def looks_like_python(lines: list[str]) -> bool:
    """Whether *lines* are Python code (not a formula, a sentence or TOML).

    Keys set to literals (``weight = "92 kg"``) parse as Python too; when
    the block is also valid TOML it is taken for configuration, not code.
    """
    text = textwrap.dedent("\n".join(lines))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    if not any(isinstance(node, _CODE_NODES) for node in ast.walk(tree)):
        return False
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    return False


def problems(text: str) -> list[str]:
    """What in *text* (one page) breaks the code-block convention."""
    lines = text.splitlines()
    found: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        match = _DIRECTIVE.match(line)
        if match is not None:
            name = match["name"]
            arg = match["arg"].strip().lower()
            body, end = _block(lines, i, _indent(line))
            content = _content(body)
            if name in {"code-block", "code", "sourcecode"}:
                if arg not in NOT_RUN and not _has_doctest(content):
                    language = arg or "no language"
                    found.append(
                        f"line {number}: code-block ({language}) without >>> lines; "
                        f"make it a doctest or use one of {sorted(NOT_RUN)}"
                    )
            elif name in NEVER_RUN:
                found.append(f"line {number}: .. {name}:: is never run by pytest")
            elif (
                name == "literalinclude"
                and arg.endswith(".py")
                and not re.search(r"(^|/)examples/[\w-]+\.py$", arg)
            ):
                found.append(
                    f"line {number}: literalinclude of {arg}: only examples/*.py "
                    "(run by tests/test_packaging.py) may be included"
                )
            i = max(end, i + 1)
            continue
        stripped = line.rstrip()
        is_literal = stripped.endswith("::") and not stripped.lstrip().startswith("..")
        if is_literal:
            body, end = _block(lines, i, _indent(line))
            if not _has_doctest(body) and looks_like_python(body):
                found.append(
                    f"line {number}: '::' literal block of Python without >>> "
                    "lines; make it a doctest (or .. code-block:: text if not Python)"
                )
            i = max(end, i + 1)
            continue
        i += 1
    return found


def title(text: str) -> str | None:
    """The page's title: the first text line with an adornment under it."""
    lines = [line.rstrip() for line in text.splitlines()]
    for i, line in enumerate(lines[:-1]):
        if not line.strip() or line.startswith((".. ", ":")) or _ADORNMENT.match(line):
            continue
        under = lines[i + 1]
        if _ADORNMENT.match(under) and len(under.strip()) >= len(line.strip()):
            return line.strip()
        return None
    return None


def toctree_patterns(index: str) -> list[tuple[str, bool]]:
    """The entries of every toctree in *index*: (entry, is a glob pattern)."""
    lines = index.splitlines()
    entries: list[tuple[str, bool]] = []
    i = 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        if match is None or match["name"] != "toctree":
            i += 1
            continue
        body, end = _block(lines, i, _indent(lines[i]))
        glob = any(line.strip() == ":glob:" for line in body)
        for line in body:
            entry = line.strip()
            if not entry or entry.startswith(":"):
                continue
            explicit = re.search(r"<([^>]+)>$", entry)  # "Title <docname>"
            entries.append((explicit[1] if explicit else entry, glob))
        i = end
    return entries


def reachable(docname: str, entries: list[tuple[str, bool]]) -> bool:
    """Whether *docname* (e.g. ``how-to/units``) is listed or matched by a glob."""
    for entry, glob in entries:
        entry_name = entry.lstrip("/")
        if glob and fnmatch.fnmatchcase(docname, entry_name):
            return True
        if entry_name == docname:
            return True
    return False


# --------------------------------------------------------------------------
# The checks on the real docs


def test_docs_have_pages() -> None:
    """The docs tree is where the tests expect it, with the four sections."""
    sections = {path.relative_to(DOCS).parts[0] for path in PAGES}
    assert {"tutorial", "how-to", "explanation", "reference"} <= sections


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_code_block_runs_or_says_it_does_not(page: Path) -> None:
    """Python is a doctest; other blocks name a language that is not run."""
    assert problems(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_page_has_a_title(page: Path) -> None:
    """Each page starts with a title (a line with an adornment under it)."""
    assert title(page.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("page", LEAVES, ids=_ids(LEAVES))
def test_every_page_is_reachable_from_the_index(page: Path) -> None:
    """The index's toctrees list or glob every page."""
    entries = toctree_patterns((DOCS / "index.rst").read_text(encoding="utf-8"))
    docname = page.relative_to(DOCS).with_suffix("").as_posix()
    assert reachable(docname, entries), f"{docname} is in no toctree of index.rst"


def test_pytest_runs_the_docs_as_doctests() -> None:
    """The test run collects docs/ and runs every .rst page's >>> lines."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_config = config["tool"]["pytest"]["ini_options"]
    assert "docs" in pytest_config["testpaths"]
    assert "--doctest-glob=*.rst" in pytest_config["addopts"]
    assert {"NORMALIZE_WHITESPACE", "ELLIPSIS"} <= set(
        pytest_config["doctest_optionflags"]
    )


def test_every_example_is_run_by_the_packaging_tests() -> None:
    """Literalinclude may show examples/*.py because test_packaging runs them."""
    text = (ROOT / "tests" / "test_packaging.py").read_text(encoding="utf-8")
    assert 'glob("*.py")' in text
    assert sorted((ROOT / "examples").glob("*.py"))


# --------------------------------------------------------------------------
# The checkers themselves


class TestProblems:
    """The code-block checker accepts the convention and refuses the rest."""

    def test_doctest_paragraph_is_fine(self) -> None:
        """Plain >>> lines are doctests."""
        assert problems("Text\n\n>>> 1 + 1\n2\n") == []

    @pytest.mark.parametrize("language", sorted(NOT_RUN))
    def test_not_run_languages_are_fine(self, language: str) -> None:
        """Console, text, TOML... blocks are shown, not run, by convention."""
        text = f".. code-block:: {language}\n\n   $ ivig-core weight\n"
        assert problems(text) == []

    @pytest.mark.parametrize("language", ["python", "pycon", "py", ""])
    def test_python_block_without_doctest_is_refused(self, language: str) -> None:
        """A Python block that pytest would not run is reported with its line."""
        text = f"Title\n=====\n\n.. code-block:: {language}\n\n   x = 1\n"
        assert [p.split(":")[0] for p in problems(text)] == ["line 4"]

    def test_python_block_with_doctest_is_fine(self) -> None:
        """A pycon block with >>> lines runs, options notwithstanding."""
        text = ".. code-block:: pycon\n   :caption: Example\n\n   >>> 1\n   1\n"
        assert problems(text) == []

    def test_python_literal_block_must_be_a_doctest(self) -> None:
        """A '::' block of Python code must hold >>> lines."""
        assert problems("Run this::\n\n   import ivig_core\n\nAfter.\n")
        assert problems("Run this::\n\n   plan = plan_course(p)\n\nAfter.\n")
        assert problems("Run this::\n\n   >>> x = 1\n\nAfter.\n") == []

    @pytest.mark.parametrize(
        "literal",
        [
            "weekly SC grams = (IVIg grams per dose ÷ weeks) × factor",
            "mL/h = rate × weight × 60 ÷ concentration",
            "dose_g",
            "weight: 700.0 kg is outside the accepted range",
            'sex = "female"\n    weight = "92 kg"\n    risk_factors = ["diabetes"]',
        ],
    )
    def test_text_literal_block_is_fine(self, literal: str) -> None:
        """Formulas, names, messages and TOML in '::' blocks are not Python code."""
        assert problems(f"The formula::\n\n    {literal}\n\nAfter.\n") == []

    def test_directive_lines_ending_in_colons_are_not_literals(self) -> None:
        """'.. note::' is a directive, not a literal block."""
        assert problems(".. note::\n\n   Plain text.\n") == []

    def test_never_run_directives_are_refused(self) -> None:
        """sphinx.ext.doctest's testcode is not collected by pytest."""
        assert problems(".. testcode::\n\n   print(1)\n")

    def test_literalinclude_only_of_examples(self) -> None:
        """Python files shown in the docs must be the executed examples."""
        assert problems(".. literalinclude:: ../../examples/first_plan.py\n") == []
        assert problems(".. literalinclude:: ../../src/ivig_core/units.py\n")
        assert problems(".. literalinclude:: ../../pyproject.toml\n") == []


class TestTitleAndToctree:
    """The title and toctree readers."""

    def test_title_with_and_without_overline(self) -> None:
        """Both title styles are found; a page without one is not."""
        assert title("Title\n=====\n\nText\n") == "Title"
        assert title("=====\nTitle\n=====\n") == "Title"
        assert title(":orphan:\n\nTitle\n-----\n") == "Title"
        assert title("Just text\n\nMore text\n") is None
        assert title("Too long a title\n====\n") is None

    def test_globs_and_entries(self) -> None:
        """Glob toctrees match by pattern; others by exact name."""
        index = (
            ".. toctree::\n   :glob:\n   :maxdepth: 1\n\n   how-to/*\n\n"
            ".. toctree::\n\n   changelog\n   Guide <guide/intro>\n"
        )
        entries = toctree_patterns(index)
        assert reachable("how-to/units", entries)
        assert reachable("changelog", entries)
        assert reachable("guide/intro", entries)
        assert not reachable("explanation/rates", entries)
        assert not reachable("guide/other", entries)
