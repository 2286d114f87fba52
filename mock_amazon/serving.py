"""The standalone mock on granian: one worker process holds the state and serves it; its parent binds the socket,
prints the first line and supervises.

granian (an HTTP server written in Rust) runs a WSGI app only in worker processes it forks. The mock is one state,
so there is exactly one worker, and it builds the mock itself after the fork: an SQLite connection is never carried
across a fork, and nothing the parent holds is served. The worker sends the first line (one JSON object) back
through a pipe once the mock is built, and the parent prints it. The worker dies with its parent, even when the
parent is killed with SIGKILL (Linux's PR_SET_PDEATHSIG; elsewhere a thread watching the parent), so a killed
server never leaves a worker behind that holds the port and the database file.

The parent binds the socket itself, without SO_REUSEPORT: granian's own listeners set that option, so a second
server on a port in use would silently share it instead of being refused. The socket listens before the worker
is forked, so a request sent as soon as the first line is printed waits in the backlog until the worker accepts it.
"""
from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from granian._granian import SocketHolder
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import MPServer

WsgiApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]

BACKLOG = 1024                 # connections waiting to be accepted (beyond the connection limit)
STOP_SECONDS = 5               # a worker still running this long after it was asked to stop is killed
PR_SET_PDEATHSIG = 1           # <linux/prctl.h>
PARENT_POLL_SECONDS = 0.5      # where there is no PR_SET_PDEATHSIG: how often the worker looks for its parent
# granian logs to stdout by default; stdout's first line is the mock's, so granian's own lines go to stderr
LOG_TO_STDERR = {"handlers": {
    "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
    "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}}}


@dataclass
class Built:
    """What the worker builds: the WSGI app, the first line (printed by the parent once the worker sends it), and
    what starts moving once it is sent (the live world), if anything."""
    app: WsgiApp
    first_line: dict
    start: Callable[[], None] | None = None


@dataclass
class Options:
    """How the server treats connections: `threads` run requests, at most `connection_limit` connections are
    served at once (more wait in the listen backlog), and one idle for `idle_timeout` seconds is closed (one that
    connected and never sent a request too)."""
    threads: int = 4
    connection_limit: int = 1000
    idle_timeout: float = 30.0


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (IPv4 first when a name resolves to both); OSError when it cannot be had."""
    found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, protocol, _, address = sorted(found, key=lambda entry: entry[0] != socket.AF_INET)[0]
    listener = socket.socket(family, kind, protocol)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # rebinding over TIME_WAIT, never a live port
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it: no Nagle delay
        listener.bind(address)
        listener.listen(BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


class OneWorkerServer(MPServer):
    """granian's process server with one worker, serving on a socket bound beforehand.

    granian has no public way to serve on a given socket: `_init_shared_socket` is where it makes its own (in each
    worker, with SO_REUSEPORT, on Linux). This override hands over `listener` instead, as granian itself does on
    platforms without SO_REUSEPORT. Being private, it is why pyproject.toml pins granian to one minor version."""

    def __init__(self, listener: socket.socket, options: Options):
        self.listener = listener
        host, port = listener.getsockname()[:2]
        super().__init__(
            "mock_amazon", address=host, port=port, interface=Interfaces.WSGI, workers=1, http=HTTPModes.http1,
            blocking_threads=options.threads, backpressure=options.connection_limit, backlog=BACKLOG,
            http1_settings=HTTP1Settings(header_read_timeout=max(1, round(options.idle_timeout * 1000))),
            workers_kill_timeout=STOP_SECONDS, log_level=LogLevels.error, log_dictconfig=LOG_TO_STDERR)

    def _init_shared_socket(self) -> None:
        # granian declares these None in __init__ and gives SocketHolder's stub no constructor, hence the ignores;
        # its Linux and FreeBSD builds take the backlog too (they listen when the worker starts)
        descriptor = self.listener.fileno()
        backlog = (self.backlog,) if sys.platform.startswith(("linux", "freebsd")) else ()
        self._ssp = None
        self._shd = SocketHolder(descriptor, False, *backlog)  # type: ignore[call-arg, assignment]
        self._sfd = descriptor  # type: ignore[assignment]
        self._sso = self.listener

    # SIGHUP stops the server like SIGTERM: granian's reload would start a new worker, and so a second, empty state
    signal_handler_reload = MPServer.signal_handler_interrupt


def serve(listener: socket.socket, build: Callable[[], Built], options: Options,
          on_first_line: Callable[[dict], None]) -> None:
    """Serve what `build` makes, in one worker process, until SIGTERM, SIGINT or SIGHUP; `on_first_line` is called
    here, in the parent, with the worker's first line. SystemExit(1) if the worker ends unasked."""
    reading, writing = os.pipe()
    relay = threading.Thread(target=_relay, args=(reading, on_first_line), name="first-line", daemon=True)
    relay.start()
    # The worker's loader is a closure: it must be forked, not pickled into a fresh interpreter ('spawn')
    multiprocessing.set_start_method("fork", force=True)
    server = OneWorkerServer(listener, options)
    server.serve(target_loader=_worker_loader(build, writing, os.getpid()), wrap_loader=False)


def _relay(reading: int, on_first_line: Callable[[dict], None]) -> None:
    with os.fdopen(reading, "rb") as channel:
        line = channel.readline()
    if line:
        on_first_line(json.loads(line))


def _worker_loader(build: Callable[[], Built], writing: int, parent: int) -> Callable[[], WsgiApp]:
    def load() -> WsgiApp:  # runs in the worker, right after the fork
        for number in (signal.SIGTERM, signal.SIGINT):
            # Until granian sets its own, the handlers here are the parent's (inherited by the fork): they would lose
            # a stop asked of the worker now, and the parent would wait its kill timeout. Nothing is served yet.
            signal.signal(number, _exit_at_once)
        die_with_parent(parent)
        _forget_http_variables()
        built = build()
        with os.fdopen(writing, "wb") as channel:
            channel.write(json.dumps(built.first_line).encode() + b"\n")
        if built.start is not None:
            built.start()
        return built.app
    return load


def _exit_at_once(number: int, frame: Any) -> None:
    os._exit(0)


def die_with_parent(parent: int) -> None:
    """This process ends, by SIGKILL, as soon as process `parent` does, however that ends."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:
        threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the request above took effect
        os.kill(os.getpid(), signal.SIGKILL)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)


def _forget_http_variables() -> None:
    """granian starts every request's WSGI environ from a copy of the process environment; a variable such as
    HTTP_PROXY would then read as a header every request carried (and the journal would record it)."""
    for name in [name for name in os.environ if name.startswith("HTTP_")]:
        del os.environ[name]
