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
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in table:
            message.string = table[key]
            filled += 1
    catalog.fuzzy = False
    with PO_PATH.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False)
    print(f"filled {filled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
