"""Mutation testing of the clinical core, on demand (not in CI: slow on two cores).

Runs mutmut 3 over each clinical module with that module's own small test subset and
prints, per module, the number of mutants, how many the tests killed, the score, and
the surviving mutants (with their diffs under ``--diff``).

Install the tool once (it is in its own dependency group, not in ``dev``)::

    .venv/bin/pip install -e . --group mutation

Then::

    .venv/bin/python scripts/mutation.py                 # every module, 2 at a time
    .venv/bin/python scripts/mutation.py body vials      # some modules
    .venv/bin/python scripts/mutation.py --list          # the modules and their tests
    .venv/bin/python scripts/mutation.py body --diff     # survivors with their diffs

Each module runs in its own scratch copy of ``src/`` and ``tests/`` (under
``--workdir``, default ``/tmp/ivig-mutation``), so modules run in parallel and the
work tree is never touched. Mutants listed in ``scripts/mutation-equivalent.toml``
are shown apart with their reasons: under ``[equivalent]`` (they cannot change
behaviour) they are not counted; under ``[accepted]`` (killable, left with a reason)
they count as not killed. A listed mutant that the tests kill is reported as STALE:
names hold positions, so an edit can move a name onto another mutant.

Scoring: killed = the tests failed (or timed out, or the mutant could not even be
imported); survived = the tests passed, or no test of the subset ran the mutated
function. score = killed / (mutants - equivalent).

What mutmut 3 mutates: the bodies of functions and methods (operators, comparisons,
numbers, strings, ``and``/``or``, ``True``/``False``, arguments). It does not mutate
module-level constants nor functions under a decorator other than ``staticmethod``
and ``classmethod``. So, in the scratch copy only, the module under test is rewritten
to decorate by assignment (``def f(...)`` then ``f = check(...)(f)``; see
``undecorate``): the bodies of the safety checks, properties, cached functions and
attrs validators are mutated. What is still not mutated (overloads, property
setters) is printed per module with its lines, so a score never hides unmutated
code. Module-level clinical constants are pinned by the worked examples in the
``tests/test_mut_*.py`` files, which fail if a constant moves.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = ROOT / "scripts" / "mutation-equivalent.toml"

# module name -> (source file under src/ivig_core, its test subset). Each subset also
# picks up tests/test_mut_<name>.py and tests/test_<name>_boundaries.py when present.
# The safety families: each runs the test files that exercise its checks (and
# its own tests/test_mut_safety_<family>.py), not every safety test.
_CHECKS = "tests/test_safety_checks.py"
_FINDINGS = "tests/test_safety_findings.py"
_SC = "tests/test_safety_sc.py"
_WORKED = "tests/test_safety_worked_example.py"
_LABEL = "tests/test_label_rules.py"
_REGISTRY = "tests/test_safety_registry.py"
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "body": ("body.py", ("tests/test_body.py",)),
    "dosing_weight": ("dosing_weight.py", ("tests/test_dosing_weight.py",)),
    "split": ("planning/split.py", ("tests/test_split.py",)),
    "taper": ("planning/taper.py", ("tests/test_taper.py",)),
    "vials": ("vials.py", ("tests/test_vials.py",)),
    "dispensing": ("planning/dispensing.py", ("tests/test_vials.py",)),
    "rates": ("rates.py", ("tests/test_infusion.py",)),
    "infusion": ("infusion.py", ("tests/test_infusion.py",)),
    "safety_dose": ("safety/dose.py", (_CHECKS, _FINDINGS, _LABEL, _SC)),
    "safety_iga": ("safety/iga.py", (_CHECKS, _FINDINGS, _LABEL, _REGISTRY)),
    "safety_rate": ("safety/rate.py", (_CHECKS, _FINDINGS, _WORKED, _SC)),
    "safety_renal": ("safety/renal.py", (_CHECKS, _FINDINGS, _WORKED, _SC)),
    "safety_thrombosis": ("safety/thrombosis.py", (_CHECKS, _WORKED, _SC)),
    "safety_other": ("safety/other.py", (_CHECKS, _FINDINGS, _WORKED, _SC, _REGISTRY)),
    "safety_sc": ("safety/sc.py", (_SC,)),
    "safety_contraindications": ("safety/contraindications.py", (_LABEL, _CHECKS)),
    "safety_rounding": ("safety/rounding.py", ("tests/test_safety_rounding.py",)),
    "safety_duration": ("safety/duration.py", ("tests/test_safety_duration.py",)),
    "scig_conversion": ("scig/conversion.py", ("tests/test_scig.py",)),
    "scig_hyqvia": (
        "scig/hyqvia.py",
        ("tests/test_scig.py", "tests/test_mut_scig_conversion.py"),
    ),
    "scig_sites": ("scig/sites.py", ("tests/test_scig.py",)),
}

_HYPOTHESIS_PROFILE = """

# --- added by scripts/mutation.py in its scratch copy
settings.register_profile(
    "mutation",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=10,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("mutation")
"""

_KILLED = {"killed", "timeout", "caught by type check", "segfault"}
_SURVIVED = {"survived", "no tests"}
_RESULT_LINE = re.compile(r"^\s*(?P<name>ivig_core\.\S+): (?P<status>.+?)\s*$")


@dataclass
class Result:
    """One module's outcome."""

    module: str
    statuses: dict[str, str] = field(default_factory=dict)
    equivalent: dict[str, str] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)
    not_mutated: list[tuple[str, int, int, str]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def counted(self) -> dict[str, str]:
        """The statuses of the mutants that count (not equivalent)."""
        return {k: v for k, v in self.statuses.items() if k not in self.equivalent}

    @property
    def killed(self) -> int:
        """Mutants the tests caught."""
        return sum(v in _KILLED for v in self.counted.values())

    @property
    def survivors(self) -> list[tuple[str, str]]:
        """Mutants the tests did not catch (and nobody has accepted)."""
        return sorted(
            (k, v)
            for k, v in self.counted.items()
            if v in _SURVIVED and k not in self.accepted
        )

    @property
    def other(self) -> int:
        """Mutants with another status (suspicious, skipped, not checked)."""
        return sum(v not in _KILLED | _SURVIVED for v in self.counted.values())

    @property
    def stale(self) -> list[str]:
        """Listed equivalent or accepted mutants the tests killed.

        A name holds the mutant's position in its function, so an edit above
        it moves the name onto another mutant; the list must then be redone.
        """
        listed = (*self.equivalent, *self.accepted)
        return sorted(k for k in listed if self.statuses.get(k) in _KILLED)

    @property
    def score(self) -> float:
        """Killed over counted mutants, in per cent."""
        n = len(self.counted)
        return 100.0 * self.killed / n if n else 100.0


def _tests_for(name: str, root: Path = ROOT) -> list[str]:
    _, tests = MODULES[name]
    extra = [f"tests/test_mut_{name}.py", f"tests/test_{name}_boundaries.py"]
    return [t for t in (*tests, *extra) if (root / t).exists()]


def _load_listed() -> dict[str, dict[str, str]]:
    """The ``[equivalent]`` and ``[accepted]`` tables, name -> reason."""
    data = (
        tomllib.loads(EQUIVALENT_FILE.read_text("utf-8"))
        if EQUIVALENT_FILE.exists()
        else {}
    )
    return {
        table: {str(k): str(v) for k, v in data.get(table, {}).items()}
        for table in ("equivalent", "accepted")
    }


# --- decorated functions: mutmut 3 skips any function under a decorator other than
# a lone staticmethod/classmethod. In the scratch copy only, each decorated function
# is decorated by assignment instead (``def f(...)`` then ``f = deco(f)`` in the same
# scope, innermost decorator first), so mutmut mutates its body; the trampoline it
# puts in place of ``f`` is what the decorator then wraps. Left decorated (and
# listed as not mutated): typing overloads, property setters/deleters (their name
# is the property's, so assigning it would lose the getter), and functions mutmut
# skips for another reason.
_KEEP = frozenset({"staticmethod", "classmethod"})
_OVERLOAD = frozenset({"overload", "typing.overload"})


def _dotted(node: object) -> str:
    import libcst as cst  # noqa: PLC0415 - in the mutation dependency group only

    if isinstance(node, cst.Call):
        return _dotted(node.func)
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _why_kept(function: object) -> str:
    """Why a decorated function stays decorated ("" if it can be rewritten)."""
    names = [_dotted(d.decorator) for d in function.decorators]  # type: ignore[attr-defined]
    if not names or (len(names) == 1 and names[0] in _KEEP):
        return ""
    if any(n in _OVERLOAD for n in names):
        return "typing.overload"
    for n in names:
        if n.endswith((".setter", ".deleter")):
            return f"@{n} (the name is the property's)"
    return ""


def undecorate(source: str) -> tuple[str, list[tuple[str, int, int, str]]]:
    """Rewrite *source* so its decorated functions are decorated by assignment.

    Returns the new source and the functions left decorated, as (qualified name,
    first line, last line, reason) in the original source's lines.
    """
    import libcst as cst  # noqa: PLC0415 - in the mutation dependency group only
    from libcst.metadata import MetadataWrapper, PositionProvider  # noqa: PLC0415

    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    kept: list[tuple[str, int, int, str]] = []

    class _Rewrite(cst.CSTTransformer):
        # libcst dispatches on the visit_<Node>/leave_<Node> names (N802) and
        # passes both the original and the updated node (ARG002).
        def __init__(self) -> None:
            self.scope: list[str] = []

        def visit_ClassDef(self, node: cst.ClassDef) -> None:  # noqa: N802
            self.scope.append(node.name.value)

        def leave_ClassDef(  # noqa: N802
            self,
            original_node: cst.ClassDef,  # noqa: ARG002
            updated_node: cst.ClassDef,
        ) -> cst.ClassDef:
            self.scope.pop()
            return updated_node

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:  # noqa: N802
            name = ".".join([*self.scope, node.name.value])
            why = _why_kept(node)
            if why:
                first = positions[node.decorators[0]].start.line
                kept.append((name, first, positions[node].end.line, why))
            self.scope.append(node.name.value)

        def leave_FunctionDef(  # noqa: N802
            self,
            original_node: cst.FunctionDef,  # noqa: ARG002
            updated_node: cst.FunctionDef,
        ) -> cst.FunctionDef | cst.FlattenSentinel[cst.BaseStatement]:
            self.scope.pop()
            names = [_dotted(d.decorator) for d in updated_node.decorators]
            if not names or _why_kept(updated_node):
                return updated_node
            if len(names) == 1 and names[0] in _KEEP:
                return updated_node
            name = updated_node.name
            assignments = [
                cst.SimpleStatementLine(
                    [
                        cst.Assign(
                            [cst.AssignTarget(name)],
                            cst.Call(d.decorator, [cst.Arg(name)]),
                        )
                    ]
                )
                for d in reversed(updated_node.decorators)
            ]
            return cst.FlattenSentinel(
                [updated_node.with_changes(decorators=()), *assignments]
            )

    rewritten = wrapper.visit(_Rewrite())
    return rewritten.code, kept


def _prepare(
    name: str, workdir: Path, ref: str | None
) -> tuple[Path, list[tuple[str, int, int, str]]]:
    source, _ = MODULES[name]
    here = workdir / name
    if here.exists():
        shutil.rmtree(here)
    here.mkdir(parents=True)
    if ref is None:
        shutil.copytree(ROOT / "src", here / "src")
        shutil.copytree(
            ROOT / "tests",
            here / "tests",
            ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"),
        )
        shutil.copytree(  # tests/test_safety_sc.py reads the findings page's code
            ROOT / "docs" / "_ext",
            here / "docs" / "_ext",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        shutil.copytree(  # tests/test_safety_rounding.py reads a site protocol
            ROOT / "examples",
            here / "examples",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    else:  # a committed state, e.g. main for a "before" table
        archive = subprocess.run(  # noqa: S603 - fixed arguments
            [  # noqa: S607 - git from PATH
                "git",
                "archive",
                ref,
                *("src", "tests", "docs/_ext", "examples", "pyproject.toml"),
            ],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(  # noqa: S603 - fixed arguments
            ["tar", "-x", "-C", str(here)],  # noqa: S607
            input=archive,
            check=True,
        )
    # The module under test, with its decorated functions decorated by
    # assignment so mutmut mutates their bodies (the work tree keeps the idiom).
    module = here / "src" / "ivig_core" / source
    text, kept = undecorate(module.read_text("utf-8"))
    module.write_text(text, "utf-8")
    # Property tests run 10 derandomised examples per mutant: the same examples
    # every run (a mutant is killed or not, never by chance), and minutes, not
    # hours. The worked examples carry the precise checks.
    with (here / "tests" / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(_HYPOTHESIS_PROFILE)
    config = {
        "source_paths": ["src"],
        "only_mutate": [f"src/ivig_core/{source}"],
        "pytest_add_cli_args_test_selection": _tests_for(name, here),
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "-x"],
        "use_git_change_detection": False,
        "also_copy": ["docs/_ext", "examples"],
        # Fork each mutant's test run from a process that has imported the tests
        # but run none: the library's caches (vial tables, selections, parsed
        # units) start empty, so a mutant in code behind a cache is run, not
        # skipped because the unmutated stats run filled the cache.
        "process_isolation": "forkserver",
    }
    lines = [f"{key} = {json.dumps(value)}" for key, value in config.items()]
    text = (here / "pyproject.toml").read_text("utf-8") if ref else ""
    text = text or (ROOT / "pyproject.toml").read_text("utf-8")
    text = text.replace("--doctest-modules", "--no-header")  # the subset only
    (here / "pyproject.toml").write_text(
        text + "\n[tool.mutmut]\n" + "\n".join(lines) + "\n", "utf-8"
    )
    return here, kept


def _mutmut(here: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "mutmut", *args],
        cwd=here,
        capture_output=True,
        text=True,
        check=False,
    )


def run_module(
    name: str, workdir: Path, lists: dict[str, dict[str, str]], ref: str | None = None
) -> Result:
    """Run mutmut over one module in its own scratch copy."""
    start = time.monotonic()
    result = Result(name)
    here, result.not_mutated = _prepare(name, workdir, ref)
    run = _mutmut(here, "run", "--max-children", "1")
    (here / "run.log").write_text(run.stdout + run.stderr, "utf-8")
    listed = _mutmut(here, "results", "--all", "true")
    for line in listed.stdout.splitlines():
        match = _RESULT_LINE.match(line)
        if match:
            result.statuses[match["name"]] = match["status"]
    if not result.statuses:
        result.error = f"no mutants listed; see {here / 'run.log'}"
    result.equivalent = {
        k: v for k, v in lists["equivalent"].items() if k in result.statuses
    }
    result.accepted = {
        k: v for k, v in lists["accepted"].items() if k in result.statuses
    }
    result.seconds = time.monotonic() - start
    return result


def _print_table(results: list[Result]) -> None:
    print(
        "| module | mutants | equivalent | killed | accepted | survived | other"
        " | score | functions not mutated |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        source, _ = MODULES[r.module]
        print(
            f"| {source} | {len(r.statuses)} | {len(r.equivalent)} | {r.killed} |"
            f" {len(r.accepted)} | {len(r.survivors)} | {r.other} | {r.score:.1f} % |"
            f" {len(r.not_mutated)} |"
        )


def _print_module(r: Result, workdir: Path, *, diff: bool) -> None:
    """One module's section: errors, unmutated functions, equivalents, survivors."""
    print(f"\n## {MODULES[r.module][0]} ({r.seconds:.0f} s)")
    if r.error:
        print(f"ERROR: {r.error}")
    for function, first, last, why in r.not_mutated:
        print(f"  not mutated {function} (lines {first}-{last}): {why}")
    for key, reason in sorted(r.equivalent.items()):
        print(f"  equivalent {key}: {reason}")
    for key, reason in sorted(r.accepted.items()):
        print(f"  accepted   {key}: {reason}")
    for key in r.stale:
        print(f"  STALE      {key}: listed but killed; re-list")
    for key, status in r.survivors:
        print(f"  {status:9} {key}")
        if diff:
            shown = _mutmut(workdir / r.module, "show", key).stdout
            print("\n".join("      " + s for s in shown.splitlines()))


def main(argv: list[str] | None = None) -> int:
    """Run the selected modules and print the table and the survivors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module names (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="modules run at once")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ivig-mutation"))
    parser.add_argument("--diff", action="store_true", help="show survivors' diffs")
    parser.add_argument("--list", action="store_true", help="list modules and tests")
    parser.add_argument(
        "--json", type=Path, help="also write the statuses to this JSON file"
    )
    parser.add_argument(
        "--ref", help="test a committed state (e.g. main) instead of the work tree"
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, (source, _) in MODULES.items():
            print(f"{name:24} src/ivig_core/{source:24} {' '.join(_tests_for(name))}")
        return 0
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {sorted(MODULES)}")
    names = args.modules or list(MODULES)
    listed = _load_listed()
    args.workdir.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [
            pool.submit(run_module, n, args.workdir, listed, args.ref) for n in names
        ]
        results = []
        for future in futures:
            results.append(future.result())
            done = results[-1]
            print(
                f"done {done.module}: {done.killed}/{len(done.counted)} killed"
                f" ({done.score:.1f} %, {done.seconds:.0f} s)",
                flush=True,
            )
    for r in results:
        _print_module(r, args.workdir, diff=args.diff)
    print()
    _print_table(results)
    stale = sum(len(r.stale) for r in results)
    if stale:
        print(f"\n{stale} listed mutant(s) were killed: see STALE above")
    if args.json:
        args.json.write_text(
            json.dumps({r.module: r.statuses for r in results}, indent=1), "utf-8"
        )
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
