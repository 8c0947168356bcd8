"""Translations (French source strings, English catalog), locale choice and French formatting."""

import gettext as _gettext
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, get_datetime_format, get_time_format
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = ("fr", "en")
LOCALE_NAMES = {"fr": "Français", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("forum_locale", default="fr")


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalog of a locale; French is the source language, so it has none."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "fr" or not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current_locale() -> str:
    """The locale of the request being served (French outside a request)."""
    return _current.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Make `locale` the current one for the enclosed code (and threads it starts)."""
    token = _current.set(locale if locale in LOCALES else "fr")
    try:
        yield
    finally:
        _current.reset(token)


def set_locale(locale: str) -> None:
    """Set the current locale for the rest of this context (used by the middleware)."""
    _current.set(locale if locale in LOCALES else "fr")


def gettext_raw(message: str) -> str:
    """Translate a message into the current locale, leaving its %(name)s variables unfilled."""
    return translations(current_locale()).gettext(message)


def ngettext_raw(singular: str, plural: str, n: int) -> str:
    """Pick and translate the singular or plural form (French: 0 and 1 are singular)."""
    locale = current_locale()
    if locale == "fr":
        return singular if abs(n) <= 1 else plural
    return translations(locale).ngettext(singular, plural, n)


def gettext(message: str, **variables: object) -> str:
    """Translate a message into the current locale, then fill its %(name)s variables."""
    text = gettext_raw(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Translate a message that depends on a count; %(num)s is the count."""
    return ngettext_raw(singular, plural, n) % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def negotiate(accept_language: str | None, default: str = "fr") -> str:
    """Pick fr or en from an Accept-Language header, falling back to the default."""
    if not accept_language:
        return default
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LOCALES and quality > 0:
            choices.append((-quality, index, language))
    return min(choices)[2] if choices else default


def format_datetime(value: datetime, timezone: str, fmt: str = "medium") -> str:
    """A date and time in the current locale and the site's time zone ("27 nov. 2026, 14:05")."""
    locale = current_locale()
    template = _datetime_template(fmt, locale) if fmt in _NAMED_FORMATS else None
    if template is None:
        return _formatted(value, timezone, fmt, locale)
    # A page shows a date per post, each a different one: formatted directly (a cache keyed
    # by aware datetimes costs as much to look up as this to compute).
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(_zone(timezone))
    day = _date_part(local.date(), fmt, locale)
    return template.format(local.hour, local.minute, local.second, day)


_NAMED_FORMATS = frozenset({"short", "medium", "long", "full"})


@lru_cache(maxsize=8192)
def _formatted(value: datetime, timezone: str, fmt: str, locale: str) -> str:
    # Babel takes 0.1 to 0.3 ms a call and a page of a topic shows about twenty dates: the
    # date part is cached (a page's posts share a few days), the time part is formatted here
    # when the locale's pattern is made of plain digits (French), by Babel otherwise.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(_zone(timezone))
    if fmt not in _NAMED_FORMATS:
        return _format_datetime(local, fmt, locale=locale)  # a pattern of the caller's
    time_text = _simple_time(local, fmt, locale)
    if time_text is None:
        return _format_datetime(local, fmt, locale=locale)
    return (
        _datetime_pattern(fmt, locale)
        .replace("{0}", time_text)
        .replace("{1}", _date_part(local.date(), fmt, locale))
    )


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def _datetime_pattern(fmt: str, locale: str) -> str:
    pattern = get_datetime_format(fmt, locale=locale)  # type: ignore[arg-type]
    return str(pattern).replace("'", "")


@lru_cache(maxsize=4096)
def _date_part(day: date, fmt: str, locale: str) -> str:
    return format_date(day, fmt, locale=locale)


_TIME_FIELDS = {"HH": "{0:02d}", "H": "{0:d}", "mm": "{1:02d}", "ss": "{2:02d}"}


@cache
def _time_template(fmt: str, locale: str) -> str | None:
    """The locale's time pattern as a str.format template, when it has only H, m and s."""
    pattern = get_time_format(fmt, locale=locale).pattern  # type: ignore[arg-type]
    parts = re.split(r"(HH|H|mm|ss)", pattern)
    if any(re.search(r"[A-Za-z']", part) for part in parts[::2]):
        return None  # AM/PM, time zones, quoted text: Babel does it
    return "".join(
        _TIME_FIELDS[part] if index % 2 else part.replace("{", "{{").replace("}", "}}")
        for index, part in enumerate(parts)
    )


@cache
def _datetime_template(fmt: str, locale: str) -> str | None:
    """The locale's date-and-time pattern as a str.format template (hour, minute, second,
    date), when its time part has only H, m and s."""
    time_template = _time_template(fmt, locale)
    if time_template is None:
        return None
    pattern = _datetime_pattern(fmt, locale).replace("{", "{{").replace("}", "}}")
    return pattern.replace("{{1}}", "{3}").replace("{{0}}", time_template)


def _simple_time(local: datetime, fmt: str, locale: str) -> str | None:
    template = _time_template(fmt, locale)
    if template is None:
        return None
    return template.format(local.hour, local.minute, local.second)


def format_number(value: float) -> str:
    """A number in the current locale (French: narrow no-break space between thousands)."""
    return _format_number(value, current_locale())


@lru_cache(maxsize=1024, typed=True)
def _format_number(value: float, locale: str) -> str:
    # Pages show the same few limits and counts on every render; Babel takes ~30 µs a call.
    return format_decimal(value, locale=locale)


def locale_name(locale: str) -> str:
    """The locale's own name, for language pickers."""
    return LOCALE_NAMES.get(locale) or Locale.parse(locale).display_name or locale
