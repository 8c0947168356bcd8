"""Dates and template translations on the hot path: the fast ways give Babel's and Jinja's
answers exactly (dates in both languages, time zones with summer time, escaping)."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime as babel_format_datetime
from markupsafe import Markup

from forum import i18n
from forum.settings import Settings
from forum.templating import make_environment, template_gettext, template_ngettext


@pytest.mark.parametrize("locale", i18n.LOCALES)
@pytest.mark.parametrize("fmt", ["short", "medium", "long"])
@pytest.mark.parametrize("zone", ["Europe/Paris", "Africa/Casablanca", "UTC"])
def test_dates_are_formatted_as_babel_formats_them(locale: str, fmt: str, zone: str) -> None:
    rng = random.Random(f"{locale}{fmt}{zone}")
    start = datetime(2015, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(seconds=rng.randrange(400_000_000)) for _ in range(300)]
    # Around the change to summer time in Paris (2026-03-29, 01:00 UTC).
    moments += [datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC) + timedelta(seconds=s) for s in (0, 1)]
    with i18n.use_locale(locale):
        for moment in moments:
            expected = babel_format_datetime(moment, fmt, tzinfo=ZoneInfo(zone), locale=locale)
            assert i18n.format_datetime(moment, zone, fmt) == expected
            # Naive timestamps (SQLite) are UTC.
            naive = moment.replace(tzinfo=None)
            assert i18n.format_datetime(naive, zone, fmt) == expected


def test_french_dates_read_as_french() -> None:
    moment = datetime(2026, 11, 27, 13, 5, 7, tzinfo=UTC)
    assert i18n.format_datetime(moment, "Europe/Paris") == "27 nov. 2026, 14:05:07"
    with i18n.use_locale("en"):
        assert i18n.format_datetime(moment, "Europe/Paris") == "Nov 27, 2026, 2:05:07\u202fPM"


def test_template_translations_escape_variables_not_the_message() -> None:
    text = template_gettext("Sujet ouvert par %(name)s", name="<b>Amina</b>")
    assert isinstance(text, Markup)
    assert text == "Sujet ouvert par &lt;b&gt;Amina&lt;/b&gt;"
    assert template_gettext("100 %% sûr") == "100 % sûr"  # always a format string, as Jinja's
    with i18n.use_locale("en"):
        assert template_gettext("Répondre") == "Reply"
        assert template_gettext("Répondre") == "Reply"  # from the cache, same answer
    assert template_gettext("Répondre") == "Répondre"


def test_template_plurals_fill_the_count() -> None:
    one = template_ngettext("%(num)s réponse", "%(num)s réponses", 1)
    many = template_ngettext("%(num)s réponse", "%(num)s réponses", 12)
    assert (one, many) == ("1 réponse", "12 réponses")
    with i18n.use_locale("en"):
        assert template_ngettext("%(num)s réponse", "%(num)s réponses", 2) == "2 replies"


def test_templates_use_the_fast_translations() -> None:
    env = make_environment(Settings())
    page = env.from_string(
        '{{ _("Sujet ouvert par %(name)s", name=who) }} · {{ ngettext("%(num)s réponse", '
        '"%(num)s réponses", n) }} · {{ when|time_tag }}'
    )
    moment = datetime(2026, 11, 27, 13, 5, 7, tzinfo=UTC)
    html = page.render(who="<i>x</i>", n=3, when=moment)
    assert html == (
        "Sujet ouvert par &lt;i&gt;x&lt;/i&gt; · 3 réponses · "
        '<time datetime="2026-11-27T13:05:07+00:00">27 nov. 2026, 14:05:07</time>'
    )


def test_a_pattern_of_the_callers_is_babels() -> None:
    moment = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert i18n.format_datetime(moment, "Europe/Paris", "dd/MM/yyyy HH:mm") == "02/01/2026 04:04"
    full = babel_format_datetime(moment, "full", tzinfo=ZoneInfo("Europe/Paris"), locale="fr")
    assert i18n.format_datetime(moment, "Europe/Paris", "full") == full
