"""What the server holds for its whole life: one Generator and one Encoder (onnxruntime sessions may
run from several threads at once), a bound on how many run at a time, and the model's summary."""

import os
from dataclasses import dataclass
from pathlib import Path

import anyio

from ..encoder import Encoder
from ..generator import Generator
from ..limits import BODY_TIMEOUT_SECONDS
from ..model_files import bundled_model_dir, read_latent_map
from ..model_info import describe_model


@dataclass(frozen=True)
class Service:
    generator: Generator
    encoder: Encoder
    workers: int  # inference calls at once; workers x threads <= the cores
    info: dict  # GET /v1/info
    latent_map: dict | None  # the test digits' codes, for the page's plane; None when not exported
    body_timeout: float  # seconds a request's body may take to arrive

    def limiter(self) -> anyio.CapacityLimiter:
        # Made inside the event loop that uses it (anyio ties it to the running loop's backend).
        return anyio.CapacityLimiter(self.workers)


def usable_cores() -> int:
    """The cores this process may run on (a container's or systemd's CPU affinity), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def load_service(
    model_dir: Path | None, int8: bool, threads: int, body_timeout: float = BODY_TIMEOUT_SECONDS
) -> Service:
    """Load the models once. Each call runs on `threads` threads, and up to cores // threads at once."""
    generator = Generator(model_dir, threads=threads, int8=int8)
    encoder = Encoder(model_dir, threads=threads, int8=int8)
    workers = max(1, usable_cores() // threads)
    folder = bundled_model_dir() if model_dir is None else Path(model_dir)
    info = {
        **describe_model(folder),
        "latent_dim": generator.config.latent_dim,
        "image_shape": list(generator.config.image_shape),
        "digit_anchors": generator.digit_anchors,
        "int8": int8,
        "threads": threads,
        "workers": workers,
    }
    return Service(generator, encoder, workers, info, read_latent_map(folder), body_timeout)
