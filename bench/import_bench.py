"""Import benchmark: a generated 20,000-message French mbox into SQLite.

Issue 6 asks for at least 500 messages per second, at most 2.5 times as long as parsing the
same file with Python's `mailbox` and `email.policy.default` alone, and a peak memory under
300 MB. Each measurement runs in its own process (peak RSS is per process), alternating
reference and import (A B A B …), and the medians and the ratio are printed.

    python bench/import_bench.py [--messages 20000] [--repeats 3] [--keep DIR]
"""

import argparse
import base64
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = (
    "association réunion pôle économie sociale solidaire insertion éducation citoyenneté "
    "accès droits jeunes femmes coopérative territoire Rabat Casablanca Marseille Lyon "
    "projet financement atelier formation échange partenaires comité pilotage bureau "
    "fiche activité calendrier rencontre bénévoles salariés budget évaluation rapport "
    "prochaine étape proposition validation document partagé compte rendu ordre du jour"
).split()
NAMES = [
    ("Amina Benali", "amina"),
    ("François Pérez", "francois"),
    ("Karim El Idrissi", "karim"),
    ("Chloé Petit", "chloe"),
    ("Youssef Alaoui", "youssef"),
    ("Léa Martin", "lea"),
    ("Fatima Zahra Bennani", "fatima"),
    ("Jérôme Dubois", "jerome"),
]
PDF = b"%PDF-1.4\n" + b"0" * 12_000 + b"\n%%EOF\n"


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def generate(path: Path, count: int, seed: int = 6) -> None:
    """An mbox of `count` messages: 1 in 4 starts a topic, replies quote their parent,
    1 in 50 has a PDF attachment, 1 in 20 is HTML-only, charsets vary."""
    rng = random.Random(seed)
    start = datetime(2008, 1, 1, tzinfo=UTC)
    ids: list[tuple[str, str]] = []  # (message id, subject)
    with path.open("wb") as out:
        for number in range(count):
            name, local = rng.choice(NAMES)
            moment = start + timedelta(minutes=37 * number)
            message_id = f"<{number}.{local}@groupe.example.org>"
            body = "\n\n".join(sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(1, 4)))
            headers = [
                f"From: {name} <{local}@example.org>",
                f"Date: {moment.strftime('%a, %d %b %Y %H:%M:%S +0100')}",
                f"Message-ID: {message_id}",
            ]
            if ids and rng.random() < 0.75:
                parent, subject = rng.choice(ids[-40:])
                headers += [f"In-Reply-To: {parent}", f"References: {parent}"]
                headers.append(f"Subject: Re: {subject}")
                body += f"\n\nLe {moment.strftime('%d/%m/%Y')}, {name} a écrit :\n> " + sentence(
                    rng, 12
                )
            else:
                subject = f"[pole-ess] {sentence(rng, 4)[:-1]}"
                headers.append(f"Subject: {subject}")
            ids.append((message_id, subject))
            encoded_subject = headers[-1]
            headers[-1] = (
                "Subject: =?utf-8?b?"
                + base64.b64encode(encoded_subject[9:].encode()).decode()
                + "?="
            )
            headers.append("MIME-Version: 1.0")
            charset = "iso-8859-1" if number % 3 == 0 else "utf-8"
            if number % 20 == 7:
                part = (
                    f"Content-Type: text/html; charset={charset}\n"
                    "Content-Transfer-Encoding: quoted-printable\n\n"
                ).encode() + _qp(
                    f"<html><body><p>{body.replace(chr(10), '<br>')}</p></body></html>", charset
                )
            else:
                part = (
                    f"Content-Type: text/plain; charset={charset}\n"
                    "Content-Transfer-Encoding: 8bit\n\n"
                ).encode() + body.encode(charset, "replace")
            if number % 50 == 3:
                raw = (
                    (
                        "\n".join(headers)
                        + '\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
                    ).encode()
                    + part
                    + (
                        b'\n--b\nContent-Type: application/pdf; name="cr.pdf"\n'
                        b'Content-Disposition: attachment; filename="compte-rendu.pdf"\n'
                        b"Content-Transfer-Encoding: base64\n\n"
                    )
                    + base64.encodebytes(PDF)
                    + b"--b--\n"
                )
            else:
                raw = "\n".join(headers).encode() + b"\n" + part
            envelope = f"From {local}@example.org {moment.strftime('%a %b %d %H:%M:%S %Y')}\n"
            out.write(envelope.encode() + raw.rstrip(b"\n") + b"\n\n")


def _qp(text: str, charset: str) -> bytes:
    import quopri

    return quopri.encodestring(text.encode(charset, "replace"))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_reference(mbox: Path) -> dict[str, float]:
    """Python's mailbox with email.policy.default: every message parsed, nothing else."""
    import email.policy
    import mailbox
    from email.parser import BytesParser

    parser = BytesParser(policy=email.policy.default)
    began, cpu = time.perf_counter(), time.process_time()
    box = mailbox.mbox(mbox, factory=parser.parse, create=False)  # type: ignore[arg-type]
    count = sum(1 for _message in box)
    box.close()
    return {
        "messages": count,
        "seconds": time.perf_counter() - began,
        "cpu": time.process_time() - cpu,
        "peak_mb": peak_rss_mb(),
    }


def run_import(mbox: Path, data_dir: Path) -> dict[str, float]:
    """The full import (read, thread, people, load, search index) into a fresh SQLite."""
    from forum.bootstrap import prepare
    from forum.db import Database, make_engine
    from forum.importer.load import ImportOptions
    from forum.importer.run import run_import as import_archive
    from forum.search import make_search_backend
    from forum.settings import Settings

    settings = Settings(data_dir=data_dir, base_url="http://bench", secret_key="bench")
    prepare(settings)
    engine = make_engine(settings.resolved_database_url)
    db = Database(engine)
    options = ImportOptions(board_slug="pole-ess", archive=mbox.name, format="mbox")
    began, cpu = time.perf_counter(), time.process_time()
    report = import_archive(db, "mbox", [mbox], options, search=make_search_backend(engine))
    seconds = time.perf_counter() - began
    engine.dispose()
    assert not report.failures, report.failures[:3]
    return {
        "messages": report.posts_created,
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "peak_mb": peak_rss_mb(),
    }


def measure(kind: str, mbox: Path, work: Path, cpu: str) -> dict[str, float]:
    """One measurement in a fresh process pinned to one core."""
    data_dir = Path(tempfile.mkdtemp(dir=work))
    command = [
        "taskset",
        "-c",
        cpu,
        sys.executable,
        __file__,
        "--one",
        kind,
        str(mbox),
        str(data_dir),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Keep the generated files in this folder.")
    parser.add_argument("--cpu", default="1", help="Core to pin each measurement to.")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "MBOX", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, mbox, data = args.one
        result = (
            run_reference(Path(mbox)) if kind == "reference" else run_import(Path(mbox), Path(data))
        )
        print(json.dumps(result))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    mbox = work / "groupe.mbox"
    generate(mbox, args.messages)
    print(
        f"mbox: {args.messages} messages, {mbox.stat().st_size / 1e6:.1f} MB; "
        f"nproc {os.cpu_count()}; {_cpu_model()}"
    )
    results: dict[str, list[dict[str, float]]] = {"reference": [], "import": []}
    for repeat in range(args.repeats):
        for kind in ("reference", "import"):
            result = measure(kind, mbox, work, args.cpu)
            results[kind].append(result)
            rate = result["messages"] / result["seconds"]
            print(
                f"  run {repeat + 1} {kind:9}: {result['seconds']:.2f} s wall, "
                f"{result['cpu']:.2f} s CPU, {rate:.0f} msg/s, peak {result['peak_mb']:.0f} MB"
            )
    summary = {}
    for kind, runs in results.items():
        wall = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        summary[kind] = (wall, cpu)
        print(
            f"median {kind}: {wall:.2f} s wall ({args.messages / wall:.0f} msg/s), "
            f"{cpu:.2f} s CPU ({args.messages / cpu:.0f} msg/s of CPU)"
        )
    (ref_wall, ref_cpu), (imp_wall, imp_cpu) = summary["reference"], summary["import"]
    peak = max(r["peak_mb"] for r in results["import"])
    print(
        f"ratio import/reference: {imp_wall / ref_wall:.2f} wall, {imp_cpu / ref_cpu:.2f} CPU "
        f"(target <= 2.5); peak import memory {peak:.0f} MB (target < 300)"
    )


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


if __name__ == "__main__":
    main()
