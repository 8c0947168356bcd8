"""What changed between two states of a document, line by line (paragraphs, items, cells)."""

import difflib
from dataclasses import dataclass
from typing import Literal

Change = Literal["same", "added", "removed"]


@dataclass(frozen=True)
class DiffLine:
    """One line of the comparison."""

    change: Change
    text: str


def line_diff(before: str, after: str) -> list[DiffLine]:
    """The lines of `after` with those removed from `before` in between, in reading order."""
    old, new = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(DiffLine("same", text) for text in old[i1:i2])
            continue
        lines.extend(DiffLine("removed", text) for text in old[i1:i2])
        lines.extend(DiffLine("added", text) for text in new[j1:j2])
    return lines
