"""Page benchmark: topic and board pages of a real `forum serve`, side by side with a floor.

Usage: python bench/pages_bench.py [--topics 10000] [--posts 200000] [--data DIR] [--repeats 3]

It generates 20 boards, --topics topics and --posts posts of French text in SQLite (kept in
--data for the next run), then, alternating A B A B, serves with one process pinned to core 1:
  A. the forum (`forum serve`), pages read by a signed-in member of half the boards;
  B. the floor: a bare Starlette + Jinja2 app reading the same SQLite file with sqlite3
     through one connection kept open (20 posts of a topic; 30 topics of a board), with
     async handlers: no session, no access rules, no thread hop.
The load comes from wrk pinned to core 0 over loopback: throughput at 8 connections, and the
median and p99 response time at one connection (≈ server time plus loopback).
Needs: wrk (Debian package), taskset, Linux.
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
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import benchlib
from benchlib import cpu_model, cpu_seconds, free_port, stop, wait_up

BOARDS = 20
VISIBLE_BOARDS = 10  # the member reads half of the boards
WORDS = (
    "réunion école budget assemblée générale association bénévoles subvention projet quartier "
    "jardin festival compte rendu trésorerie adhérents œuvre cœur été mairie région formation "
    "le la les des et à un une en du pour que qui dans sur pas nous vous ils avec comme plus "
    "Casablanca Marseille Rabat Lyon économie sociale solidaire coopérative pôle copil bureau"
).split()

FLOOR_APP = '''
import sqlite3, sys
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

DB = sys.argv[1]
ENV = Environment(autoescape=True)
TOPIC = ENV.from_string("""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{{ title }}</title></head><body><main><h1>{{ title }}</h1>
{% for p in posts %}<article id="p{{ p[0] }}"><header>{{ p[1] }} · {{ p[2] }}</header>
<div dir="auto">{{ p[3] | safe }}</div></article>{% endfor %}</main></body></html>""")
BOARD = ENV.from_string("""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{{ name }}</title></head><body><main><h1>{{ name }}</h1><ul>
{% for t in topics %}<li><a href="/t/{{ t[0] }}">{{ t[1] }}</a> {{ t[2] }} · {{ t[3] }}</li>
{% endfor %}</ul></main></body></html>""")


# One connection for the process: opening one per request costs 0.75 ms here (SQLite
# parses the schema on each new connection's first statement), more than the page itself.
DB_CONNECTION = sqlite3.connect(f"file:{DB}?mode=ro", uri=True, check_same_thread=False)


async def topic(request):
    db = DB_CONNECTION
    tid = request.path_params["tid"]
    title = db.execute("SELECT title FROM topics WHERE id = ?", (tid,)).fetchone()[0]
    posts = db.execute(
        "SELECT p.id, u.display_name, p.created_at, p.html FROM posts p "
        "JOIN users u ON u.id = p.author_id WHERE p.topic_id = ? ORDER BY p.number LIMIT 20",
        (tid,),
    ).fetchall()
    return HTMLResponse(TOPIC.render(title=title, posts=posts))


async def board(request):
    db = DB_CONNECTION
    name = db.execute(
        "SELECT id, name FROM boards WHERE slug = ?", (request.path_params["slug"],)
    ).fetchone()
    topics = db.execute(
        "SELECT t.id, t.title, u.display_name, t.last_post_at FROM topics t "
        "JOIN users u ON u.id = t.author_id WHERE t.board_id = ? AND t.deleted_at IS NULL "
        "ORDER BY t.is_pinned DESC, t.last_post_at DESC LIMIT 30",
        (name[0],),
    ).fetchall()
    return HTMLResponse(BOARD.render(name=name[1], topics=topics))


app = Starlette(routes=[Route("/t/{tid:int}", topic), Route("/b/{slug}", board)])
'''

WRK_SCRIPT = """
local paths = {%s}
local cookie = "%s"
math.randomseed(%d)
request = function()
  local path = paths[math.random(1, #paths)]
  return wrk.format("GET", path, {["Cookie"] = cookie})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%%.1f p50=%%d p99=%%d errors=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50),
    latency:percentile(99), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.timeout))
end
"""


def sentence(rng: random.Random, low: int, high: int) -> str:
    """French-looking words, capitalised, with a full stop."""
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def generate(data: Path, topics: int, posts: int) -> None:
    """Create the forum database through its migrations, then fill it in bulk."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from forum.db import make_engine, migrate
    from forum.markup import render_markdown
    from forum.models import AuthSession, Board, Group, Membership, Post, Topic, User
    from forum.services.sessions import start_session

    data.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{data / 'forum.db'}")
    migrate(engine)
    rng = random.Random(7)
    bodies = []
    for _ in range(300):
        source = "\n\n".join(sentence(rng, 15, 60) for _ in range(rng.randint(1, 4)))
        bodies.append((source, render_markdown(source)))
    start = datetime(2019, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        conn = session.connection()
        users = [
            {"login": f"membre{n}", "display_name": f"Membre {n}", "created_at": start}
            for n in range(1, 201)
        ]
        conn.execute(insert(User), users)
        conn.execute(insert(Group), [{"slug": "pole", "name": "Pôle", "created_at": start}])
        conn.execute(
            insert(Membership),
            [{"user_id": 1, "group_id": 1, "role": "member", "created_at": start}],
        )
        conn.execute(
            insert(Group), [{"slug": "autre", "name": "Autre groupe", "created_at": start}]
        )
        conn.execute(
            insert(Board),
            [
                {
                    "slug": f"espace-{n}",
                    "name": f"Espace {n}",
                    "visibility": "group",
                    "group_id": 1 if n <= VISIBLE_BOARDS else 2,
                    "position": n,
                    "created_at": start,
                }
                for n in range(1, BOARDS + 1)
            ],
        )
        per_topic = [1] * topics
        for _ in range(posts - topics):
            per_topic[rng.randrange(topics)] += 1
        topic_rows = []
        post_rows = []
        post_id = 0
        for tid in range(1, topics + 1):
            when = start + timedelta(minutes=tid * 20)
            first = post_id + 1
            for number in range(1, per_topic[tid - 1] + 1):
                post_id += 1
                body, html = rng.choice(bodies)
                post_rows.append(
                    {
                        "id": post_id,
                        "topic_id": tid,
                        "author_id": rng.randint(1, 200),
                        "number": number,
                        "body": body,
                        "html": html,
                        "created_at": when + timedelta(minutes=number),
                    }
                )
            topic_rows.append(
                {
                    "id": tid,
                    "board_id": (tid - 1) % BOARDS + 1,
                    "title": sentence(rng, 3, 9)[:-1],
                    "author_id": rng.randint(1, 200),
                    "created_at": when,
                    "last_post_at": when + timedelta(minutes=per_topic[tid - 1]),
                    "post_count": per_topic[tid - 1],
                    "first_post_id": first,
                }
            )
        conn.execute(insert(Topic), topic_rows)
        for chunk in range(0, len(post_rows), 20_000):
            conn.execute(insert(Post), post_rows[chunk : chunk + 20_000])
        session.commit()
        key, _row = start_session(session, user_id=1, days=365)
        session.commit()
        assert session.get(AuthSession, 1) is not None
    engine.dispose()
    (data / "bench-session-key").write_text(key)


def start_forum(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, FORUM_DATA_DIR=str(data), FORUM_BASE_URL=f"http://127.0.0.1:{port}")
    forum = shutil.which("forum") or str(Path(sys.executable).parent / "forum")
    command = ["taskset", "-c", "1", forum, "serve", "--port", str(port)]
    # The server logs every request: to a file, never to a pipe nobody reads (it would block).
    with log.open("ab") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)


def start_floor(work: Path, db: Path, port: int) -> subprocess.Popen[bytes]:
    (work / "floor_app.py").write_text(FLOOR_APP)
    code = (
        "import sys, uvicorn; sys.argv = ['floor', sys.argv[1]]; import floor_app; "
        f"uvicorn.run(floor_app.app, host='127.0.0.1', port={port}, access_log=False, "
        "log_level='warning')"
    )
    command = ["taskset", "-c", "1", sys.executable, "-c", code, str(db)]
    return subprocess.Popen(
        command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ
    )


def run_wrk(
    work: Path, port: int, paths: list[str], cookie: str, connections: int, seconds: int
) -> dict[str, float]:
    script = work / "paths.lua"
    quoted = ",".join(f'"{path}"' for path in paths)
    script.write_text(WRK_SCRIPT % (quoted, cookie, random.randint(1, 10**6)))
    return benchlib.run_wrk(script, port, connections, seconds)


def measure(
    label: str,
    process: subprocess.Popen[bytes],
    work: Path,
    port: int,
    paths: list[str],
    cookie: str,
    seconds: int,
) -> dict[str, float]:
    run_wrk(work, port, paths, cookie, 4, 2)  # warm-up
    before = cpu_seconds(process.pid)
    load = run_wrk(work, port, paths, cookie, 8, seconds)
    cpu = cpu_seconds(process.pid) - before
    single = run_wrk(work, port, paths, cookie, 1, max(seconds // 2, 2))
    result = {
        "rps": load["rps"],
        "cpu_ms_per_page": 1000 * cpu / max(load["rps"] * seconds, 1),
        "p50_ms": single["p50_ms"],
        "p99_ms": single["p99_ms"],
        "errors": load["errors"] + single["errors"],
    }
    print(
        f"  {label:<14} {result['rps']:8.0f} pages/s"
        f"  {result['cpu_ms_per_page']:6.2f} ms CPU/page  p50 {result['p50_ms']:6.2f} ms"
        f"  p99 {result['p99_ms']:6.2f} ms  errors {result['errors']}"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "forum-pages-bench"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    if not (args.data / "bench-session-key").exists():
        shutil.rmtree(args.data, ignore_errors=True)
        started = time.monotonic()
        generate(args.data, args.topics, args.posts)
        print(
            f"generated {args.topics} topics, {args.posts} posts"
            f" in {time.monotonic() - started:.0f} s"
        )
    db = args.data / "forum.db"
    key = (args.data / "bench-session-key").read_text().strip()
    from forum.auth.middleware import SESSION_COOKIE, cookie_signer
    from forum.settings import Settings

    settings = Settings.from_env({"FORUM_DATA_DIR": str(args.data)}).with_secret()
    cookie = f"{SESSION_COOKIE}={cookie_signer(settings.secret_key).dumps(key)}"
    with sqlite3.connect(db) as conn:
        visible = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM topics WHERE board_id <= ? ORDER BY id", (VISIBLE_BOARDS,)
            )
        ]
    rng = random.Random(3)
    topic_paths = [f"/t/{tid}" for tid in rng.sample(visible, min(2000, len(visible)))]
    board_paths = [f"/b/espace-{n}" for n in range(1, VISIBLE_BOARDS + 1)]
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for repeat in range(1, args.repeats + 1):
            print(f"repeat {repeat}/{args.repeats}")
            for side in ("forum", "floor"):
                port = free_port()
                process = (
                    start_forum(args.data, port, work / "forum.log")
                    if side == "forum"
                    else start_floor(work, db, port)
                )
                try:
                    wait_up(f"http://127.0.0.1:{port}{board_paths[0]}")
                    for kind, paths in (("topic", topic_paths), ("board", board_paths)):
                        outcome = measure(
                            f"{side} {kind}", process, work, port, paths, cookie, args.seconds
                        )
                        results.setdefault((side, kind), []).append(outcome)
                finally:
                    stop(process)
    print()
    print(
        textwrap.dedent(f"""\
        machine: {os.cpu_count()} CPUs, {cpu_model()}; {args.topics} topics, {args.posts} posts
        medians over {args.repeats} alternating repeats (server on core 1, wrk on core 0):""")
    )
    print(
        "| page | forum pages/s | floor pages/s | ratio | forum p50 ms | floor p50 ms"
        " | forum p99 ms | forum CPU ms/page |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind in ("topic", "board"):
        ours = results[("forum", kind)]
        floor = results[("floor", kind)]

        def med(rows: list[dict[str, float]], key: str) -> float:
            return statistics.median(row[key] for row in rows)

        print(
            f"| {kind} | {med(ours, 'rps'):.0f} | {med(floor, 'rps'):.0f} | "
            f"{med(ours, 'rps') / med(floor, 'rps'):.2f} | {med(ours, 'p50_ms'):.2f} | "
            f"{med(floor, 'p50_ms'):.2f} | {med(ours, 'p99_ms'):.2f} | "
            f"{med(ours, 'cpu_ms_per_page'):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
