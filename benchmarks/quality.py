"""Section 5: the model's quality, from a run's metrics.json and an exported model's manifest.json."""

import json
from pathlib import Path

from edgevae.runtime.model_files import read_manifest

from benchmarks.tables import table

NOTEBOOK_VAL_LOSS = 0.1764  # the seed notebook's val_loss after 300 epochs
FIGURES = (  # (metrics key, what it is, digits, the notebook's figure)
    ("test_negative_elbo_nats", "test -ELBO (nats per image)", 2, ""),
    ("test_reconstruction_nats", "reconstruction (nats per image)", 2, ""),
    ("test_kl_nats", "KL (nats per image)", 2, ""),
    ("test_bce_per_pixel", "BCE per pixel (nats)", 4, ""),
    ("test_seed_objective", "notebook objective (its val_loss)", 4, f"{NOTEBOOK_VAL_LOSS}"),
    ("objective", "trained on", None, "its own objective"),
    ("epochs", "epochs", None, "300"),
    ("best_epoch", "best epoch", None, ""),
)


def figure(metrics: dict | None, key: str, digits: int | None) -> str:
    if not metrics or key not in metrics:
        return "–"
    value = metrics[key]
    return f"{value:.{digits}f}" if digits is not None else str(value)


def report(model_dir: Path, run_dir: Path | None) -> str:
    run_metrics = None
    if run_dir is not None and (run_dir / "metrics.json").is_file():
        run_metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    manifest = read_manifest(model_dir) or {}
    model_metrics = manifest.get("metrics")

    rows = [
        [name, figure(run_metrics, key, digits), figure(model_metrics, key, digits), notebook]
        for key, name, digits, notebook in FIGURES
    ]
    seed = (run_metrics or {}).get("test_seed_objective")
    ratio = (
        f" The run's notebook objective is {seed / NOTEBOOK_VAL_LOSS:.3f}x the notebook's." if seed else ""
    )
    note = f" The manifest notes: {model_metrics['note']}." if "note" in (model_metrics or {}) else ""

    parts = [
        "## 5. Quality",
        f"Run: {run_dir}/metrics.json" if run_metrics else "Run: no metrics.json (no run folder).",
        f"Exported model: the figures {model_dir}/manifest.json carries.{note}"
        f" Test set, one latent sample per image.{ratio}",
        table(["figure", "run", "exported model", "seed notebook"], rows),
    ]
    errors = manifest.get("int8_error")
    if errors:
        error_rows = [
            [role, output, f"{values['max_abs']:.4g}", f"{values['mean_abs']:.4g}"]
            for role, outputs in errors.items()
            for output, values in outputs.items()
        ]
        parts += [
            "int8 models against fp32 (manifest's int8_error; generator outputs are pixels in [0, 1]).",
            table(["model", "output", "max abs error", "mean abs error"], error_rows),
        ]
    else:
        parts.append(
            "The model folder's manifest records no int8_error (exported without `--quantize int8`)."
        )
    return "\n\n".join(parts)
