"""The guard: walks client bytes (v1 updates, state vectors, awareness) before pycrdt sees any.

pycrdt (yrs) trusts the counts it reads: a 6-byte state vector claiming 10^8 clients makes it
reserve ~130 MB, a 10-byte update ~510 MB, and Any values nested 100k deep overflow its stack
(a segfault, not an exception). So every count must fit in the bytes that remain, every
struct is walked to the last byte, and anything Yjs would not produce is refused. The walk
follows Yjs' UpdateDecoderV1 (Item.write, lib0 writeAny) exactly; a v2 update fails it.
"""

import json

MAX_CLOCK = 2**32 - 1  # yrs keeps clocks as u32
MAX_JS_INTEGER = 2**53 - 1
MAX_VARUINT_SHIFT = 63  # at most 10 bytes: 64-bit client ids

# Content refs of Yjs items (the low 5 bits of a struct's info byte).
GC, DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC, SKIP = range(11)
# Type refs: Array, Map, Text, XmlElement, XmlFragment, XmlHook, XmlText.
XML_ELEMENT, XML_HOOK, LAST_TYPE_REF = 3, 5, 6
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20


class ProtocolError(ValueError):
    """Client bytes that break the protocol or its limits; the connection is closed."""


class Reader:
    """A cursor over bytes; every read checks that the bytes are there."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.end = len(data)

    @property
    def remaining(self) -> int:
        """Bytes not read yet."""
        return self.end - self.pos

    def byte(self) -> int:
        """One byte."""
        if self.pos >= self.end:
            raise ProtocolError("truncated")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def varuint(self) -> int:
        """An unsigned LEB128 integer (lib0 varUint)."""
        data, pos, end = self.data, self.pos, self.end
        result = shift = 0
        while True:
            if pos >= end:
                raise ProtocolError("truncated varuint")
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return result
            shift += 7
            if shift > MAX_VARUINT_SHIFT:
                raise ProtocolError("varuint too long")

    def varint(self) -> None:
        """Skip a signed lib0 varInt (sign in the first byte's 0x40 bit)."""
        byte = self.byte()
        shift = 6
        while byte & 0x80:
            byte = self.byte()
            shift += 7
            if shift > MAX_VARUINT_SHIFT:
                raise ProtocolError("varint too long")

    def count(self, item_bytes: int = 1) -> int:
        """A count of items that must fit in the remaining bytes (each at least item_bytes)."""
        value = self.varuint()
        if value * item_bytes > self.end - self.pos:
            raise ProtocolError("count larger than the message")
        return value

    def clock(self) -> int:
        """A clock or a length, within yrs' u32."""
        value = self.varuint()
        if value > MAX_CLOCK:
            raise ProtocolError("clock out of range")
        return value

    def take(self, size: int) -> bytes:
        """The next size bytes."""
        if size > self.end - self.pos:
            raise ProtocolError("length larger than the message")
        start = self.pos
        self.pos += size
        return self.data[start : self.pos]

    def varbytes(self) -> bytes:
        """A length-prefixed byte string (lib0 varUint8Array)."""
        return self.take(self.varuint())

    def string(self) -> str:
        """A length-prefixed UTF-8 string (lib0 varString)."""
        try:
            return self.varbytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("invalid UTF-8") from exc

    def skip_string(self) -> int:
        """Check a string and return its length in bytes (an upper bound of UTF-16 units)."""
        raw = self.varbytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("invalid UTF-8") from exc
        return len(raw)

    def expect_end(self) -> None:
        """Refuse trailing bytes: Yjs writes exactly one thing per message."""
        if self.pos != self.end:
            raise ProtocolError("trailing bytes")


def check_state_vector(data: bytes) -> None:
    """A state vector: client count, then (client, clock) pairs, nothing after."""
    reader = Reader(data)
    for _ in range(reader.count(2)):
        reader.varuint()
        reader.clock()
    reader.expect_end()


def check_update(data: bytes, *, max_depth: int) -> None:
    """A Yjs v1 update: structs grouped by client, then the delete set, nothing after."""
    reader = Reader(data)
    for _ in range(reader.count(3)):
        structs = reader.count(2)
        reader.varuint()  # client
        clock = reader.clock()
        for _ in range(structs):
            clock += _struct(reader, max_depth)
            if clock > MAX_CLOCK + 1:
                raise ProtocolError("clock out of range")
    _delete_set(reader)
    reader.expect_end()


def _delete_set(reader: Reader) -> None:
    for _ in range(reader.count(2)):
        reader.varuint()  # client
        for _ in range(reader.count(2)):
            if reader.clock() + _length(reader) > MAX_CLOCK + 1:
                raise ProtocolError("deletion out of range")


def _length(reader: Reader) -> int:
    value = reader.clock()
    if value == 0:
        raise ProtocolError("empty struct")
    return value


def _struct(reader: Reader, max_depth: int) -> int:
    """Walk one struct; return its length in clock units (an upper bound for strings)."""
    info = reader.byte()
    ref = info & 0x1F
    if ref in (GC, SKIP):
        return _length(reader)
    if info & HAS_ORIGIN:
        reader.varuint()
        reader.clock()
    if info & HAS_RIGHT_ORIGIN:
        reader.varuint()
        reader.clock()
    if not info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN):
        parent_is_key = reader.varuint()
        if parent_is_key == 1:
            reader.skip_string()
        elif parent_is_key == 0:
            reader.varuint()
            reader.clock()
        else:
            raise ProtocolError("bad parent info")
        if info & HAS_PARENT_SUB:
            reader.skip_string()
    return _content(reader, ref, max_depth)


def _content(reader: Reader, ref: int, max_depth: int) -> int:
    if ref == DELETED:
        return _length(reader)
    if ref == STRING:
        length = reader.skip_string()
        if length == 0:
            raise ProtocolError("empty string struct")
        return length
    if ref == ANY:
        count = reader.count()
        if count == 0:
            raise ProtocolError("empty struct")
        for _ in range(count):
            _any(reader, 0, max_depth)
        return count
    if ref == BINARY:
        reader.varbytes()
    elif ref == EMBED:
        reader.skip_string()
    elif ref == FORMAT:
        reader.skip_string()
        reader.skip_string()
    elif ref == TYPE:
        type_ref = reader.varuint()
        if type_ref > LAST_TYPE_REF:
            raise ProtocolError("unknown shared type")
        if type_ref == XML_HOOK:
            # yrs reads no hook name and writes none back: Yjs clients would misread what
            # follows. Editors (ProseMirror, TipTap) never make hooks.
            raise ProtocolError("XmlHook is not supported")
        if type_ref == XML_ELEMENT:
            reader.skip_string()
    elif ref == DOC:
        reader.skip_string()
        _any(reader, 0, max_depth)
    else:
        # JSON (2) is legacy (Yjs < 13 wrote it) and yrs reads one string more than Yjs
        # writes: refused rather than misread. Other refs do not exist.
        raise ProtocolError(f"unsupported content {ref}")
    return 1


def _any(reader: Reader, depth: int, max_depth: int) -> None:
    """Walk one lib0 Any value, refusing deep nesting (yrs recurses on it)."""
    if depth > max_depth:
        raise ProtocolError("value nested too deep")
    tag = reader.byte()
    if tag in (127, 126, 121, 120):  # undefined, null, false, true
        return
    if tag == 125:
        reader.varint()
    elif tag == 124:
        reader.take(4)
    elif tag in (123, 122):  # float64, bigint64
        reader.take(8)
    elif tag == 119:
        reader.skip_string()
    elif tag == 118:
        for _ in range(reader.count(2)):
            reader.skip_string()
            _any(reader, depth + 1, max_depth)
    elif tag == 117:
        for _ in range(reader.count()):
            _any(reader, depth + 1, max_depth)
    elif tag == 116:
        reader.varbytes()
    else:
        raise ProtocolError("unknown value type")


AwarenessEntry = tuple[int, int, str | None]  # client id, clock, JSON state (None: gone)


def read_awareness(data: bytes, *, max_state_bytes: int) -> list[AwarenessEntry]:
    """An awareness update: (client, clock, JSON state) entries; states must be valid JSON."""
    reader = Reader(data)
    entries: list[AwarenessEntry] = []
    for _ in range(reader.count(3)):
        client = reader.varuint()
        clock = reader.varuint()
        if clock > MAX_JS_INTEGER or client > MAX_JS_INTEGER:
            raise ProtocolError("awareness number out of range")
        raw = reader.varbytes()
        if len(raw) > max_state_bytes:
            raise ProtocolError("awareness state too big")
        try:
            state = raw.decode("utf-8")
            value = json.loads(state)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ProtocolError("awareness state is not JSON") from exc
        entries.append((client, clock, None if value is None else state))
    reader.expect_end()
    return entries
