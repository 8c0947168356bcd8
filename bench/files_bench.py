"""File benchmarks: upload memory, thumbnailing time, thumbnail serving against a floor.

Usage: python bench/files_bench.py [--repeats 3] [--seconds 8] [--upload-mb 50]

1. Upload memory: a real `forum serve` (one process, core 1) receives a --upload-mb PDF
   streamed by the client; the server's VmHWM (peak RSS) after the upload minus its VmRSS
   before says how much the upload raised its memory. Target: < 30 MB for 50 MB.
2. Thumbnailing: forum.files.images.process_image on a 12 Mpx JPEG (4000 × 3000 of noise and
   gradients), with and without EXIF (with EXIF the full-size original is re-encoded too),
   in this process. Target: < 1 s without EXIF.
3. Thumbnail serving, alternating A B A B: A is the forum serving /f/{id}/thumb to a signed-in
   member (session cookie: access checked on every request); B the floor, a bare Starlette
   FileResponse of the same file. Server on core 1, wrk on core 0, 8 connections.
Needs: wrk, taskset, Linux.
"""

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import benchlib
from benchlib import cpu_model, cpu_seconds, free_port, stop, wait_up

FLOOR_APP = """
import sys
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Route

PATH = sys.argv[1]


def thumb(request):
    return FileResponse(PATH, media_type="image/jpeg")


app = Starlette(routes=[Route("/thumb", thumb)])
"""

WRK_SCRIPT = """
local path = "%s"
local cookie = "%s"
request = function()
  return wrk.format("GET", path, {["Cookie"] = cookie})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%%.1f p50=%%d p99=%%d errors=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50),
    latency:percentile(99), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.timeout))
end
"""


def photo(width: int, height: int, *, exif: bool) -> bytes:
    """A JPEG that compresses like a photo (noise over gradients), optionally with GPS EXIF."""
    from PIL import Image

    rng = random.Random(5)
    small = Image.new("RGB", (width // 16, height // 16))
    small.putdata(
        [
            (rng.randrange(256), (x * 7) % 256, (y * 5) % 256)
            for y in range(height // 16)
            for x in range(width // 16)
        ]
    )
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.25)
    options: dict[str, object] = {"quality": 90}
    if exif:
        tags = Image.Exif()
        tags[0x0112] = 6
        gps = tags.get_ifd(0x8825)
        gps[1], gps[2] = "N", (48.0, 51.0, 24.0)
        options["exif"] = tags.tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def bench_thumbnail(repeats: int) -> dict[str, float]:
    """Median seconds of process_image on a 12 Mpx JPEG, without and with EXIF."""
    from forum.files.images import process_image
    from forum.files.storage import LocalStorage

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalStorage(Path(tmp) / "files")
        for label, exif in (("plain", False), ("exif", True)):
            source = Path(tmp) / f"{label}.jpg"
            source.write_bytes(photo(4000, 3000, exif=exif))
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                result = process_image(source, storage)
                times.append(time.perf_counter() - started)
                if result.cleaned_original is not None:
                    result.cleaned_original[0].unlink()
            results[label] = statistics.median(times)
            size = source.stat().st_size / 1e6
            print(f"  12 Mpx JPEG ({label}, {size:.1f} MB): median {results[label]:.3f} s")
    return results


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} for {pid}")


def prepare(data: Path) -> tuple[str, str]:
    """A fresh forum with one member of pole-ess: (session key, access token)."""
    from forum.bootstrap import prepare as prepare_forum
    from forum.db import Database, make_engine
    from forum.services import groups as group_service
    from forum.services import tokens as token_service
    from forum.services import users as user_service
    from forum.services.sessions import start_session
    from forum.settings import Settings

    settings = Settings(data_dir=data).with_secret()
    prepare_forum(settings)
    engine = make_engine(settings.resolved_database_url)
    db = Database(engine)

    def arrange(session):  # type: ignore[no-untyped-def]
        user = user_service.create_user(session, login="amina", display_name="Amina")
        group_service.set_membership(session, group_slug="pole-ess", user_id=user.id, role="member")
        key, _row = start_session(session, user_id=user.id, days=1)
        token, _t = token_service.create_token(session, user_id=user.id, name="bench")
        return key, token

    key, token = db.transaction(arrange)
    engine.dispose()
    return key, token


def start_forum(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, FORUM_DATA_DIR=str(data), FORUM_BASE_URL=f"http://127.0.0.1:{port}")
    forum = shutil.which("forum") or str(Path(sys.executable).parent / "forum")
    command = ["taskset", "-c", "1", forum, "serve", "--port", str(port)]
    # The access log goes to stderr: a pipe nobody reads would block the server.
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_floor(work: Path, path: Path, port: int) -> subprocess.Popen[bytes]:
    (work / "floor_app.py").write_text(FLOOR_APP)
    code = (
        "import sys, uvicorn; sys.argv = ['floor', sys.argv[1]]; import floor_app; "
        f"uvicorn.run(floor_app.app, host='127.0.0.1', port={port}, access_log=False, "
        "log_level='warning')"
    )
    command = ["taskset", "-c", "1", sys.executable, "-c", code, str(path)]
    return subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def upload(port: int, token: str, name: str, payload: bytes | Path) -> dict[str, object]:
    """POST a file to pole-ess through the API, streaming it from disk when given a path."""
    import httpx2

    url = f"http://127.0.0.1:{port}/api/v1/boards/pole-ess/files"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(timeout=300) as client:
        if isinstance(payload, Path):
            with payload.open("rb") as source:
                response = client.post(url, headers=headers, files={"file": (name, source)})
        else:
            response = client.post(url, headers=headers, files={"file": (name, payload)})
    if response.status_code != 201:
        raise SystemExit(f"upload failed: {response.status_code} {response.text}")
    body: dict[str, object] = response.json()
    return body


def bench_upload(data: Path, token: str, megabytes: int, work: Path) -> dict[str, float]:
    """Peak memory rise of the server while it receives one big file."""
    big = work / "big.pdf"
    with big.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        chunk = os.urandom(1024 * 1024)
        for _ in range(megabytes - 1):
            out.write(chunk)
        out.write(chunk[: 1024 * 1024 - 4096])
    port = free_port()
    process = start_forum(data, port)
    try:
        wait_up(f"http://127.0.0.1:{port}/")
        upload(port, token, "warm-up.pdf", b"%PDF-1.4\nwarm-up\n")
        # Start-up (migrations, imports) peaks higher than serving: reset the peak first.
        Path(f"/proc/{process.pid}/clear_refs").write_text("5")
        before = status_kb(process.pid, "VmRSS")
        started = time.monotonic()
        upload(port, token, "gros.pdf", big)
        took = time.monotonic() - started
        peak = status_kb(process.pid, "VmHWM")
    finally:
        stop(process)
        big.unlink()
    rise = (peak - before) / 1024
    print(
        f"  upload {megabytes} MB in {took:.1f} s: RSS before {before / 1024:.1f} MB,"
        f" peak after {peak / 1024:.1f} MB, rise {rise:.1f} MB"
    )
    return {"rise_mb": rise, "seconds": took}


def run_wrk(work: Path, port: int, path: str, cookie: str, seconds: int) -> dict[str, float]:
    script = work / "thumb.lua"
    script.write_text(WRK_SCRIPT % (path, cookie))
    return benchlib.run_wrk(script, port, 8, seconds)


def bench_serving(
    data: Path, key: str, token: str, work: Path, repeats: int, seconds: int
) -> dict[str, list[dict[str, float]]]:
    """Requests per second of /f/{id}/thumb (signed in) and of the floor, alternating."""
    from forum.auth.middleware import SESSION_COOKIE, cookie_signer
    from forum.settings import Settings

    settings = Settings(data_dir=data).with_secret()
    cookie = f"{SESSION_COOKIE}={cookie_signer(settings.secret_key).dumps(key)}"
    port = free_port()
    process = start_forum(data, port)
    try:
        wait_up(f"http://127.0.0.1:{port}/")
        body = upload(port, token, "atelier.jpg", photo(1200, 900, exif=False))
        thumb_url = str(body["thumbnail_url"])
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"http://127.0.0.1:{port}{thumb_url}", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request) as answer:  # noqa: S310 (loopback)
            thumbnail = answer.read()
    finally:
        stop(process)
    (work / "thumb.jpg").write_bytes(thumbnail)
    print(f"  thumbnail: {len(thumbnail)} bytes at {thumb_url}")
    results: dict[str, list[dict[str, float]]] = {"forum": [], "floor": []}
    for repeat in range(1, repeats + 1):
        for side in ("forum", "floor"):
            port = free_port()
            if side == "forum":
                process = start_forum(data, port)
                path = thumb_url
            else:
                process = start_floor(work, work / "thumb.jpg", port)
                path = "/thumb"
            try:
                wait_up(f"http://127.0.0.1:{port}{path}")
                run_wrk(work, port, path, cookie, 2)  # warm-up
                before = cpu_seconds(process.pid)
                outcome = run_wrk(work, port, path, cookie, seconds)
                outcome["cpu_us"] = (
                    1e6 * (cpu_seconds(process.pid) - before) / max(outcome["rps"] * seconds, 1)
                )
            finally:
                stop(process)
            results[side].append(outcome)
            print(
                f"  repeat {repeat} {side:<5} {outcome['rps']:8.0f} req/s  p50"
                f" {outcome['p50_ms']:.2f} ms  p99 {outcome['p99_ms']:.2f} ms"
                f"  {outcome['cpu_us']:.0f} µs CPU/req  errors {outcome['errors']:.0f}"
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--upload-mb", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}")
    print("thumbnailing (in process):")
    thumbs = bench_thumbnail(args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "data"
        key, token = prepare(data)
        print("upload memory (forum serve on core 1):")
        memory = bench_upload(data, token, args.upload_mb, work)
        print("thumbnail serving (server on core 1, wrk on core 0, 8 connections):")
        served = bench_serving(data, key, token, work, args.repeats, args.seconds)
    ours = statistics.median(r["rps"] for r in served["forum"])
    floor = statistics.median(r["rps"] for r in served["floor"])
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| memory rise, {args.upload_mb} MB upload | {memory['rise_mb']:.1f} MB | < 30 MB |")
    print(f"| 12 Mpx JPEG → display + thumbnail | {thumbs['plain']:.2f} s | < 1 s |")
    print(f"| same, with EXIF (original re-encoded too) | {thumbs['exif']:.2f} s | |")
    print(f"| thumbnail, forum (signed in) | {ours:.0f} req/s | ≥ 1,000 |")
    print(f"| thumbnail, bare FileResponse (floor) | {floor:.0f} req/s | |")
    print(f"| ratio forum / floor | {ours / floor:.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
