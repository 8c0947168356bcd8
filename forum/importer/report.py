"""The import report: counts, failures, repairs by kind and every flagged message."""

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from forum.importer.message import Flag, ParsedMessage

REPAIR_LABELS = {
    Flag.CHARSET_REDECODED: "jeu de caractères re-décodé",
    Flag.ADDRESS_REDACTED: "adresse masquée par l'archive",
    Flag.DATE_REPAIRED: "date réparée",
    Flag.ATTACHMENT_MISSING: "pièce jointe manquante",
    Flag.BODY_TRUNCATED: "message tronqué",
    Flag.PARENT_MISSING: "message parent absent",
    Flag.ATTACHMENT_REFUSED: "pièce jointe refusée",
}


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    board: str = ""
    dry_run: bool = False
    messages_read: int = 0
    topics_created: int = 0
    posts_created: int = 0
    attachments_imported: int = 0
    attachments_pending: int = 0
    duplicates_skipped: int = 0
    skipped_before_since: int = 0
    people_matched: int = 0
    placeholders_created: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    repairs: Counter[str] = field(default_factory=Counter)
    flagged: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, message: str, reason: str) -> None:
        """A message that could not be imported."""
        self.failures.append({"message": message, "reason": reason})

    def note_flags(self, message: ParsedMessage) -> None:
        """Count a loaded message's repairs and list it among the flagged ones."""
        if not message.flags:
            return
        self.repairs.update(flag.value for flag in message.flags)
        self.flagged.append(
            {
                "message": message.message_id,
                "source": message.source,
                "flags": [flag.value for flag in message.flags],
            }
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON report."""
        return {
            "board": self.board,
            "dry_run": self.dry_run,
            "messages_read": self.messages_read,
            "topics_created": self.topics_created,
            "posts_created": self.posts_created,
            "attachments_imported": self.attachments_imported,
            "attachments_pending": self.attachments_pending,
            "duplicates_skipped": self.duplicates_skipped,
            "skipped_before_since": self.skipped_before_since,
            "people_matched": self.people_matched,
            "placeholders_created": self.placeholders_created,
            "failures": list(self.failures),
            "repairs": {flag.value: self.repairs.get(flag.value, 0) for flag in Flag},
            "flagged": list(self.flagged),
        }

    def as_json(self) -> str:
        """The JSON report as text."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    def lines(self) -> list[str]:
        """The report for a terminal, in French."""
        head = "Simulation (rien n'a été écrit)" if self.dry_run else "Import terminé"
        lines = [
            f"{head} — tableau {self.board}",
            f"  messages lus : {self.messages_read}",
            f"  sujets créés : {self.topics_created}",
            f"  messages publiés : {self.posts_created}",
            f"  pièces jointes importées : {self.attachments_imported}"
            + (f" (en attente : {self.attachments_pending})" if self.attachments_pending else ""),
            f"  doublons ignorés : {self.duplicates_skipped}",
            f"  personnes reconnues : {self.people_matched}",
            f"  auteurs provisoires créés : {self.placeholders_created}",
        ]
        if self.skipped_before_since:
            lines.append(f"  antérieurs à --since : {self.skipped_before_since}")
        repairs = [(flag, self.repairs.get(flag.value, 0)) for flag in Flag]
        if any(count for _flag, count in repairs):
            lines.append("  réparations :")
            lines += [f"    {REPAIR_LABELS[f]} : {n}" for f, n in repairs if n]
        if self.failures:
            lines.append(f"  échecs : {len(self.failures)}")
            lines += [f"    {f['message']} : {f['reason']}" for f in self.failures]
        return lines
