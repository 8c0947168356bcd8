"""Drives real Yjs clients (Node: yjs + y-websocket) and real server processes from tests."""

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "yclient.mjs"

Event = dict[str, Any]


def node_ready() -> str | None:
    """Why the Node clients can't run here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (HERE / "node_modules" / "y-websocket").is_dir():
        return "run `npm ci` in tests/interop (the CI script does)"
    return None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll a condition until it holds; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class NodeClient:
    """One y-websocket client in a Node process; commands in, events out."""

    def __init__(self, base_url: str, room: str, query: str = "") -> None:
        args = ["node", str(CLIENT), base_url, room, query]
        self.process = subprocess.Popen(
            args,
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.events: queue.Queue[Event] = queue.Queue()
        self.history: list[Event] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.client_id: int = self.expect("ready", timeout=20)["clientID"]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.events.put(json.loads(line))
            except json.JSONDecodeError:
                self.events.put({"event": "noise", "line": line})

    def send(self, **command: Any) -> None:
        """Send one command (see yclient.mjs)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def expect(
        self, name: str, timeout: float = 10, where: Callable[[Event], bool] | None = None
    ) -> Event:
        """The next event called `name` (and matching `where`), within the timeout."""
        for event in self.history:
            if event.get("event") == name and (where is None or where(event)):
                self.history.remove(event)
                return event
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {name!r} event within {timeout} s")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.get("event") == name and (where is None or where(event)):
                return event
            self.history.append(event)

    def dump(
        self, text: Sequence[str] = (), map: Sequence[str] = (), array: Sequence[str] = ()
    ) -> Event:
        """The client's current view of the named shared types."""
        self.send(op="dump", text=list(text), map=list(map), array=list(array))
        return self.expect("dump")

    def wait_text(self, name: str, expected: str, timeout: float = 10) -> None:
        """Wait until the client's text `name` equals `expected`."""
        last: list[str] = [""]

        def holds() -> bool:
            last[0] = self.dump(text=[name])["text"][name]
            return last[0] == expected

        try:
            wait_until(holds, timeout, f"text {name!r} == {expected!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last seen {last[0]!r}") from None

    def close(self) -> None:
        """Stop the client process."""
        if self.process.poll() is None:
            try:
                self.send(op="exit")
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def kill(self) -> None:
        """Kill the client abruptly (no close frame), as a crashed browser would."""
        self.process.kill()
        self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@contextmanager
def node_clients() -> Iterator[Callable[..., NodeClient]]:
    """A factory of Node clients, all stopped at the end."""
    clients: list[NodeClient] = []

    def make(base_url: str, room: str, query: str = "") -> NodeClient:
        client = NodeClient(base_url, room, query)
        clients.append(client)
        return client

    try:
        yield make
    finally:
        for client in clients:
            client.close()


@contextmanager
def serve_in_thread(app: Any, ws_max_size: int = 4 * 1024 * 1024) -> Iterator[str]:
    """Serve an ASGI app with a real uvicorn on a free loopback port; yield its ws:// base."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=ws_max_size,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 15, "uvicorn to start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@contextmanager
def server_process(
    args: Sequence[str], port: int, env: dict[str, str] | None = None, health: str = "/healthz"
) -> Iterator[subprocess.Popen[str]]:
    """Run a server command until its health URL answers; stop it afterwards."""
    process = subprocess.Popen(
        [sys.executable, *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def healthy() -> bool:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"server exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_until(healthy, 30, "the server to answer")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
