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
