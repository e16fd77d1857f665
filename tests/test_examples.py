"""Every how-to's code is also a runnable script under ``examples/how-to/``.

A how-to page's code is its doctests. :func:`script` turns a page's doctests
into a plain Python script (an expression whose value the page shows is
printed; a refusal the page shows is caught and printed), and the tests check
that ``examples/how-to/<page>.py`` is that script and that it runs. After
editing a how-to, regenerate the scripts with::

    python tests/test_examples.py

A page that reads a shipped example file (``examples/...``) finds it: the
script's empty folder links ``examples`` to the project's.
"""

from __future__ import annotations

import ast
import doctest
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Final

import pytest


ROOT: Final = Path(__file__).resolve().parents[1]
HOW_TO: Final = ROOT / "docs" / "how-to"
EXAMPLES: Final = ROOT / "examples" / "how-to"
#: How-to pages without a script, and why.
LEFT_OUT: Final[dict[str, str]] = {}


def _has_code(page: Path) -> bool:
    """Whether *page* has Python examples (a page of shell commands has none)."""
    text = page.read_text(encoding="utf-8")
    return bool(doctest.DocTestParser().get_examples(text, name=page.name))


PAGES: Final = sorted(
    p for p in HOW_TO.glob("*.rst") if p.stem not in LEFT_OUT and _has_code(p)
)


def _value(source: str) -> str | None:
    """The expression *source* is (the doctest shows its value), or ``None``.

    A call of ``print`` is left alone: it prints already.
    """
    tree = ast.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    value = tree.body[0].value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "print"
    ):
        return None
    return ast.unparse(value)


def _statement(example: doctest.Example) -> str:
    source = example.source.rstrip("\n")
    if example.exc_msg is not None:
        body = textwrap.indent(source, "    ")
        return (
            "try:\n"
            f"{body}\n"
            "except Exception as exc:  # noqa: BLE001 - the page shows this refusal\n"
            '    print(f"refused: {exc}")'
        )
    value = _value(source) if example.want else None
    return source if value is None else f"print({value})"


def script(page: Path) -> str:
    """The runnable script of a how-to *page*: its doctests, in order."""
    text = page.read_text(encoding="utf-8")
    examples = doctest.DocTestParser().get_examples(text, name=page.name)
    head = (
        f'"""The code of the how-to docs/how-to/{page.name}, as a script.\n\n'
        "Generated from the page's examples by tests/test_examples.py; run it\n"
        "from anywhere: it writes only into a temporary directory if at all.\n"
        '"""\n'
    )
    body = "\n".join(_statement(e) for e in examples)
    # The guard lets a page that plans in a process pool run as a script: a
    # spawned worker imports this file without running it again.
    guarded = textwrap.indent(body, "    ", lambda line: bool(line.strip()))
    return f'{head}\n\nif __name__ == "__main__":\n{guarded}\n'


def _target(page: Path) -> Path:
    # how_to_json.py, not json.py: a script's folder comes first on sys.path.
    return EXAMPLES / f"how_to_{page.stem.replace('-', '_')}.py"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_script_is_the_page(page: Path) -> None:
    """The shipped script is the page's code (regenerate: see the module doc)."""
    target = _target(page)
    assert target.exists(), f"{target} is missing: run python tests/test_examples.py"
    assert target.read_text(encoding="utf-8") == script(page), (
        f"{target} is not the code of {page.name}: run python tests/test_examples.py"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_script_runs(page: Path, tmp_path: Path) -> None:
    """The script runs on its own, in a fresh interpreter, in an empty folder."""
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    result = subprocess.run(  # noqa: S603 - our own example scripts
        [sys.executable, str(_target(page))],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_every_how_to_has_a_script() -> None:
    """No script without its page, no page without its script (or a reason)."""
    shipped = {p.stem for p in EXAMPLES.glob("*.py")}
    assert shipped == {_target(p).stem for p in PAGES}


def _write() -> None:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for page in PAGES:
        _target(page).write_text(script(page), encoding="utf-8")
        sys.stdout.write(f"wrote {_target(page).relative_to(ROOT)}\n")


if __name__ == "__main__":
    _write()
