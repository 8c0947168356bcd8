"""Search benchmark: index N synthetic French-like posts, then time typical searches.

Usage: python bench/search_bench.py [--posts 200000] [--db path.db]
An existing --db is searched again without re-indexing. The corpus is deliberately hard:
Zipf-distributed words, so the commonest ones appear in nearly every post.
"""

import argparse
import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from forum.db import make_engine, migrate
from forum.models import Board
from forum.search import SearchEntry, SearchQuery, SqliteSearch

BOARDS = 20
VISIBLE = frozenset(range(1, 11))  # a member who reads half the boards
COMMON = (
    "réunion école budget assemblée générale association bénévoles subvention projet quartier "
    "jardin festival compte rendu trésorerie adhérents œuvre cœur été mairie région formation"
).split()
SHORT = "de la le les des et à un une en du pour que qui dans sur pas".split()
SYLLABLES = "ba be bi bo ca ce ci co da de di fa fe la le li ma me mi na ne ni pa pe ra re "
SYLLABLES += "ri sa se si ta te ti va ve vi é è on an in"
QUERIES = [
    "réunion",
    "ecole budget",
    '"compte rendu"',
    "tresorerie",
    "oeuvre",
    "subv",
    "l'école",
    "festival jardin",
]


def corpus(posts: int, rng: random.Random) -> Iterator[SearchEntry]:
    """Synthetic posts: 20 to 120 Zipf-distributed words plus short French words."""
    syllables = SYLLABLES.split()
    invented = ("".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20_000))
    vocabulary = list(dict.fromkeys([*COMMON, *invented]))
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for number in range(1, posts + 1):
        words = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(20, 120))
        words += rng.choices(SHORT, k=len(words) // 2)
        rng.shuffle(words)
        yield SearchEntry(
            kind="post",
            object_id=number,
            board_id=rng.randint(1, BOARDS),
            topic_id=number // 10 + 1,
            title="Sujet",
            body=" ".join(words),
            author_id=rng.randint(1, 500),
            author_name="Auteur",
            created_at=start + timedelta(minutes=7 * number),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "search-bench.db"
    fresh = not path.exists()
    engine = make_engine(f"sqlite:///{path}")
    backend = SqliteSearch(engine)
    if fresh:
        migrate(engine)
        with Session(engine) as session:
            for number in range(BOARDS):
                session.add(Board(slug=f"b{number}", name=f"B{number}"))
            session.commit()
        began = time.perf_counter()
        backend.rebuild(corpus(args.posts, random.Random(1)))
        backend.optimize()
        print(f"indexed {args.posts} posts in {time.perf_counter() - began:.0f} s ({path})")
    timings: list[float] = []
    for words in QUERIES:
        runs = []
        for _ in range(15):
            began = time.perf_counter()
            backend.search(SearchQuery(text=words, board_ids=VISIBLE))
            runs.append((time.perf_counter() - began) * 1000)
        timings += runs
        print(f"{words!r:20} median {statistics.median(runs):6.1f} ms")
    print(f"overall median {statistics.median(timings):.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
