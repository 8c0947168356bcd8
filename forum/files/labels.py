"""Words for files: sizes ("12 octets", "340 ko", "1,2 Mo") and types ("Document PDF")."""

from forum.i18n import format_number, ngettext
from forum.i18n import gettext as _

KB = 1024
MB = KB * 1024
GB = MB * 1024


def human_size(size: int) -> str:
    """A byte count in the unit a reader expects, with one decimal from the megabyte on."""
    if size < KB:
        return ngettext("%(num)s octet", "%(num)s octets", size)
    if size < MB:
        return _("%(size)s ko", size=format_number(max(1, round(size / KB))))
    if size < GB:
        return _("%(size)s Mo", size=format_number(round(size / MB, 1)))
    return _("%(size)s Go", size=format_number(round(size / GB, 1)))


def type_label(content_type: str) -> str:
    """What a file is, in words (from the type our sniffing decided)."""
    base = content_type.split(";")[0].strip()
    labels = {
        "image/jpeg": _("Image JPEG"),
        "image/png": _("Image PNG"),
        "image/gif": _("Image GIF"),
        "image/webp": _("Image WebP"),
        "application/pdf": _("Document PDF"),
        "application/zip": _("Archive zip"),
        "application/msword": _("Document Word"),
        "application/vnd.ms-excel": _("Classeur Excel"),
        "application/vnd.oasis.opendocument.text": _("Document texte OpenDocument"),
        "application/vnd.oasis.opendocument.spreadsheet": _("Classeur OpenDocument"),
        "application/vnd.oasis.opendocument.presentation": _("Présentation OpenDocument"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _(
            "Document Word"
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("Classeur Excel"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": _(
            "Présentation PowerPoint"
        ),
        "text/plain": _("Texte"),
        "text/csv": _("Tableau CSV"),
        "text/markdown": _("Texte Markdown"),
    }
    return labels.get(base, _("Fichier"))
