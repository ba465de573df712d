"""The ASGI app: the /v1/ API, the latent explorer page at /, one log line per request, and every
refusal as a 4xx with {"error": "one line"}."""

import sys
import time
from contextlib import asynccontextmanager
from importlib.resources import files

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import EdgeVAEError
from . import api
from .openapi import openapi_document
from .requests import RequestError
from .service import Service

# The page's files, shipped in the wheel as package data (pyproject.toml). models.mjs is the one
# module the two ways of serving the page differ in: `make web` serves web/models.mjs (onnxruntime-web
# in the browser), this server serves web/api-models.mjs in its place (the computing done here).
PAGE_FILES = {
    "": "index.html",
    "index.html": "index.html",
    "app.mjs": "app.mjs",
    "style.css": "style.css",
    "manifold.mjs": "manifold.mjs",
    "mnist-form.mjs": "mnist-form.mjs",
    "edgevae.mjs": "edgevae.mjs",
    "models.mjs": "api-models.mjs",
}
TYPES = {".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".css": "text/css"}


def create_app(service: Service, log_requests: bool = True, extra_routes=()) -> Starlette:
    """The app over a loaded service; `extra_routes` only for benchmarks (see benchmarks/serve.py)."""
    routes = [
        Route("/v1/health", api.health),
        Route("/v1/info", api.info),
        Route("/v1/latent-map", api.latent_map),
        Route("/v1/generate", api.generate, methods=["POST"]),
        Route("/v1/encode", api.encode, methods=["POST"]),
        Route("/v1/manifold", api.manifold),
        Route("/v1/openapi.json", openapi),
        *page_routes(),
        *extra_routes,
    ]
    handlers = {RequestError: refused, EdgeVAEError: refused, HTTPException: refused, Exception: failed}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.service = service
    return RequestLog(app) if log_requests else app


@asynccontextmanager
async def lifespan(app):
    app.state.limiter = app.state.service.limiter()
    yield


async def openapi(request):
    return JSONResponse(openapi_document())


def page_routes() -> list[Route]:
    """The page's files, read once at start-up: requests never touch the disk."""
    folder = files("edgevae.web")
    routes = []
    for url, name in PAGE_FILES.items():
        response = Response((folder / name).read_bytes(), media_type=TYPES[name[name.rindex(".") :]])
        routes.append(Route(f"/{url}", static(response)))
    return routes


def static(response: Response):
    async def endpoint(request):
        return response

    return endpoint


async def refused(request, error) -> JSONResponse:
    if isinstance(error, HTTPException):
        status, message = error.status_code, str(error.detail)
        if status == 404:
            message = f"no such page or endpoint: {request.url.path} (the API is under /v1/)"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
    else:
        status, message = getattr(error, "status", 400), str(error)
    return JSONResponse(
        {"error": message},
        status_code=status,
        headers={"Connection": "close"} if status in (408, 413) else None,
    )


async def failed(request, error) -> JSONResponse:
    """A bug, not bad input: one line on stderr and a 500 without the traceback."""
    print(
        f"edgevae serve: internal error on {request.method} {request.url.path}:"
        f" {type(error).__name__}: {error}",
        file=sys.stderr,
        flush=True,
    )
    return JSONResponse({"error": "internal error (see the server's log)"}, status_code=500)


class RequestLog:
    """One line per request on stderr: client, method, path, status, milliseconds."""

    def __init__(self, app):
        self.app = app

    def __getattr__(self, name):  # app.state and the like reach the wrapped app
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 0

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            client = scope.get("client") or ("-", 0)
            milliseconds = (time.perf_counter() - start) * 1000
            print(
                f'{client[0]} "{scope["method"]} {scope["path"]}" {status or "-"} {milliseconds:.1f} ms',
                file=sys.stderr,
                flush=True,
            )
