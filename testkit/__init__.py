"""Tools shared by the tests, the benchmarks and the scripts: the photo synthesizer, pen-style drawings
and the reference digit classifier. Importable from the repository root (pytest's `pythonpath = ["."]`,
`python -m benchmarks.X`, `python -m scripts.X`); not part of the wheel."""
