"""Bytes of old mail turned into text: declared charsets checked, undeclared 8-bit guessed."""

import codecs
from email.header import decode_header

# Names old mailers wrote that Python does not know, or knows under another name.
ALIASES = {
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "iso-8859-8-i": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "utf8": "utf-8",
    "latin-9": "iso-8859-15",
}
# Declared Latin-1 is, in practice, nearly always Windows' superset (œ, €, ’ live in 0x80-0x9f).
SUPERSETS = {"latin_1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


def known_charset(name: str | None) -> str:
    """The Python codec for a declared charset, or "" when it is absent or unknown."""
    if not name:
        return ""
    cleaned = name.strip().strip("\"'").lower()
    cleaned = ALIASES.get(cleaned, cleaned)
    if not cleaned:
        return ""
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return ""


def decode_undeclared(data: bytes) -> tuple[str, bool]:
    """Text with no (usable) declared charset: UTF-8 first, then windows-1252.

    Returns (text, guessed): guessed is False for pure ASCII, where nothing was at stake.
    """
    if data.isascii():
        return data.decode("ascii"), False
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True


def decode_declared(data: bytes, declared: str | None) -> tuple[str, bool]:
    """Text in its declared charset; (text, redecoded) where redecoded means the declaration
    was missing, unknown or wrong and the text was decoded another way."""
    codec = known_charset(declared)
    if not codec:
        return decode_undeclared(data)
    if data.isascii():
        return data.decode("ascii"), False
    if codec in SUPERSETS:
        # UTF-8 labelled Latin-1 is the most common lie; real Latin-1 is seldom valid UTF-8.
        try:
            return data.decode("utf-8"), True
        except UnicodeDecodeError:
            return data.decode(SUPERSETS[codec], errors="replace"), False
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        text, _guessed = decode_undeclared(data)
        return text, True


def header_text(value: str | None) -> tuple[str, bool]:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes guessed.

    `value` comes from a compat32 parser, where raw 8-bit bytes are surrogate escapes.
    Returns (text, redecoded).
    """
    if not value:
        return "", False
    redecoded = False
    parts: list[str] = []
    try:
        chunks = decode_header(value)
    except (ValueError, LookupError):  # a malformed encoded word: keep the header as written
        chunks = [(value, None)]
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            # Raw 8-bit bytes are surrogate escapes; characters already decoded (by the
            # parser) go back to bytes as UTF-8, which decode_undeclared tries first.
            raw = chunk.encode("utf-8", "surrogateescape")
            text, guessed = decode_undeclared(raw)
        else:
            text, guessed = decode_declared(chunk, charset)
        redecoded = redecoded or guessed
        parts.append(text)
    joined = "".join(parts) if len(chunks) > 1 else parts[0] if parts else ""
    return " ".join(joined.split()), redecoded
