"""Two versions of the code side by side, in process: CPU per topic or board page, interleaved.

Usage: python bench/pages_ab.py OLD_TREE [NEW_TREE] [--page topic|board] [--batches 30]
                                [--size 200] [--data DIR] [--servers ROUNDS [--seconds 6]]

A tree is a checkout of the project (`git worktree add /tmp/old <commit>`, or
`git archive <commit> | tar -x -C /tmp/old`); NEW_TREE defaults to this checkout. Each tree
runs in its own process (PYTHONPATH=tree) the whole ASGI app in process, with its lifespan,
uvloop and a signed-in member's cookie, over the pages of `pages_bench.py`'s data (run that
first: it generates the data in --data). The two processes take turns, batch after batch
(old new, new old, ...), and each reports its CPU time per page for the batch; the medians
and their ratio come out. On a shared machine whose speed drifts by ±30 % from one minute to
the next, only this kind of interleaved comparison shows a change of 5 to 10 %.

With --servers, each version runs instead as a real `forum serve` (core 1) under wrk (core 0,
8 connections), one after the other for ROUNDS rounds (old new, new old, ...), each on its own
copy of the data made at the start: both sides meet the same first visits of topics, which
write the member's reading point, then re-visits. Pages/s and CPU per page, medians.

The data must be at a schema both trees can read: a tree with newer migrations than the
data is refused by the app at start-up (migrate a copy of the data for it).
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VISIBLE_BOARDS = 10  # as in pages_bench.py: the member reads half of the boards


def page_paths(data: Path, page: str) -> list[str]:
    """The paths read: 2,000 topics of the member's boards at random, or their boards."""
    if page == "board":
        return [f"/b/espace-{n}" for n in range(1, VISIBLE_BOARDS + 1)]
    with sqlite3.connect(data / "forum.db") as conn:
        visible = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM topics WHERE board_id <= ? ORDER BY id", (VISIBLE_BOARDS,)
            )
        ]
    return [f"/t/{tid}" for tid in random.Random(3).sample(visible, min(2000, len(visible)))]


async def serve_batches(data: Path, page: str) -> None:
    """The child: read a batch size on stdin, answer with the CPU ms per page of the batch."""
    import uvloop  # noqa: F401 (the event loop the server runs on)

    from forum.app import create_app
    from forum.auth.middleware import SESSION_COOKIE, cookie_signer
    from forum.settings import Settings

    app = create_app(Settings.from_env({"FORUM_DATA_DIR": str(data)}))
    key = (data / "bench-session-key").read_text().strip()
    cookie = f"{SESSION_COOKIE}={cookie_signer(app.state.settings.secret_key).dumps(key)}"
    paths = page_paths(data, page)

    async def one(path: str) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"127.0.0.1:8000"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        status = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        if status != [200]:
            raise SystemExit(f"{path}: status {status}")

    async with app.router.lifespan_context(app):
        for path in paths[:200]:  # warm: templates compiled, statements prepared
            await one(path)
        done = 0
        for line in sys.stdin:
            size = int(line)
            started = time.process_time()
            for _ in range(size):
                await one(paths[done % len(paths)])
                done += 1
            print(1000 * (time.process_time() - started) / size, flush=True)


def serve_rounds(args: argparse.Namespace) -> int:
    """Real servers, one version after the other (see --servers in the module's doc)."""
    import pages_bench
    from benchlib import free_port, stop, wait_up

    from forum.auth.middleware import SESSION_COOKIE, cookie_signer
    from forum.settings import Settings

    settings = Settings.from_env({"FORUM_DATA_DIR": str(args.data)}).with_secret()
    key = (args.data / "bench-session-key").read_text().strip()
    cookie = f"{SESSION_COOKIE}={cookie_signer(settings.secret_key).dumps(key)}"
    paths = page_paths(args.data, args.page)
    results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copies = {name: work / f"data-{name}" for name in results}
        for copy in copies.values():
            shutil.copytree(args.data, copy)
        for round_ in range(args.servers):
            for name in ("old", "new") if round_ % 2 == 0 else ("new", "old"):
                tree = (args.old if name == "old" else args.new).resolve()
                port = free_port()
                os.environ["PYTHONPATH"] = str(tree)  # the server imports this version
                try:
                    process = pages_bench.start_forum(copies[name], port, work / f"{name}.log")
                finally:
                    del os.environ["PYTHONPATH"]
                try:
                    wait_up(f"http://127.0.0.1:{port}/b/espace-1")
                    label = f"{name} {args.page}"
                    results[name].append(
                        pages_bench.measure(label, process, work, port, paths, cookie, args.seconds)
                    )
                finally:
                    stop(process)
    medians = {
        name: (
            statistics.median(m["rps"] for m in found),
            statistics.median(m["cpu_ms_per_page"] for m in found),
        )
        for name, found in results.items()
    }
    (old_rps, old_cpu), (new_rps, new_cpu) = medians["old"], medians["new"]
    print(
        f"{args.page} page, real servers, medians of {args.servers} rounds: old {old_rps:.0f}"
        f" pages/s ({old_cpu:.2f} ms CPU/page), new {new_rps:.0f} pages/s ({new_cpu:.2f} ms),"
        f" new/old CPU {new_cpu / old_cpu:.3f}"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=Path(__file__).parent.parent)
    parser.add_argument("--page", choices=("topic", "board"), default="topic")
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "forum-pages-bench"
    )
    parser.add_argument("--servers", type=int, default=0, help="rounds of real servers")
    parser.add_argument("--seconds", type=int, default=6, help="of load per server")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import uvloop

        uvloop.run(serve_batches(args.data, args.page))
        return 0
    if not (args.data / "bench-session-key").exists():
        raise SystemExit(f"no data in {args.data}: run bench/pages_bench.py first")
    if args.servers:
        return serve_rounds(args)

    def start(tree: Path) -> subprocess.Popen[str]:
        command = [sys.executable, __file__, str(tree), "--child", "--page", args.page]
        command += ["--data", str(args.data)]
        env = dict(os.environ, PYTHONPATH=str(tree.resolve()))
        return subprocess.Popen(
            command, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    sides = {"old": start(args.old), "new": start(args.new)}
    results: dict[str, list[float]] = {"old": [], "new": []}
    try:
        for batch in range(args.batches):
            order = ("old", "new") if batch % 2 == 0 else ("new", "old")
            for name in order:
                process = sides[name]
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(f"{args.size}\n")
                process.stdin.flush()
                answer = process.stdout.readline()
                if not answer:
                    raise SystemExit(f"the {name} side stopped (see its error above)")
                results[name].append(float(answer))
    finally:
        for process in sides.values():
            if process.stdin is not None:
                process.stdin.close()
            process.wait()
    old, new = (statistics.median(results[name]) for name in ("old", "new"))
    print(
        f"{args.page} page, CPU per page (median of {args.batches} batches of {args.size}):"
        f" old {old:.3f} ms ({min(results['old']):.2f} to {max(results['old']):.2f}),"
        f" new {new:.3f} ms ({min(results['new']):.2f} to {max(results['new']):.2f}),"
        f" new/old {new / old:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
