"""`forum serve`: what it prepares and prints, how it runs uvicorn, and a real server process."""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

import pytest
import uvicorn
from click.testing import CliRunner, Result

from forum.cli import listen_url, main, plan_serve
from forum.settings import Settings

Invoke = Callable[..., Result]


@pytest.fixture
def forum(tmp_path: Path) -> Invoke:
    """forum("serve", ..., **env) with the test's data directory; other FORUM_* unset."""
    base: dict[str, str | None] = {f"FORUM_{f.name.upper()}": None for f in fields(Settings)}
    base.update(FORUM_DATA_DIR=str(tmp_path / "data"), FORUM_SECRET_KEY="x")

    def invoke(*args: str, input: str | None = None, **env: str) -> Result:
        return CliRunner().invoke(
            main, list(args), input=input, env={**base, **env}, catch_exceptions=False
        )

    return invoke


def ok(result: Result) -> list[str]:
    """Assert success; return the lines printed on stdout."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.splitlines()


def link_in(lines: list[str]) -> str:
    """The one-time link printed among these lines."""
    links = [line.strip() for line in lines if "/welcome/" in line]
    assert len(links) == 1, lines
    return links[0]


def test_listen_url() -> None:
    assert listen_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert listen_url("0.0.0.0", 80) == "http://127.0.0.1:80"
    assert listen_url("::", 8080) == "http://[::1]:8080"
    assert listen_url("forum.local", 9000) == "http://forum.local:9000"


def test_plan_serve_prepares_and_offers_first_admin_link(tmp_path: Path, forum: Invoke) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="x")
    plan = plan_serve(settings, host="127.0.0.1", port=8123, base_url_given=False)
    assert plan.settings.base_url == "http://127.0.0.1:8123"
    assert any(line.startswith("Groupes créés : ") for line in plan.lines)
    assert link_in(plan.lines).startswith("http://127.0.0.1:8123/welcome/")
    assert plan.lines[-1] == "Forum disponible sur http://127.0.0.1:8123/ (Ctrl+C pour arrêter)"

    public = Settings(data_dir=tmp_path / "data", secret_key="x", base_url="https://f.example")
    again = plan_serve(public, host="0.0.0.0", port=8123, base_url_given=True)
    assert not any(line.startswith("Groupes créés") for line in again.lines)  # not re-applied
    assert link_in(again.lines).startswith("https://f.example/welcome/")
    assert (
        again.lines[-1]
        == "Écoute sur http://127.0.0.1:8123/ ; adresse publique : https://f.example/"
    )

    ok(forum("user", "add", "karim", "--name", "Karim", "--admin"))  # same data directory
    last = plan_serve(settings, host="127.0.0.1", port=8123, base_url_given=False)
    assert not any("/welcome/" in line for line in last.lines)


def test_serve_runs_uvicorn_with_our_options(
    forum: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    lines = ok(forum("serve", "--port", "8765", FORUM_BASE_URL=""))
    assert link_in(lines).startswith("http://127.0.0.1:8765/welcome/")
    (options,) = calls
    assert options["host"] == "127.0.0.1" and options["port"] == 8765
    assert options["access_log"] is False
    assert options["proxy_headers"] is False
    assert options["ws_max_size"] == 1_048_576
    assert options["log_config"]["loggers"]["forum"]["level"] == "INFO"

    calls.clear()
    ok(forum("serve", FORUM_TRUSTED_PROXIES="10.0.0.1, 10.0.0.2"))
    assert calls[0]["proxy_headers"] is True
    assert calls[0]["forwarded_allow_ips"] == ["10.0.0.1", "10.0.0.2"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pump(stream: IO[str], name: str, lines: "queue.Queue[tuple[str, str]]") -> None:
    for line in stream:
        lines.put((name, line.rstrip("\n")))


def _wait_for(
    lines: "queue.Queue[tuple[str, str]]", seen: list[str], found: Callable[[str], bool]
) -> str:
    deadline = time.monotonic() + 60
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "timed out; output so far:\n" + "\n".join(seen)
        try:
            _name, line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        seen.append(line)
        if found(line):
            return line


@pytest.mark.slow
def test_forum_serve_in_a_real_process(tmp_path: Path) -> None:
    executable = Path(sys.executable).with_name("forum")
    assert executable.exists(), executable
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    environ.update(FORUM_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    command = [str(executable), "serve", "--port", str(port)]
    with subprocess.Popen(
        command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        lines: queue.Queue[tuple[str, str]] = queue.Queue()
        pumps = [
            threading.Thread(target=_pump, args=(process.stdout, "out", lines), daemon=True),
            threading.Thread(target=_pump, args=(process.stderr, "err", lines), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        seen: list[str] = []
        try:
            link = _wait_for(lines, seen, lambda line: "/welcome/" in line).strip()
            assert link.startswith(f"http://127.0.0.1:{port}/welcome/")
            _wait_for(lines, seen, lambda line: "Uvicorn running on" in line)
            base = f"http://127.0.0.1:{port}"
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as health:
                assert health.status == 200
            with urllib.request.urlopen(f"{base}/", timeout=10) as home:
                assert home.status == 200
                assert "<html" in home.read().decode()
            with urllib.request.urlopen(link, timeout=10) as welcome:
                assert welcome.status == 200
            _wait_for(lines, seen, lambda line: '"GET /welcome/***" 200' in line)
        finally:
            process.terminate()
            process.wait(timeout=30)
        for pump in pumps:
            pump.join(timeout=10)
        while not lines.empty():
            seen.append(lines.get()[1])
        assert any("Application shutdown complete" in line for line in seen), seen
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert process.returncode in (0, -signal.SIGTERM)
