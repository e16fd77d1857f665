#!/usr/bin/env bash
# Every check the project runs: lint, format, import layers, types, docs, tests.
# Uses the interpreter in $PYTHON (default: .venv/bin/python), which must have
# the package and the "dev" dependency group installed (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"

echo "== ruff (lint)"
"$PY" -m ruff check src tests docs examples
echo "== ruff (format)"
"$PY" -m ruff format --check src tests docs examples
echo "== lint-imports (the layers of DESIGN.md, no import circles)"
"$(dirname "$PY")/lint-imports" --no-logo --no-cache
echo "== mypy --strict"
"$PY" -m mypy
echo "== sphinx (warnings are errors)"
rm -rf docs/_build
"$PY" -m sphinx -W --keep-going -q -b html docs docs/_build/html
echo "== pytest (with Hypothesis, doctests of src and docs)"
"$PY" -m pytest -p no:cacheprovider
