"""The guard: real Yjs bytes pass, crafted and random bytes are refused before pycrdt allocates."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, write_var_uint

from collab.guard import ProtocolError, check_state_vector, check_update, read_awareness
from collab.protocol import Kind, MessageTooBig, parse_message, sync_step1, varbytes

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "yjs_updates.json").read_text())
DEPTH = 64
MAX = 2 * 1024 * 1024

# A sync step 1 whose state vector claims 10^8 clients: pycrdt reserves ~130 MB for it.
CRAFTED_STATE_VECTOR = write_var_uint(10**8)
# A 10-byte update claiming 4*10^8 clients: pycrdt reserves ~510 MB before failing.
CRAFTED_UPDATE = write_var_uint(4 * 10**8) + bytes([1, 1, 0, 0, 0])
CRAFTED = {
    "state vector of 10^8 clients": sync_step1(CRAFTED_STATE_VECTOR),
    "update of 4*10^8 clients": bytes([0, 2]) + varbytes(CRAFTED_UPDATE),
    "update of 2^31 structs": bytes([0, 2])
    + varbytes(write_var_uint(1) + write_var_uint(2**31) + bytes([1, 0, 0, 0])),
    "delete set of 10^7 ranges": bytes([0, 2])
    + varbytes(bytes([0, 1, 1]) + write_var_uint(10**7) + bytes([0, 1])),
    "awareness of 10^8 clients": bytes([1]) + varbytes(write_var_uint(10**8)),
}


def hwm_kib() -> int:
    """Peak resident memory of this process (VmHWM), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")  # pragma: no cover


def parse(data: bytes) -> Any:
    return parse_message(data, max_bytes=MAX, max_depth=DEPTH)


@pytest.mark.parametrize("name", sorted(FIXTURES["v1"]))
def test_real_yjs_v1_updates_pass_and_apply(name: str) -> None:
    update = bytes.fromhex(FIXTURES["v1"][name])
    message = parse(bytes([0, 2]) + varbytes(update))
    assert message.kind is Kind.SYNC_UPDATE and message.payload == update
    Doc().apply_update(update)
    check_state_vector(bytes.fromhex(FIXTURES["state_vectors"].get(name, "00")))


def test_accented_text_survives_the_trip() -> None:
    doc: Doc[Any] = Doc()
    doc.apply_update(bytes.fromhex(FIXTURES["v1"]["text"]))
    assert str(doc.get("texte", type=Text)) == FIXTURES["texts"]["text"]


@pytest.mark.parametrize("name", sorted(FIXTURES["v2"]))
def test_v2_updates_are_refused(name: str) -> None:
    # pycrdt would apply a v2 update as an empty one (or fail): refused on the wire.
    with pytest.raises(ProtocolError):
        parse(bytes([0, 2]) + varbytes(bytes.fromhex(FIXTURES["v2"][name])))


def test_xml_hooks_are_refused() -> None:
    # Valid Yjs, but yrs drops the hook's name and would send back bytes Yjs misreads.
    with pytest.raises(ProtocolError, match="XmlHook"):
        check_update(bytes.fromhex(FIXTURES["refused"]["xml_hook"]), max_depth=DEPTH)


def test_yjs_awareness_payloads_are_read() -> None:
    [(client, clock, state)] = read_awareness(
        bytes.fromhex(FIXTURES["awareness"]["state"]), max_state_bytes=1000
    )
    assert clock == 1 and state is not None and json.loads(state)["user"]["name"] == "Amina Benali"
    assert read_awareness(bytes.fromhex(FIXTURES["awareness"]["removed"]), max_state_bytes=99) == [
        (client, 2, None)
    ]


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_counts_are_refused_without_allocating(name: str) -> None:
    before = hwm_kib()
    with pytest.raises(ProtocolError):
        message = parse(CRAFTED[name])
        if message.kind is Kind.AWARENESS:
            read_awareness(message.payload, max_state_bytes=1000)
    assert hwm_kib() - before < 16 * 1024


@pytest.mark.slow
@pytest.mark.parametrize(
    ("call", "data"),
    [("get_update", CRAFTED_STATE_VECTOR), ("apply_update", CRAFTED_UPDATE)],
)
def test_the_crafted_cases_do_blow_up_pycrdt_unguarded(call: str, data: bytes) -> None:
    """Keeps the crafted cases honest: without the guard, pycrdt allocates >100 MB for them."""
    script = (
        "import sys\nfrom pycrdt import Doc\n"
        f"try:\n    Doc().{call}(bytes.fromhex(sys.argv[1]))\nexcept BaseException:\n    pass\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, data.hex()], capture_output=True, text=True, check=True
    )
    assert int(result.stdout) > 100 * 1024


def nested_any(depth: int) -> bytes:
    """An update whose one struct holds an Array value nested depth levels deep."""
    value = bytes([117, 1]) * depth + bytes([126])
    struct = bytes([8]) + write_var_uint(1) + varbytes(b"t") + write_var_uint(1) + value
    return bytes([1, 1, 1, 0]) + struct + bytes([0])


def test_deeply_nested_values_are_refused() -> None:
    # 100k levels make yrs overflow its stack (a segfault): the guard stops at max_depth.
    check_update(nested_any(DEPTH), max_depth=DEPTH)
    with pytest.raises(ProtocolError, match="deep"):
        check_update(nested_any(100_000), max_depth=DEPTH)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes([0]),
        bytes([0, 0]),
        bytes([0, 9, 0]),
        bytes([7]),
        bytes([0, 0, 5, 0]),
        bytes([0, 2, 2, 0, 0, 0]),  # trailing byte after the update
        bytes([0, 0]) + varbytes(bytes([1, 1])),  # state vector cut short
        bytes([0, 2]) + varbytes(bytes([0, 0, 1])),  # trailing byte inside the update
        bytes([0, 2]) + varbytes(bytes([1, 1, 1, 0, 4, 1, 1, 0x74, 2, 0xC3, 0x28, 0])),  # bad UTF-8
        bytes([0, 2]) + varbytes(bytes([1, 1, 1, 0, 2, 1, 1, 0x74, 1, 1, 0x31, 0])),  # legacy JSON
        bytes([0, 2]) + varbytes(bytes([1, 1, 1, 0, 4, 1, 1, 0x74, 0, 0])),  # empty string
        bytes([0, 2]) + varbytes(bytes([1, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 5, 0])),
        bytes([1]) + varbytes(bytes([1, 1, 1, 3]) + b"{x}"),  # awareness state not JSON
        bytes([0xFF] * 12),
    ],
)
def test_malformed_messages_are_refused(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        message = parse(data)
        if message.kind is Kind.AWARENESS:
            read_awareness(message.payload, max_state_bytes=1000)


def test_the_size_cap_comes_first() -> None:
    with pytest.raises(MessageTooBig):
        parse_message(bytes(MAX + 1), max_bytes=MAX, max_depth=DEPTH)


def feed(data: bytes) -> None:
    """What the server does with client bytes: guard, then (only if accepted) pycrdt."""
    try:
        message = parse(data)
        if message.kind is Kind.AWARENESS:
            read_awareness(message.payload, max_state_bytes=64 * 1024)
        elif message.kind is Kind.SYNC_STEP1:
            Doc().get_update(message.payload)
        elif message.kind in (Kind.SYNC_STEP2, Kind.SYNC_UPDATE):
            Doc().apply_update(message.payload)
    except ProtocolError:
        return
    except (KeyboardInterrupt, SystemExit):  # pragma: no cover
        raise
    except BaseException:
        return  # pycrdt refused bytes the guard let through: allowed, if it stays small


def mutated(seed: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    data = bytearray(seed)
    for kind, position, value in edits:
        where = position % (len(data) + 1)
        if kind == 0 and data:
            data[where % len(data)] = value
        elif kind == 1:
            data.insert(where, value)
        elif data:
            del data[where % len(data)]
    return bytes(data)


SEEDS = [bytes([0, 2]) + varbytes(bytes.fromhex(v)) for v in FIXTURES["v1"].values()]
SEEDS += [sync_step1(bytes.fromhex(v)) for v in FIXTURES["state_vectors"].values()]
SEEDS += [bytes([1]) + varbytes(bytes.fromhex(v)) for v in FIXTURES["awareness"].values()]
EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 1 << 16), st.integers(0, 255)), max_size=6
)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=64).map(lambda b: bytes([0, 2]) + varbytes(b)),
        st.binary(max_size=32).map(lambda b: bytes([0, 0]) + varbytes(b)),
        st.binary(max_size=48),
        st.tuples(st.sampled_from(SEEDS), EDITS).map(lambda t: mutated(*t)),
    )
)
def test_random_bytes_never_make_pycrdt_allocate(data: bytes) -> None:
    before = hwm_kib()
    feed(data)
    assert hwm_kib() - before < 32 * 1024, data.hex()


TEXTS = st.text(alphabet="aéèàçœ€ 😀Ω", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), TEXTS), min_size=1, max_size=12))
def test_updates_made_by_pycrdt_always_pass(script: list[tuple[int, str]]) -> None:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    doc["t"], doc["m"], doc["a"] = Text(), Map(), Array()
    text, mapping, array = doc["t"], doc["m"], doc["a"]
    for action, value in script:
        if action == 0:
            text += value
        elif action == 1:
            mapping[value] = {"v": [value, 1.5, None, True]}
        elif action == 2:
            array.append(value)
        elif action == 3 and len(array):
            del array[0]
        elif action == 4:
            mapping[value] = Text(value)
        elif action == 5 and len(text):
            del text[0 : len(text)]
    for update in [*updates, doc.get_update()]:
        check_update(update, max_depth=DEPTH)
    check_state_vector(doc.get_state())
