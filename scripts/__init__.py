"""Helper scripts for `make docs` and the release checks, run from the repository root as
`python -m scripts.X`."""
