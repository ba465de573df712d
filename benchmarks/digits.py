"""Section 6: asked-for digits. `Generator.sample(100, digit=d)` for each digit, fp32 and int8, read by the
reference classifier (testkit/digit_classifier.py); and what the class means would have given instead.

    python -m benchmarks.digits [--model-dir DIR]     # prints the markdown section
"""

import argparse
from pathlib import Path

import numpy as np
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.model_files import bundled_model_dir
from edgevae.train.data import load_mnist

from benchmarks.tables import table
from testkit.digit_classifier import asked_digit_quality, classify, train_classifier

SAMPLES = 100


def report(model_dir: Path) -> str:
    mnist = load_mnist()
    weights = train_classifier(mnist)
    figures = {
        precision: asked_digit_quality(
            weights, Generator(model_dir, int8=int8), Encoder(model_dir, int8=int8), mnist, samples=SAMPLES
        )
        for precision, int8 in (("fp32", False), ("int8", True))
    }
    z_mean, _ = Encoder(model_dir).encode(mnist.x_test)
    class_means = np.stack([z_mean[mnist.y_test == digit].mean(axis=0) for digit in range(10)])
    read_means = classify(weights, Generator(model_dir).generate(class_means))

    rows = [
        [
            digit,
            *[f"{figures[p][digit][0]:.0%}" for p in figures],
            *[f"{figures[p][digit][1]:.2f}" for p in figures],
            str(read_means[digit]),
        ]
        for digit in range(10)
    ]
    rows.append(
        [
            "all",
            *[f"{np.mean([read for read, _ in figures[p]]):.1%}" for p in figures],
            *[f"median {np.median([ratio for _, ratio in figures[p]]):.2f}" for p in figures],
            f"{(read_means == np.arange(10)).sum()} of 10 right",
        ]
    )
    return "\n\n".join(
        [
            "## 6. Asked-for digits",
            f"`Generator.sample({SAMPLES}, seed=d, digit=d)` for each digit d, from {model_name(model_dir)}."
            " *Read as asked*: the share the reference classifier (edgevae.train.reference_classifier, a"
            " numpy MLP on pixels, about 98% on the MNIST test set) reads as d (the quality test asks >= 99%"
            " overall, >= 95% each). *Variety*: the mean per-pixel standard deviation across the samples over"
            f" that of the model's reconstructions of the first {SAMPLES} test images of d (the test asks a"
            " median >= 0.3). *Class mean reads as*: the digit the classifier reads in the decoded mean of"
            " d's test codes, the naive anchor the exporter does not use.",
            table(
                [
                    "digit",
                    "read as asked, fp32",
                    "read as asked, int8",
                    "variety, fp32",
                    "variety, int8",
                    "class mean reads as",
                ],
                rows,
            ),
        ]
    )


def model_name(model_dir: Path) -> str:
    return (
        "the bundled model" if Path(model_dir).resolve() == bundled_model_dir().resolve() else str(model_dir)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model-dir", type=Path, default=None, help="an exported model (default: the bundled one)"
    )
    args = parser.parse_args()
    print(report(args.model_dir or bundled_model_dir()))


if __name__ == "__main__":
    main()
