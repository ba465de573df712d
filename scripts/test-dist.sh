#!/usr/bin/env bash
# Test the release artifacts in dist/ (made by `make dist`), not the source tree:
#   1. the sdist builds the same wheel as the tree (same files, same bytes);
#   2. the wheel, installed alone in a clean venv (with the serve extra), passes the runtime and server
#      tests, run from a copy of tests/ so that nothing from the checkout can be imported instead of the
#      installed package (the server tests compare the pages the wheel serves with web/'s).
# Usage: scripts/test-dist.sh PYTHON   (a Python with `build`, e.g. .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="$1"
WORK=build/test-dist
# setuptools builds a tree's wheel through build/lib: files left there from older trees would leak into it.
rm -rf build/lib build/bdist.*
rm -rf "$WORK"
mkdir -p "$WORK"

wheels=(dist/edgevae-*.whl)
sdists=(dist/edgevae-*.tar.gz)
[[ ${#wheels[@]} == 1 && -f ${wheels[0]} && ${#sdists[@]} == 1 && -f ${sdists[0]} ]] \
  || { echo "test-dist: dist/ must hold one wheel and one sdist: run make dist" >&2; exit 1; }

echo "test-dist: the wheel from the tree vs the wheel in dist/ (built from the sdist)"
"$PYTHON" -m build --wheel --outdir "$WORK/from-tree" . >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; exit 1; }
"$PYTHON" scripts/compare_wheels.py "$WORK"/from-tree/edgevae-*.whl "${wheels[0]}"

echo "test-dist: installing ${wheels[0]} into a clean venv"
"$PYTHON" -m venv "$WORK/venv"
VENV_PYTHON="$PWD/$WORK/venv/bin/python"
"$VENV_PYTHON" -m pip install --quiet "${wheels[0]}[serve,dev]"   # dev: pytest and the tests' own tools

# The tests, pytest's settings and the files the tests compare with, without the package's sources.
mkdir -p "$WORK/checkout/web"
cp -r tests pyproject.toml docs examples "$WORK/checkout/"
cp web/*.html web/*.mjs web/*.css "$WORK/checkout/web/"
find "$WORK/checkout" -name __pycache__ -prune -exec rm -rf {} +
cd "$WORK/checkout"
"$VENV_PYTHON" - <<'EOF'
import sys
from pathlib import Path

import edgevae.runtime
import edgevae.web

for package in (edgevae.runtime, edgevae.web):
    where = Path(package.__file__).resolve()
    assert where.is_relative_to(Path(sys.prefix).resolve()), f"{package.__name__} comes from {where}, not the venv"
    print(f"test-dist: {package.__name__} is {where}")
EOF
"$VENV_PYTHON" -m pytest -q -p no:cacheprovider tests/runtime tests/server
