"""Two versions of the code side by side, in process: CPU per topic or board page, interleaved.

Usage: python bench/pages_ab.py OLD_TREE [NEW_TREE] [--page topic|board] [--batches 30]
                                [--size 200] [--data DIR]

A tree is a checkout of the project (`git worktree add /tmp/old <commit>`, or
`git archive <commit> | tar -x -C /tmp/old`); NEW_TREE defaults to this checkout. Each tree
runs in its own process (PYTHONPATH=tree) the whole ASGI app in process, with its lifespan,
uvloop and a signed-in member's cookie, over the pages of `pages_bench.py`'s data (run that
first: it generates the data in --data). The two processes take turns, batch after batch
(old new, new old, ...), and each reports its CPU time per page for the batch; the medians
and their ratio come out. On a shared machine whose speed drifts by ±30 % from one minute to
the next, only this kind of interleaved comparison shows a change of 5 to 10 %.

The data must be at a schema both trees can read: a tree with newer migrations than the
data is refused by the app at start-up (migrate a copy of the data for it).
"""

import argparse
import os
import random
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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import uvloop

        uvloop.run(serve_batches(args.data, args.page))
        return 0
    if not (args.data / "bench-session-key").exists():
        raise SystemExit(f"no data in {args.data}: run bench/pages_bench.py first")

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
