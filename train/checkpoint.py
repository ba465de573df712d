"""The per-epoch checkpoint: weights, optimizer state and progress in one .npz, replaced atomically."""

import json
import zipfile
from dataclasses import dataclass

import numpy as np
from edgevae.runtime.errors import EdgeVAEError
from edgevae.runtime.files import atomic_write

CHECKPOINT_VERSION = 1


@dataclass
class Checkpoint:
    config: dict  # TrainConfig as a dict
    state: dict  # TrainingState as a dict
    model: list[np.ndarray]
    optimizer: list[np.ndarray]
    best_model: list[np.ndarray]


def save_checkpoint(path, checkpoint: Checkpoint) -> None:
    arrays = {
        "meta": np.array(
            json.dumps(
                {"format_version": CHECKPOINT_VERSION, "config": checkpoint.config, "state": checkpoint.state}
            )
        )
    }
    for group in ("model", "optimizer", "best_model"):
        arrays.update({f"{group}/{index}": value for index, value in enumerate(getattr(checkpoint, group))})
    atomic_write(path, lambda file: np.savez(file, **arrays))


def load_checkpoint(path) -> Checkpoint:
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
            groups = {
                group: [archive[f"{group}/{index}"] for index in range(count_of(archive.files, group))]
                for group in ("model", "optimizer", "best_model")
            }
    except FileNotFoundError:
        raise EdgeVAEError(f"no checkpoint to resume from: {path}") from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise EdgeVAEError(f"cannot read the checkpoint {path}: {error}") from None
    if meta.get("format_version") != CHECKPOINT_VERSION:
        raise EdgeVAEError(f"{path} was written by an incompatible version of edgevae")
    return Checkpoint(config=meta["config"], state=meta["state"], **groups)


def count_of(names, group: str) -> int:
    return sum(1 for name in names if name.startswith(f"{group}/"))
