"""Every user-visible string is translatable, and the English catalog covers them all."""

import re

from forum import i18n
from tools.translations import extract, load, missing

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_message_has_an_english_translation() -> None:
    gaps = missing(extract(), load())
    assert gaps == [], "run `python tools/translations.py` and translate:\n" + "\n".join(gaps)


def test_translations_keep_their_placeholders() -> None:
    english = load()
    for message in english:
        if not message.id or not message.string:
            continue
        ids = tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = (
            tuple(message.string)
            if isinstance(message.string, (tuple, list))
            else (message.string,)
        )
        expected = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= expected | {"num"}, message.id
            assert expected - {"num"} <= set(PLACEHOLDER.findall(text)) | {"num"}, message.id


def test_english_catalog_is_used_and_french_is_the_source() -> None:
    with i18n.use_locale("en"):
        assert i18n.gettext("Se connecter") == "Sign in"
    with i18n.use_locale("fr"):
        assert i18n.gettext("Se connecter") == "Se connecter"


def _messages_called_in_python() -> set[tuple[str, str]]:
    """(file, msgid) of every _(), gettext(), ngettext() and N_() call with a literal text in
    the package's Python code, f-strings included."""
    import ast
    from pathlib import Path

    import forum

    found = set()
    for path in Path(forum.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "gettext", "ngettext", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add((path.name, node.args[0].value))
    return found


def test_every_translated_text_in_the_code_reaches_the_catalog() -> None:
    # Babel's extractor does not look inside f-strings on Python 3.11: a _() written there
    # would be dropped from the catalog, and the English pages would show French.
    extracted = {m.id[0] if isinstance(m.id, (tuple, list)) else m.id for m in extract()}
    lost = sorted(f"{where}: {text}" for where, text in _messages_called_in_python())
    lost = [line for line in lost if line.split(": ", 1)[1] not in extracted]
    assert lost == [], "translated texts Babel cannot see:\n" + "\n".join(lost)
