"""Fill English translations from a Python file defining a dict T {french: english}.

Usage: python tools/apply_translations.py FILE.py
"""

import runpy
import sys

from babel.messages.pofile import write_po

from tools.translations import PO_PATH, load


def main() -> int:
    table = runpy.run_path(sys.argv[1])["T"]
    catalog = load()
    filled = 0
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in table:
            message.string = table[message.id]
            filled += 1
    catalog.fuzzy = False
    with PO_PATH.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False)
    print(f"filled {filled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
