"""Exporting a trained run to ONNX behind a numeric parity gate (needs the `train` extra)."""
