"""The /v1/ endpoints: each reads its request, calls edgevae.runtime's Python API in a worker thread
(a small generate on the event loop itself; at most Service.workers calls at once either way), and
answers JSON, a PNG or float32 bytes."""

import io
import json

import anyio
import numpy as np
from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..encodings import encoding_record
from ..errors import EdgeVAEError
from ..generator import as_latents
from ..images import grid_png, load_digit
from ..latents import manifold_grid
from ..limits import MAX_BATCH, check_count
from .pixels_json import pixels_json
from .requests import (
    RequestError,
    accepted,
    query_flag,
    query_number,
    read_json_object,
    read_pictures,
    whole_number,
)

GENERATE_MODES = ("latents", "random", "digits")
FLOAT32 = "application/octet-stream"  # raw little-endian float32 images, [n, height, width]
# A generate this small runs on the event loop itself when an inference slot is free: for one latent the
# hop to a worker thread and back costs more than the work (see BENCHMARKS.md, `edgevae serve`).
INLINE_BODY_BYTES = 512
INLINE_IMAGES = 16


def encoded(name: str, named, z_mean, z_log_var, seen) -> dict:
    """One encoded picture: the fields of `edgevae encode --format json`, plus the 28x28 seen when asked."""
    record = encoding_record(name, named, z_mean, z_log_var)
    if seen is not None:
        record["input"] = seen.tolist()
    return record


async def run(request: Request, work, *args):
    """`work(*args)` in a worker thread, within the service's bound on inference threads."""
    return await to_thread.run_sync(work, *args, limiter=request.app.state.limiter)


async def run_small(request: Request, work, *args):
    """`work(*args)` right here when an inference slot is free, else as run(): the same bound on
    inference calls at once either way."""
    limiter = request.app.state.limiter
    try:
        limiter.acquire_nowait()
    except anyio.WouldBlock:
        return await run(request, work, *args)
    try:
        return work(*args)
    finally:
        limiter.release()


def is_small(request: Request, body: dict) -> bool:
    """A short body (little to parse) asking for a few images (little to compute and encode)."""
    declared = request.headers.get("content-length", "")
    latents, random = body.get("latents"), body.get("random")
    count = len(latents) if isinstance(latents, list) else random if type(random) is int else 1
    count *= 10 if body.get("digits") else 1
    return declared.isdigit() and int(declared) <= INLINE_BODY_BYTES and count <= INLINE_IMAGES


async def health(request: Request):
    return JSONResponse({"status": "ready"})


async def info(request: Request):
    return JSONResponse(request.app.state.service.info)


async def latent_map(request: Request):
    latent_map = request.app.state.service.latent_map
    if latent_map is None:
        raise RequestError(404, "this model was exported without a latent map")
    return JSONResponse(latent_map)


async def generate(request: Request):
    """Decode latents, or latents drawn as `edgevae generate --random/--seed/--digit/--digits` draws them."""
    media = accepted(request, ["application/json", "image/png", FLOAT32])
    body = await read_json_object(request)
    unknown = set(body) - {*GENERATE_MODES, "seed", "digit", "columns"}
    if unknown:
        raise RequestError(
            400,
            f"unknown field {sorted(unknown)[0]!r}; the fields are latents, random, seed, digit, digits"
            " and columns",
        )
    columns = whole_number(body, "columns", 1, MAX_BATCH)
    generator = request.app.state.service.generator

    def answer() -> Response:  # the whole job, encoding included, in one worker thread
        latents = requested_latents(generator, body)
        images = generator.generate(latents)
        if media == "image/png":
            return Response(grid_png(images, columns), media_type="image/png")
        if media == FLOAT32:
            shape = ",".join(map(str, images.shape))
            return Response(images.astype("<f4").tobytes(), media_type=FLOAT32, headers={"X-Shape": shape})
        latents_json = json.dumps(latents.tolist(), separators=(",", ":")).encode()
        text = b'{"latents":' + latents_json + b',"images":' + pixels_json(images) + b"}"
        return Response(text, media_type="application/json")

    return await (run_small if is_small(request, body) else run)(request, answer)


def requested_latents(generator, body: dict) -> np.ndarray:
    modes = [mode for mode in GENERATE_MODES if body.get(mode) not in (None, False)]
    if body.get("random") is not None and body.get("digits"):
        modes.remove("random")  # digits with random N: N of each digit, as the CLI's --digits --random N
    if len(modes) != 1:
        raise RequestError(400, "give exactly one of latents, random or digits")
    count = whole_number(body, "random", 1, MAX_BATCH)
    seed = whole_number(body, "seed", 0)
    digit = whole_number(body, "digit", 0, 9)
    if seed is not None and count is None:
        raise RequestError(400, "seed only applies to random")
    if digit is not None and (count is None or body.get("digits")):
        raise RequestError(400, "digit only applies to random (digits draws every digit)")
    if modes == ["digits"]:
        if body["digits"] is not True:
            raise RequestError(400, "digits must be true")
        if count is not None:
            check_count(count, "images", per=10, most=MAX_BATCH)
        return generator.digits_latents(count, seed=seed)
    if modes == ["random"]:
        return generator.sample_latents(count, seed=seed, digit=digit)
    latents = body["latents"]
    if not isinstance(latents, list):
        raise RequestError(400, "latents must be an array of numbers [latent] or of arrays [n, latent]")
    check_count(len(latents), "latents", most=MAX_BATCH)
    return as_latents(latents, generator.config.latent_dim)


async def encode(request: Request):
    """Encode a picture body (anything load_digit reads), several as multipart, or JSON pixels."""
    show_input = query_flag(request, "show_input")
    service = request.app.state.service
    if request.headers.get("content-type", "").lower().startswith("application/json"):
        body = await read_json_object(request)
        if set(body) != {"pixels"}:
            raise RequestError(400, "a JSON body holds one field, pixels: images [n, 28, 28] or [n, 784]")
        names, digits = None, await run(request, as_pixel_array, body["pixels"])
    else:
        pictures = await read_pictures(request)
        names = [name for name, _ in pictures]
        digits = await run(request, read_digits, pictures)
    z_mean, z_log_var, named = await run(request, service.encoder.encode_and_classify, digits)
    names = names or [f"pixels[{index}]" for index in range(len(z_mean))]
    seen = (
        np.reshape(np.asarray(digits, np.float32), (len(z_mean), *service.encoder.config.image_shape))
        if show_input
        else [None] * len(z_mean)
    )
    return JSONResponse(
        {
            "encodings": [
                encoded(name, read, mean, log_var, input_seen)
                for name, read, mean, log_var, input_seen in zip(
                    names,
                    zip(*named, strict=True) if named else [None] * len(z_mean),
                    z_mean,
                    z_log_var,
                    seen,
                    strict=True,
                )
            ]
        }
    )


def as_pixel_array(pixels) -> list:
    """JSON pixels as they came: the Encoder reads plain numbers as floats in [0, 1] (the input contract)."""
    if not isinstance(pixels, list):
        raise RequestError(400, "pixels must be an array of images [n, 28, 28] or [n, 784]")
    check_count(len(pixels), "images", most=MAX_BATCH)
    return pixels


def read_digits(pictures) -> np.ndarray:
    digits = []
    for name, data in pictures:
        if not data:
            raise EdgeVAEError(f"{name} is empty")
        file = io.BytesIO(data)
        file.name = name  # load_digit names the picture in its messages
        digits.append(load_digit(file))
    return np.stack(digits)


async def manifold(request: Request):
    """`edgevae manifold`: the n x n grid over the 2-D latent space, one PNG."""
    n = query_number(request, "n", 20)
    span = query_number(request, "span", 0.95, float)
    if not 2 <= n <= 100:
        raise RequestError(400, f"n must be from 2 to 100, got {n}")
    generator = request.app.state.service.generator
    if generator.config.latent_dim != 2:
        raise RequestError(
            400,
            f"the manifold needs a 2-dimensional latent space;"
            f" this model's has {generator.config.latent_dim}",
        )
    images = await run(request, generator.generate, manifold_grid(n, span, generator.prior))
    return Response(await run(request, grid_png, images, n, 0), media_type="image/png")
