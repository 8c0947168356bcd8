"""From a received temporary file to stored blobs: sniff, re-encode images, move into storage.

Runs on a worker thread, before (and outside) the transaction that records the file.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from forum.files.images import ProcessedImage, process_image
from forum.files.sniff import sniff
from forum.files.storage import FileStorage

NAME_MAX = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]")


@dataclass(frozen=True)
class PreparedFile:
    """A file whose bytes (and renditions, for an image) are in the storage, not yet recorded."""

    name: str
    sha256: str
    size: int
    content_type: str
    image: ProcessedImage | None = None

    def blobs(self) -> list[str]:
        """Every blob this file uses."""
        found = [self.sha256]
        if self.image is not None:
            found += [self.image.display.sha256, self.image.thumbnail.sha256]
        return found


def clean_name(raw: str) -> str:
    """The name kept for download: no folders, no control characters, at most NAME_MAX."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", _UNSAFE.sub("", name)).strip().strip(".") or "fichier"
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX]
    return name


def prepare_file(storage: FileStorage, path: Path, filename: str, sha256: str) -> PreparedFile:
    """Check a received file and move it (and its renditions) into the storage.

    Raises InvalidInput(file=…) when the file is refused; the received file is then removed.
    """
    try:
        sniffed = sniff(path, filename)
        image = process_image(path, storage) if sniffed.is_image else None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    size = path.stat().st_size
    if image is not None and image.cleaned_original is not None:
        # The received bytes carried EXIF (GPS...): keep the cleaned copy instead.
        path.unlink(missing_ok=True)
        path, sha256 = image.cleaned_original
        size = path.stat().st_size
    storage.put_file(path, sha256)
    return PreparedFile(
        name=clean_name(filename),
        sha256=sha256,
        size=size,
        content_type=sniffed.content_type,
        image=image,
    )
