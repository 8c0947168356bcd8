"""Collab server against the reference Yjs server (@y/websocket-server 0.1.1), side by side.

    python bench/collab_bench.py [--repeats 2] [--seconds 10] [--only a,b,c,d,idle]

Each block starts one server on core 1 (`taskset -c 1`): the reference (node, in memory, no
persistence: YPERSISTENCE unset) or ours (collab.CollabServer in uvicorn as `forum serve`
runs it, permessage-deflate off, a temporary SQLite file set up as the forum's as the
UpdateStore, an allow-all Authorizer), then runs the scenarios with the load generator
(bench/collab/loadgen.mjs, one Node process on core 0; its writers apply what they receive,
as browsers do, unless --writers-ignore-updates). Blocks alternate: ref ours ref ours ...
Server CPU is utime+stime from /proc/PID/stat over the measured window, memory VmRSS from
/proc/PID/status.

`python bench/collab_bench.py --serve-ours PORT DB` is the server process of "ours".
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent
GEN_DIR = HERE / "collab"
ROOT = HERE.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- our server, standalone ----------------------------------------------------------------


def sqlite_engine(db: str) -> "Engine":
    """A SQLite engine set up exactly as the forum's (WAL, synchronous=NORMAL, busy timeout,
    explicit BEGIN / BEGIN IMMEDIATE): the collab server runs on the forum's database."""
    sys.path.insert(0, str(ROOT))
    from forum.db import make_engine

    return make_engine(f"sqlite:///{db}")


def serve_ours(port: int, db: str) -> None:
    """Run collab in uvicorn the way `forum serve` does (deflate off), on a SQLite file."""
    sys.path.insert(0, str(ROOT))
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import HTTPConnection

    from collab import (
        CollabServer,
        CollabSettings,
        Grant,
        MemoryUpdateStore,
        SqlUpdateStore,
        collab_route,
        create_tables,
    )

    class AllowAll:
        async def authorize(self, connection: HTTPConnection, document_id: str) -> Grant:
            return Grant("bench", "Bench")

        async def still_allowed(self, grant: Grant, document_id: str) -> Grant:
            return grant

    store: SqlUpdateStore | MemoryUpdateStore
    if db == "memory":
        store = MemoryUpdateStore()
    else:
        engine = sqlite_engine(db)
        create_tables(engine)
        store = SqlUpdateStore(engine, write_engine=engine.execution_options(begin_immediate=True))
    # Defaults, except the per-connection token bucket: scenario (d) has writers above the
    # default 200 messages/s (a human types ~30/s), and a closed connection measures nothing.
    settings = CollabSettings(rate_messages_per_second=1e6, rate_burst_messages=1_000_000)
    server = CollabServer(store=store, authorizer=AllowAll(), settings=settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with server.running():
            yield

    app = Starlette(routes=[collab_route(server)], lifespan=lifespan)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        access_log=False,
        ws_max_size=4 * 1024 * 1024,
        ws_per_message_deflate=False,
        log_level="warning",
    )


# --- measuring -----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not listen")


def start_server(kind: str, port: int, db: str) -> tuple[subprocess.Popen[bytes], str]:
    if kind == "ref":
        args = ["taskset", "-c", "1", "node", "node_modules/@y/websocket-server/src/server.js"]
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
        env.pop("YPERSISTENCE", None)
        process = subprocess.Popen(args, cwd=GEN_DIR, env=env, stdout=subprocess.DEVNULL)
        base = f"ws://127.0.0.1:{port}/"
    else:
        args = ["taskset", "-c", "1", sys.executable, str(Path(__file__)), "--serve-ours"]
        process = subprocess.Popen([*args, str(port), db], cwd=ROOT, stdout=subprocess.DEVNULL)
        base = f"ws://127.0.0.1:{port}/collab/"
    wait_port(port, process)
    return process, base


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def run_generator(pid: int, spec: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
    """Run one scenario; sample the server at each mark; return the generator's result."""
    gen = subprocess.Popen(
        ["taskset", "-c", "0", "node", "loadgen.mjs", json.dumps(spec)],
        cwd=GEN_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert gen.stdin is not None and gen.stdout is not None
    marks: dict[str, dict[str, float]] = {}
    result: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    for line in gen.stdout:
        event = json.loads(line)
        if event["event"] == "mark":
            marks[event["name"]] = {
                "cpu": cpu_seconds(pid),
                "rss": rss_kb(pid),
                "t": time.monotonic(),
            }
            gen.stdin.write("\n")
            gen.stdin.flush()
        elif event["event"] == "result":
            result = event
        elif event["event"] == "error":
            raise RuntimeError(event["message"])
        if time.monotonic() > deadline:
            gen.kill()
            raise RuntimeError("generator timed out")
    gen.wait(timeout=10)
    if "window-start" in marks:
        start, end = marks["window-start"], marks["window-end"]
        result["serverCpu"] = end["cpu"] - start["cpu"]
        result["serverCpuPct"] = 100 * result["serverCpu"] / (end["t"] - start["t"])
        result["rssKb"] = end["rss"]
    if "idle-before" in marks:
        before, after = marks["idle-before"], marks["idle-after"]
        result["rssBeforeKb"] = before["rss"]
        result["rssAfterKb"] = after["rss"]
        result["kbPerConnection"] = (after["rss"] - before["rss"]) / spec["clients"]
    return result


def scenarios(seconds: float, writers_apply: bool = True) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {
        "idle": {"kind": "idle", "clients": 200},
        "a": {
            "kind": "fixed",
            "rooms": 1,
            "clientsPerRoom": 50,
            "writersPerRoom": 5,
            "rate": 10,
            "warmup": 2,
            "seconds": seconds,
        },
        "b": {
            "kind": "fixed",
            "rooms": 20,
            "clientsPerRoom": 10,
            "writersPerRoom": 1,
            "rate": 10,
            "warmup": 2,
            "seconds": seconds,
        },
        "c": {"kind": "join", "clients": 20, "rounds": 5, "docBytes": 200_000},
        "d": {
            "kind": "saturate",
            "clients": 20,
            "writers": 4,
            "inflight": 16,
            "warmup": 2,
            "seconds": seconds,
        },
    }
    for spec in specs.values():
        spec["writersApply"] = writers_apply
    return specs


def ensure_node_modules() -> None:
    if not (GEN_DIR / "node_modules" / "@y" / "websocket-server").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=GEN_DIR, check=True)


def brief(name: str, r: dict[str, Any]) -> str:
    if name == "idle":
        return f"{r['kbPerConnection']:.1f} KB/conn (RSS {r['rssBeforeKb']}->{r['rssAfterKb']} KB)"
    if name == "c":
        j = r["join"]
        return (
            f"join p50 {j['p50']:.1f} ms max {j['max']:.1f} ms, all-20 p50 "
            f"{r['roundAll']['p50']:.1f} ms, server CPU/join "
            f"{1e3 * r['serverCpu'] / r['joins']:.2f} ms, doc {r['docUpdateBytes']} B, "
            f"gen CPU {100 * r['genCpu']:.0f} %"
        )
    lat = r["latency"]
    per = 1e6 * r["serverCpu"] / max(1, r["deliveries"])
    return (
        f"p50 {lat['p50']:.2f} ms p99 {lat['p99']:.2f} ms, {r['editsPerSec']:.0f} edits/s, "
        f"{r['deliveriesPerSec']:.0f} deliv/s, {per:.1f} us CPU/deliv, server CPU "
        f"{r['serverCpuPct']:.0f} %, gen CPU {100 * r['genCpu']:.0f} %, lost "
        f"{r['lostDeliveries']}"
    )


def metrics(name: str, r: dict[str, Any]) -> dict[str, float]:
    if name == "idle":
        return {"kb_per_conn": r["kbPerConnection"]}
    if name == "c":
        return {
            "join_p50_ms": r["join"]["p50"],
            "join_max_ms": r["join"]["max"],
            "cpu_per_join_ms": 1e3 * r["serverCpu"] / r["joins"],
        }
    return {
        "p50_ms": r["latency"]["p50"],
        "p99_ms": r["latency"]["p99"],
        "edits_per_s": r["editsPerSec"],
        "deliv_per_s": r["deliveriesPerSec"],
        "cpu_us_per_deliv": 1e6 * r["serverCpu"] / max(1, r["deliveries"]),
        "server_cpu_pct": r["serverCpuPct"],
        "gen_cpu_pct": 100 * r["genCpu"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-ours", nargs=2, metavar=("PORT", "DB"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--only", default="idle,a,b,c,d")
    parser.add_argument("--json", type=Path, help="write every raw result here")
    parser.add_argument(
        "--writers-ignore-updates",
        action="store_true",
        help="writers do not apply what they receive (the generator before 2026-11-27 11:00)",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "memory"),
        default="sqlite",
        help="ours: a temporary SQLite file (default, as deployed) or MemoryUpdateStore",
    )
    args = parser.parse_args()
    if args.serve_ours:
        serve_ours(int(args.serve_ours[0]), args.serve_ours[1])
        return
    ensure_node_modules()
    wanted = args.only.split(",")
    specs = scenarios(args.seconds, writers_apply=not args.writers_ignore_updates)
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, "
        f"{cpu_model}, load {os.getloadavg()}, store of ours: {args.store}, writers apply "
        f"updates: {not args.writers_ignore_updates}",
        flush=True,
    )
    raw: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for kind in ("ref", "ours"):
                db = str(Path(tmp) / f"collab-{repeat}.db")
                if args.store == "memory":
                    db = "memory"
                port = free_port()
                process, base = start_server(kind, port, db)
                try:
                    time.sleep(1)
                    for name in wanted:
                        spec = {**specs[name], "base": base, "tag": f"{kind}{repeat}{name}"}
                        r = run_generator(process.pid, spec)
                        load = os.getloadavg()[0]
                        print(
                            f"{kind:4} #{repeat} {name:4} {brief(name, r)} (load {load:.2f})",
                            flush=True,
                        )
                        raw.append(
                            {
                                "server": kind,
                                "repeat": repeat,
                                "scenario": name,
                                "load1": load,
                                "metrics": metrics(name, r),
                                "raw": r,
                            }
                        )
                finally:
                    stop(process)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))
    print("\n# medians over repeats, and ours/ref")
    for name in wanted:
        keys = next(x["metrics"].keys() for x in raw if x["scenario"] == name)
        for key in keys:
            med = {
                kind: statistics.median(
                    x["metrics"][key] for x in raw if x["scenario"] == name and x["server"] == kind
                )
                for kind in ("ref", "ours")
            }
            ratio = med["ours"] / med["ref"] if med["ref"] else float("nan")
            print(
                f"{name:4} {key:18} ref {med['ref']:10.2f}  ours {med['ours']:10.2f}  "
                f"ratio {ratio:6.2f}"
            )
    print(f"# load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
