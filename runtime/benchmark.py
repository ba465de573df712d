"""Time generate and encode on this machine, for `edgevae bench`."""

import time

import numpy as np


def time_calls(call, seconds: float, least: int = 5) -> list[float]:
    """Latencies in seconds of repeated calls, for about `seconds` and at least `least` calls."""
    call()  # the first run allocates buffers; leave it out
    latencies = []
    deadline = time.perf_counter() + seconds
    while len(latencies) < least or time.perf_counter() < deadline:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def measure_models(generator, encoder, batches, seconds: float) -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    for batch in batches:
        z = rng.standard_normal((batch, generator.config.latent_dim), dtype=np.float32)
        images = rng.random((batch, *encoder.config.image_shape), dtype=np.float32)
        calls = {
            "generate": lambda z=z: generator.generate(z),
            "encode": lambda images=images: encoder.encode(images),
        }
        for name, call in calls.items():
            latencies = np.array(time_calls(call, seconds))
            median = float(np.median(latencies))
            rows.append(
                {
                    "operation": name,
                    "batch": batch,
                    "median_ms": median * 1e3,
                    "p90_ms": float(np.percentile(latencies, 90)) * 1e3,
                    "images_per_second": batch / median,
                    "calls": len(latencies),
                }
            )
    return rows


def format_table(rows: list[dict]) -> str:
    lines = [f"{'operation':<10} {'batch':>6} {'median ms':>10} {'p90 ms':>10} {'images/s':>12}"]
    for row in rows:
        lines.append(
            f"{row['operation']:<10} {row['batch']:>6} {row['median_ms']:>10.3f} {row['p90_ms']:>10.3f}"
            f" {row['images_per_second']:>12,.0f}"
        )
    return "\n".join(lines)
