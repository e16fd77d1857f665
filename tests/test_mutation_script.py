"""scripts/mutation.py's rewrite of decorated functions (no mutmut run).

mutmut 3 does not mutate a function under a decorator other than a lone
``staticmethod``/``classmethod``. In its scratch copy, ``scripts/mutation.py``
rewrites the module under test so each decorated function is decorated by
assignment (``def f`` then ``f = deco(f)``); these tests show the rewrite and
that the rewritten module behaves as the original.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mutation.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_mutation_script", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


BEFORE = textwrap.dedent(
    """\
    import functools
    from typing import overload

    import attrs

    REGISTRY = {}


    def check(*, code):
        def register(function):
            REGISTRY[code] = function
            return function
        return register


    def twice(function):
        return lambda *args: 2 * function(*args)


    @check(code="LOW")
    def _low(x):
        return x < 3


    @twice
    @check(code="INNER")
    def _plus_one(x):
        return x + 1


    @functools.cache
    def square(x):
        return x * x


    @overload
    def same(x: int) -> int: ...
    @overload
    def same(x: str) -> str: ...
    def same(x):
        return x


    @attrs.frozen
    class Box:
        grams: float = attrs.field()

        @grams.validator
        def _positive(self, attribute, value):
            if value <= 0:
                raise ValueError(attribute.name)

        @property
        def kilograms(self):
            return self.grams / 1000

        @staticmethod
        def unit():
            return "g"


    class Dial:
        def __init__(self):
            self._level = 0

        @property
        def level(self):
            return self._level

        @level.setter
        def level(self, value):
            self._level = value
    """
)

# The expected rewrite: each decorated function is followed by its decorators,
# innermost first, as assignments in the same scope. Overloads, a lone
# staticmethod and the property setter stay as they are.
AFTER_FRAGMENTS = (
    'def _low(x):\n    return x < 3\n_low = check(code="LOW")(_low)\n',
    (
        "def _plus_one(x):\n    return x + 1\n"
        '_plus_one = check(code="INNER")(_plus_one)\n_plus_one = twice(_plus_one)\n'
    ),
    "def square(x):\n    return x * x\nsquare = functools.cache(square)\n",
    "@overload\ndef same(x: int) -> int: ...\n@overload\ndef same(x: str)",
    "    def _positive(self, attribute, value):\n",
    (
        "            raise ValueError(attribute.name)\n"
        "    _positive = grams.validator(_positive)\n"
    ),
    "        return self.grams / 1000\n    kilograms = property(kilograms)\n",
    "    @staticmethod\n    def unit():\n",
    "    @level.setter\n    def level(self, value):\n",
)


def _load(name: str, source: str) -> Any:
    module = ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)  # noqa: S102 - the test's own text
    return module


def test_the_rewrite_decorates_by_assignment() -> None:
    """Decorators become assignments; overloads and setters stay and are listed."""
    after, kept = _script().undecorate(BEFORE)
    for fragment in AFTER_FRAGMENTS:
        assert fragment in after
    assert "@check" not in after
    assert "@twice" not in after
    assert "@functools.cache" not in after
    assert "@grams.validator" not in after
    assert "@property" not in after
    # What stays decorated is listed with its lines in the original source.
    assert kept == [
        ("same", 36, 37, "typing.overload"),
        ("same", 38, 39, "typing.overload"),
        ("Dial.level", 70, 72, "@level.setter (the name is the property's)"),
    ]


def test_the_rewritten_module_behaves_the_same() -> None:
    """Registration, wrapping, caching, properties and validators all still work."""
    after, _ = _script().undecorate(BEFORE)
    for module in (_load("before", BEFORE), _load("after", after)):
        assert sorted(module.REGISTRY) == ["INNER", "LOW"]
        assert module.REGISTRY["LOW"] is module._low
        assert module._low(2) is True
        assert module._low(3) is False
        # twice(check(INNER)(f)): the registry holds the inner function.
        assert module.REGISTRY["INNER"](1) == 2
        assert module._plus_one(1) == 4
        assert module.square(4) == 16
        assert module.square.cache_info().hits == 0
        assert module.square(4) == 16
        assert module.square.cache_info().hits == 1
        assert module.same("a") == "a"
        box = module.Box(2500.0)
        assert box.kilograms == 2.5
        assert module.Box.unit() == "g"
        with pytest.raises(ValueError, match=r"^grams$"):
            module.Box(0.0)
        dial = module.Dial()
        dial.level = 3
        assert dial.level == 3


def test_a_module_without_decorators_is_unchanged() -> None:
    """Plain functions and a lone classmethod are left as they are."""
    source = (
        "def f(x):\n    return x + 1\n\n\n"
        "class A:\n    @classmethod\n    def g(cls):\n        return 1\n"
    )
    assert _script().undecorate(source) == (source, [])


def test_an_equivalent_the_tests_kill_is_stale() -> None:
    """A listed equivalent that was killed is reported, not silently dropped.

    Mutant names hold positions; after an edit a listed name can point at a
    mutant that changes behaviour. It still does not count in the score.
    """
    script = _script()
    result = script.Result(
        "body",
        statuses={"a__mutmut_1": "killed", "a__mutmut_2": "survived"},
        equivalent={"a__mutmut_1": "was equivalent", "a__mutmut_2": "is"},
    )
    assert result.stale == ["a__mutmut_1"]
    assert result.counted == {}
    assert result.score == 100.0
    fresh = script.Result(
        "body",
        statuses={"a__mutmut_1": "killed", "a__mutmut_2": "survived"},
        equivalent={"a__mutmut_2": "is"},
    )
    assert fresh.stale == []
    assert (fresh.killed, fresh.score) == (1, 100.0)


def test_accepted_survivors_count_but_are_shown_apart() -> None:
    """An accepted survivor lowers the score but is not listed as a survivor."""
    script = _script()
    result = script.Result(
        "body",
        statuses={"a__mutmut_1": "killed", "a__mutmut_2": "survived"},
        accepted={"a__mutmut_2": "needs a course in year 9999"},
    )
    assert result.survivors == []
    assert (result.killed, len(result.counted), result.score) == (1, 2, 50.0)
    assert result.stale == []
    killed = script.Result(
        "body",
        statuses={"a__mutmut_1": "killed"},
        accepted={"a__mutmut_1": "was accepted"},
    )
    assert killed.stale == ["a__mutmut_1"]


def test_the_listed_mutants_load() -> None:
    """The project's list parses, every reason is written, no name is in both."""
    listed = _script()._load_listed()
    assert set(listed) == {"equivalent", "accepted"}
    assert not set(listed["equivalent"]) & set(listed["accepted"])
    for table in listed.values():
        for name, reason in table.items():
            assert name.startswith("ivig_core."), name
            assert len(reason) > 10, name
