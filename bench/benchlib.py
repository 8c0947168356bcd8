"""What the HTTP benchmarks share: a free port, waiting for a server, stopping it, its CPU
time, the machine's CPU, and one wrk run whose Lua script prints a RESULT line."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

# wrk's done() callback in each benchmark's script prints this line.
WRK_RESULT = re.compile(r"RESULT rps=([\d.]+) p50=(\d+) p99=(\d+) errors=(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, seconds: float = 60) -> None:
    """Until the server answers at url (any HTTP status is an answer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def run_wrk(script: Path, port: int, connections: int, seconds: int) -> dict[str, float]:
    """wrk on core 0, one thread, with a script that prints WRK_RESULT in its done()."""
    command = ["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = WRK_RESULT.search(output)
    if match is None:
        raise SystemExit(f"wrk said:\n{output}")
    rps, p50, p99, errors = match.groups()
    return {
        "rps": float(rps),
        "p50_ms": int(p50) / 1000,
        "p99_ms": int(p99) / 1000,
        "errors": int(errors),
    }
