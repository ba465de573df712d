"""Repeated timings, their medians and spreads, and how they are written in the tables."""

import time

import numpy as np
from edgevae.runtime.benchmark import time_calls

# onnxruntime, TensorFlow and OpenBLAS worker threads spin for a while after their last call; on a
# machine with few cores they would slow down whichever library is timed next.
SETTLE_SECONDS = 0.1


def interleaved(calls: dict, rounds: int, seconds: float, least: int) -> dict[str, list[list[float]]]:
    """Latencies of each call, per round. Rounds take turns between the calls, so the load from other
    processes on a shared machine falls on all of them alike instead of on whichever ran last."""
    latencies = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            time.sleep(SETTLE_SECONDS)
            latencies[name].append(time_calls(call, seconds, least))
    return latencies


def spread(values) -> tuple[float, float, float]:
    """(median, 10th percentile, 90th percentile)."""
    p10, median, p90 = np.percentile(np.asarray(values, dtype=float), [10, 50, 90])
    return float(median), float(p10), float(p90)


def paired_ratio(rounds_a: list[list[float]], rounds_b: list[list[float]]) -> tuple[float, float, float]:
    """Median a/b over rounds, each round's ratio from its own medians; and the lowest and highest round."""
    ratios = [np.median(a) / np.median(b) for a, b in zip(rounds_a, rounds_b, strict=True)]
    return float(np.median(ratios)), float(min(ratios)), float(max(ratios))


def time_unit(seconds: float) -> tuple[float, str]:
    """(scale, unit) that writes `seconds` with a few significant digits."""
    if seconds < 1e-3:
        return 1e6, "µs"
    if seconds < 1:
        return 1e3, "ms"
    return 1.0, "s"


def format_time(seconds: float) -> str:
    scale, unit = time_unit(seconds)
    return f"{number(seconds * scale)} {unit}"


def number(value: float) -> str:
    """Three significant digits, without exponents."""
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def median_and_spread(seconds) -> str:
    """'median (p10–p90) unit', the form of every timing cell; the unit follows the median."""
    median, p10, p90 = spread(seconds)
    scale, unit = time_unit(median)
    return f"{number(median * scale)} ({number(p10 * scale)}–{number(p90 * scale)}) {unit}"


def flatten(rounds: list[list[float]]) -> list[float]:
    return [value for round_values in rounds for value in round_values]
