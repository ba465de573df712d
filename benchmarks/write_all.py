"""Run every benchmark and write the results as markdown: `make bench` (about 15 minutes on 2 cores) or
`make bench-quick` (a few minutes, rougher figures).

    python -m benchmarks.write_all [--quick] [--run-dir runs/default] [--model-dir DIR] [--out BENCHMARKS.md]

Needs the training environment (`pip install -e .[train]`): it compares the runtime with TensorFlow/Keras.
"""

import argparse
import sys
import time
from pathlib import Path

from edgevae.runtime.model_files import bundled_model_dir

from benchmarks import (
    cold_start,
    digits,
    environment,
    install_size,
    latency,
    ort_format,
    photos,
    quality,
    serve,
    training_speed,
    web,
)


def usable_run_dir(path: Path) -> tuple[Path | None, str]:
    """(the run folder, or None when it lacks the Keras models), and a line saying what is skipped."""
    if all((path / name).is_file() for name in ("encoder.keras", "generator.keras")):
        return path, ""
    return None, (
        f"No run folder at {path} (encoder.keras, generator.keras): the Keras and run-quality columns are"
        f" skipped. Make one with `edgevae train --out {path}`."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, runs and epochs: a few minutes")
    parser.add_argument(
        "--run-dir", type=Path, default=Path("runs/default"), help="a folder written by edgevae train"
    )
    parser.add_argument(
        "--model-dir", type=Path, default=None, help="an exported model (default: the bundled one)"
    )
    parser.add_argument("--out", type=Path, help="the markdown file to write (default: print it)")
    args = parser.parse_args()
    model_dir = args.model_dir or bundled_model_dir()
    run_dir, skipped = usable_run_dir(args.run_dir)
    if skipped:
        print(skipped, file=sys.stderr)

    parts = [environment.report(args.quick), *([skipped] if skipped else [])]
    sections = [
        ("latency", lambda: latency.report(model_dir, run_dir, args.quick)),
        ("fresh process", lambda: cold_start.report(model_dir, run_dir, args.quick)),
        ("installed size", install_size.report),
        ("training speed", lambda: training_speed.report(args.quick)),
        ("quality", lambda: quality.report(model_dir, run_dir)),
        ("web", lambda: web.report(args.quick)),
        ("ORT format", lambda: ort_format.report(args.quick)),
        ("photos", photos.report),
        ("asked-for digits", lambda: digits.report(model_dir)),
        ("edgevae serve", lambda: serve.report(args.quick)),
    ]
    for number, (name, section) in enumerate(sections, start=1):
        print(f"[{number}/{len(sections)}] {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        parts.append(section())
        print(f"      {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    text = "\n\n".join(parts) + "\n"
    if args.out is None:
        print(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
