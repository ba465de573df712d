"""Reading requests safely: bodies capped in size and in time, JSON checked field by field, and
refusals as RequestError(status, one line), which the app turns into {"error": "..."}."""

import json
import math

import anyio
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from ..limits import MAX_JSON_BYTES, MAX_REQUEST_BYTES, MAX_UPLOAD_PICTURES


class RequestError(Exception):
    """A refused request: its HTTP status and a one-line message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


async def read_body(request: Request, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The whole body, refused (413) past `limit` bytes and (408) when it takes too long to arrive."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RequestError(400, f"Content-Length must be a whole number, got {declared!r}")
        if int(declared) > limit:
            raise RequestError(413, f"the body is {int(declared):,} bytes; at most {limit:,} are accepted")
    chunks, size = [], 0
    timeout = request.app.state.service.body_timeout
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestError(413, f"the body is over {limit:,} bytes, the most accepted")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestError(408, f"the body did not arrive within {timeout:g} s") from None
    except ClientDisconnect:
        raise RequestError(400, "the client disconnected before sending the whole body") from None
    return b"".join(chunks)


async def read_json_object(request: Request) -> dict:
    """A JSON object body (Content-Type application/json), at most MAX_JSON_BYTES."""
    if media_type(request) != "application/json":
        raise RequestError(
            415, f"send a JSON body with Content-Type: application/json, not {media_type(request)!r}"
        )
    body = await read_body(request, MAX_JSON_BYTES)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise RequestError(400, f"the body is not valid JSON ({str(error).splitlines()[0]})") from None
    if not isinstance(value, dict):
        raise RequestError(400, f"the body must be a JSON object, not {json_type(value)}")
    return value


async def read_pictures(request: Request) -> list[tuple[str, bytes]]:
    """(name, bytes) of each picture: the body itself, or each file of a multipart/form-data upload."""
    body = await read_body(request)
    if media_type(request) != "multipart/form-data":
        return [("the request body", body)]
    parser = InMemoryMultiPartParser(
        request.headers, single_chunk(body), max_files=MAX_UPLOAD_PICTURES, max_fields=MAX_UPLOAD_PICTURES
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise RequestError(400, f"cannot read the multipart body: {error.message}") from None
    pictures = []
    for field, value in form.multi_items():
        if isinstance(value, str):
            raise RequestError(400, f"the multipart field {field!r} is text; send each picture as a file")
        pictures.append((value.filename or field, await value.read()))
    if not pictures:
        raise RequestError(400, "the multipart body holds no picture")
    return pictures


class InMemoryMultiPartParser(MultiPartParser):
    # The body is already capped and in memory: never let a part roll over into a temporary file.
    spool_max_size = MAX_REQUEST_BYTES


async def single_chunk(body: bytes):
    yield body


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def json_type(value) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def whole_number(body: dict, key: str, low: int, high: int | None = None) -> int | None:
    """body[key] as a whole number in [low, high], None when absent; 2.0 and "2" are refused."""
    value = body.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"from {low:,} to {high:,}" if high is not None else f"{low} or more"
        raise RequestError(400, f"{key} must be a whole number {bounds}, got {json.dumps(value)[:40]}")
    return value


def query_number(request: Request, key: str, default: float, kind=int):
    """A number from the query string; a malformed one is refused rather than ignored."""
    text = request.query_params.get(key)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise RequestError(
            400, f"{key} must be {'a whole number' if kind is int else 'a number'}, got {text!r}"
        ) from None
    if not math.isfinite(value):
        raise RequestError(400, f"{key} must be a finite number, got {text!r}")
    return value


def query_flag(request: Request, key: str) -> bool:
    text = request.query_params.get(key, "false").lower()
    if text not in ("true", "false", "1", "0"):
        raise RequestError(400, f"{key} must be true or false, got {text!r}")
    return text in ("true", "1")


def accepted(request: Request, offered: list[str]) -> str:
    """The first of `offered` that the Accept header allows (any, without one); 406 when none."""
    accept = [
        part.partition(";")[0].strip().lower() for part in request.headers.get("accept", "*/*").split(",")
    ]
    for wanted in accept:
        for media in offered:
            if wanted in (media, "*/*", media.partition("/")[0] + "/*"):
                return media
    raise RequestError(406, f"this answers {', '.join(offered)}; the Accept header allows none of them")
