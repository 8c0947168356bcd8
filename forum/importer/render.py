"""The stored form of an imported post: Markdown source, and HTML with the quoted history
folded in a <details> element (each half sanitised on its own by forum.markup)."""

from markupsafe import escape

from forum.i18n import gettext as _
from forum.markup import render_markdown

_SPLIT = "IMPORTEDHISTORYSPLIT7f3a9c"


def empty_body() -> str:
    """What a post shows when the message had no text (attachments only, say)."""
    return "*" + _("(message sans texte)") + "*"


def post_source(body: str, quoted: str) -> str:
    """The Markdown kept as the post's source: what was written, then the history."""
    main = body.strip("\n") or (empty_body() if not quoted.strip() else "")
    return f"{main}\n\n{quoted.strip()}".strip("\n") if quoted.strip() else main


def post_html(body: str, quoted: str) -> tuple[str, str]:
    """(the post's HTML, the HTML of what was written alone, for search).

    The history, when there is one, is folded in a <details> element: fixed text around
    two sanitised fragments, so nothing from the archive reaches the page unsanitised.
    A later edit of the post re-renders its whole source, unfolded.
    """
    main = body.strip("\n")
    history = quoted.strip()
    if not history:
        html = render_markdown(main) if main else render_markdown(empty_body())
        return html, html
    html, folded = _render_both(main, history)
    summary = escape(_("Historique de la conversation"))
    return (
        f'{html}<details class="quoted-history"><summary>{summary}</summary>{folded}</details>',
        html,
    )


def _render_both(main: str, history: str) -> tuple[str, str]:
    """Both halves in one Markdown pass (half the cost), split at a marker paragraph; two
    passes when the marker does not come out alone (e.g. an unclosed code fence)."""
    if not main:
        return "", render_markdown(history)
    combined = render_markdown(f"{main}\n\n{_SPLIT}\n\n{history}")
    marker = f'<p dir="auto">{_SPLIT}</p>\n'
    if combined.count(marker) == 1 and _SPLIT not in main + history:
        html, folded = combined.split(marker)
        return html, folded
    return render_markdown(main), render_markdown(history)
