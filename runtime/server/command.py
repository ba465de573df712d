"""`edgevae serve`: load the model once, then answer HTTP on --host:--port until SIGTERM or Ctrl-C."""

import ipaddress
import signal
import socket

import click
import uvicorn

from ..cli import int8_option, model_dir_option
from ..errors import EdgeVAEError, reraised
from ..limits import BODY_TIMEOUT_SECONDS, KEEP_ALIVE_SECONDS, MAX_CONNECTIONS, MAX_THREADS, SHUTDOWN_SECONDS
from .app import create_app
from .service import load_service


@click.command(name="serve")
@model_dir_option
@int8_option
@click.option(
    "--threads",
    type=click.IntRange(1, MAX_THREADS),
    default=1,
    help="Threads per inference; requests run in parallel on the rest of the cores.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    help="The address to listen on (0.0.0.0: every network).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    help="The port (0: any free one).",
)
@click.option("--quiet", is_flag=True, help="No log line per request.")
@click.option(
    "--body-timeout",
    type=click.FloatRange(0.1, 3600),
    default=BODY_TIMEOUT_SECONDS,
    help="Seconds a request's body may take to arrive (then 408).",
)
def command(model_dir, int8, threads, host, port, quiet, body_timeout):
    """Serve the HTTP API (/v1/) and the latent explorer (/) until SIGTERM or Ctrl-C."""
    service = load_service(model_dir, int8, threads, body_timeout)
    app = create_app(service, log_requests=not quiet)
    serve(app, host, port)


def serve(app, host: str, port: int):
    """Run uvicorn on an already bound socket, so that the printed address is the real one (port 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on sockets that say they are TCP,
    # and with it on every response waits ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        with reraised(f"cannot listen on {host}:{port}", OverflowError):
            listener.bind((host, port))
            listener.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    except EdgeVAEError:
        listener.close()
        raise
    bound_port = listener.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    click.echo(
        f"edgevae serve: http://{shown}:{bound_port}/ (API under /v1/); Ctrl-C or SIGTERM stops it", err=True
    )
    if not is_loopback(host):
        click.echo(
            f"edgevae serve: listening on {host}, so the API is open to that network (no authentication)",
            err=True,
        )
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    # uvicorn finishes the requests in flight on SIGTERM/SIGINT, then raises the signal again with the
    # handlers found at start-up: these, so that a clean shutdown exits 0 instead of dying by the signal.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: None)
    server.run(sockets=[listener])
    click.echo("edgevae serve: stopped", err=True)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
