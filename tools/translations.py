"""Extract translatable strings and update the English catalog (French is the source language).

Usage: python tools/translations.py [--check]
Without --check, new messages are added to forum/locale/en/LC_MESSAGES/messages.po with an
empty translation and obsolete ones are dropped; with --check, it only reports (exit 1 when
messages are missing or untranslated).
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "forum"
PO_PATH = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}


def extract() -> Catalog:
    """Every translatable message of the package, with where it appears."""
    catalog = Catalog(locale="fr", project="forum", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def load() -> Catalog:
    """The English catalog as it is on disk (empty if there is none yet)."""
    if not PO_PATH.exists():
        return Catalog(locale="en", project="forum", charset="utf-8")
    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale="en")


def missing(template: Catalog, english: Catalog) -> list[str]:
    """Source messages without an English translation."""
    result = []
    for message in template:
        if not message.id:
            continue
        found = english.get(message.id, context=message.context)
        if (
            found is None
            or not found.string
            or (isinstance(found.string, tuple) and not all(found.string))
        ):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def main() -> int:
    template = extract()
    english = load()
    gaps = missing(template, english)
    if "--check" in sys.argv:
        for message_id in gaps:
            print(f"untranslated: {message_id!r}")
        return 1 if gaps else 0
    english.update(template, no_fuzzy_matching=True)
    english.obsolete.clear()
    english.fuzzy = False
    PO_PATH.parent.mkdir(parents=True, exist_ok=True)
    with PO_PATH.open("wb") as handle:
        write_po(handle, english, width=100, sort_output=False, omit_header=False)
    print(f"{len(template)} messages, {len(missing(template, english))} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
