"""`python -m edgevae`: the `edgevae` command. `edgevae` stays a namespace package (no __init__.py)."""

from edgevae.runtime.cli import main

main()
