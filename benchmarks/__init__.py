"""The benchmarks behind BENCHMARKS.md: run from the repository root as `python -m benchmarks.X`."""
