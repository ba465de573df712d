"""Bounds on what one call may ask for: beyond them a request is a typo or an attack, not a job.

Big but possible jobs stay possible: they run in chunks of CHUNK images with bounded memory. Every path
(the CLI, the API, the server) counts what it is asked for here, before allocating anything.
"""

import os

from .errors import EdgeVAEError

# onnxruntime starts this many threads per session, and this model is small: beyond the cores a
# machine has, threads only contend (2000 ran 100x slower than 2), and a million exhausted 24 GB.
# 256 is more cores than any machine this runtime targets has.
MAX_THREADS = 256

# Images (or latents) in one command: 100 million are 313 GB as .npy.
MAX_IMAGES = 100_000_000

# Latents per onnxruntime run when generating many: 51 MB of float32 images held at a time.
CHUNK = 16_384

# A picture read from standard input, a pipe or a FIFO is held whole: the largest phone photos are 12 MB.
MAX_STREAM_BYTES = 64 * 1024 * 1024

# A JSON file from disk (a manifest, a latent map): the exporter's are kilobytes to a few megabytes and
# nest 4 deep; a nesting bomb is refused before parsing (json.loads recurses). web/edgevae.mjs caps size too.
MAX_JSON_FILE_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 32

# One grid picture is held in memory whole: 100 megapixels are 100 MB (about 110,000 digits).
MAX_PICTURE_PIXELS = 100_000_000

# `edgevae bench`: a batch of 65,536 images is 205 MB in and out; a minute per measurement at most.
MAX_BENCH_BATCH = 65_536
MAX_BENCH_SECONDS = 60

# `edgevae serve`: what one HTTP request may send and ask for. A phone photo is 2-12 MB; 1,024
# images are 3.2 MB of float32 (or about 20 MB as JSON numbers). JSON bodies are capped lower than
# pictures because json.loads turns every number into a Python object (about 30 bytes each).
MAX_REQUEST_BYTES = 32 * 1024 * 1024  # a picture body, or a multipart upload of several
MAX_JSON_BYTES = 4 * 1024 * 1024  # a JSON body: 1,024 images of 784 pixels at 4 characters fit
MAX_BATCH = 1024  # latents per /v1/generate, images per /v1/encode
MAX_UPLOAD_PICTURES = 64  # pictures per multipart /v1/encode: a photo takes up to ~0.1 s to read
BODY_TIMEOUT_SECONDS = 30  # the whole body must arrive within this; a slow client gets 408
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this (uvicorn's default)
MAX_CONNECTIONS = 128  # beyond this many connections and requests at once, uvicorn answers 503
SHUTDOWN_SECONDS = 60  # on SIGTERM, requests in flight get this long to finish


def check_count(count, what: str = "images", per: int = 1, most: int = MAX_IMAGES) -> int:
    """`count` as an int from 1, refused (EdgeVAEError) when `count` x `per` is over `most`: counted
    before anything is allocated. `per`: images each one stands for (10 with --digits)."""
    from .checks import whole_number

    count = whole_number(count, f"the number of {what}", 1)
    if count * per > most:
        total = f"{count:,} x {per} = {count * per:,}" if per != 1 else f"{count:,}"
        raise EdgeVAEError(f"{total} {what if per == 1 else 'images'} in one call; at most {most:,}")
    return count


def check_memory(count: int, item_bytes: int, what: str = "images"):
    """Refuse an array of `count` items of `item_bytes` each that would not fit in this machine's memory,
    before allocating it (an allocation beyond it fails, or worse, succeeds and is killed later)."""
    needed = count * item_bytes
    available = physical_memory()
    if available and needed > available:
        raise EdgeVAEError(
            f"{count:,} {what} need {needed / 2**30:,.1f} GiB in memory, more than this machine's"
            f" {available / 2**30:,.1f} GiB; ask for them in batches"
        )


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # not POSIX
        return None
