"""Keeps secrets out of every log line, whoever writes it (uvicorn included)."""

import logging
import re

# ?token=…, &access_token=…, /welcome/<one-time key>, Bearer <token>
_PATTERNS = (
    (re.compile(r"([?&](?:token|access_token|key)=)[^&\s\"']+", re.IGNORECASE), r"\1***"),
    (re.compile(r"(/welcome/)[^/\s?\"']+"), r"\1***"),
    (re.compile(r"(Bearer\s+)[^\s\"']+", re.IGNORECASE), r"\1***"),
    (re.compile(r"fpat_[A-Za-z0-9_-]+"), "fpat_***"),
)


def redact(text: str) -> str:
    """The text with tokens and one-time keys blanked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A handler filter that rewrites each record's message without its secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
