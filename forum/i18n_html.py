"""Translations for HTML: the catalog's text as trusted markup, its variables escaped.

These are `_()` and `ngettext()` in templates, and in the few pages' fragments built in
Python (forum.fragments).
"""

from functools import lru_cache

from markupsafe import Markup

from forum import i18n


@lru_cache(maxsize=4096)
def _translated(message: str, locale: str) -> Markup:
    return Markup(i18n.translations(locale).gettext(message))  # noqa: S704 (our catalogs)


@lru_cache(maxsize=4096)
def _translated_alone(message: str, locale: str) -> Markup:
    return _translated(message, locale) % {}


def translated(message: str, locale: str, variables: dict[str, object]) -> Markup:
    """What `_(message, **variables)` gives in a locale."""
    if not variables:
        return _translated_alone(message, locale)
    return _translated(message, locale) % variables


def template_gettext(message: str, /, **variables: object) -> Markup:
    """`_()` in templates: the translation (trusted markup) with its variables escaped.

    As Jinja's "newstyle" gettext, the message is always a format string ("%%" is "%"),
    but translations are cached per locale: a topic page calls this about 200 times.
    """
    return translated(message, i18n.current_locale(), variables)


def template_ngettext(singular: str, plural: str, num: int, /, **variables: object) -> Markup:
    """`ngettext()` in templates; %(num)s is the count unless given."""
    variables.setdefault("num", num)
    text = Markup(i18n.ngettext_raw(singular, plural, num))  # noqa: S704 (our catalogs)
    return text % variables


def translated_pattern(message: str) -> str:
    """The translation of a message with variables, as a plain format string: for values
    that need no escaping (numbers), `translated_pattern(m) % {"number": 3}` is `_(m, number=3)`
    at a tenth of the cost (Markup's % wraps and escapes every value)."""
    return str(_translated(message, i18n.current_locale()))


def count_ngettext(singular: str, plural: str, num: int) -> str:
    """`ngettext()` for a message whose only variable is its count %(num)s: plain string
    formatting, since a number needs no escaping."""
    return i18n.ngettext_raw(singular, plural, num) % {"num": num}
