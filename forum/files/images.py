"""Images: orientation applied, EXIF removed, a display size and a thumbnail re-encoded (Pillow).

Runs on a worker thread, outside any database transaction. Pixel bombs (more than MAX_PIXELS,
whatever the file size) and truncated or damaged images are refused with a clear message.
"""

import io
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from forum.errors import InvalidInput
from forum.files.storage import FileStorage, sha256_of
from forum.i18n import format_number
from forum.i18n import gettext as _

MAX_PIXELS = 40_000_000
DISPLAY_MAX = 1600
THUMB_MAX = 320
JPEG_QUALITY = 85

# Pillow warns between MAX_IMAGE_PIXELS and twice that, and raises beyond: make both refusals.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Rendition:
    """A re-encoded image kept in the storage."""

    sha256: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ProcessedImage:
    """What the image work produced: dimensions, two renditions, maybe a cleaned original."""

    width: int
    height: int
    display: Rendition
    thumbnail: Rendition
    # The original re-encoded at full size without its metadata (when it had EXIF, XMP or a
    # comment): a temporary file to store in place of the received bytes, with its hash.
    cleaned_original: tuple[Path, str] | None = None


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


def _has_metadata(image: Image.Image) -> bool:
    info = image.info
    return bool(image.getexif()) or any(k in info for k in ("xmp", "XML:com.adobe.xmp", "comment"))


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _normalised(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency; plain grey stays grey."""
    if _has_alpha(image):
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if image.mode in ("RGB", "L"):
        return image
    return image.convert("RGB")


def _encode(image: Image.Image, *, icc: bytes | None) -> tuple[bytes, str]:
    """PNG for transparent images, JPEG otherwise; no EXIF is written."""
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", compress_level=6)
        return out.getvalue(), "image/png"
    options: dict[str, object] = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    if icc:
        options["icc_profile"] = icc
    image.save(out, "JPEG", **options)
    return out.getvalue(), "image/jpeg"


def _store(storage: FileStorage, data: bytes, content_type: str) -> Rendition:
    return Rendition(storage.put_bytes(data), content_type, len(data))


def _clean_original(
    image: Image.Image, fmt: str, storage: FileStorage, icc: bytes | None
) -> tuple[Path, str]:
    """The full-size image in its own format, without EXIF, in a temporary file."""
    temp = storage.temp_path()
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        options.update(quality=92, optimize=True)
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    elif fmt == "WEBP":
        options.update(quality=92)
    with temp.open("wb") as out:
        image.save(out, fmt, **options)
        out.flush()
        os.fsync(out.fileno())
    return temp, sha256_of(temp)


def _upright_size(source: Image.Image) -> tuple[int, int]:
    """The full-resolution size once EXIF orientation is applied."""
    width, height = source.size
    return (height, width) if source.getexif().get(0x0112, 1) in (5, 6, 7, 8) else (width, height)


def process_image(path: Path, storage: FileStorage) -> ProcessedImage:
    """Check an image, then store its display size and thumbnail; InvalidInput when refused."""
    try:
        with Image.open(path) as source:
            fmt = source.format or ""
            if fmt not in _FORMATS:
                raise _refuse(_("Ce format d'image n'est pas accepté."))
            if source.width * source.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            icc = source.info.get("icc_profile")
            full_size = _upright_size(source)
            clean = _has_metadata(source) and fmt != "GIF"
            if not clean and fmt == "JPEG":
                # Decode at a reduced scale straight from the DCT: much faster for big photos.
                scale = min(1.0, DISPLAY_MAX / max(source.width, source.height))
                box = (math.ceil(source.width * scale), math.ceil(source.height * scale))
                source.draft("RGB", box)
            upright = ImageOps.exif_transpose(source)
            cleaned = _clean_original(upright, fmt, storage, icc) if clean else None
            display = _normalised(upright)
            display.thumbnail(
                (DISPLAY_MAX, DISPLAY_MAX), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
            thumb = display.copy()
            thumb.thumbnail((THUMB_MAX, THUMB_MAX), Image.Resampling.LANCZOS)
            display_rendition = _store(storage, *_encode(display, icc=icc))
            thumb_rendition = _store(storage, *_encode(thumb, icc=icc))
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            _(
                "Cette image est trop grande (%(max)s millions de pixels au plus).",
                max=format_number(MAX_PIXELS // 1_000_000),
            )
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise _refuse(_("Cette image est endommagée ou incomplète.")) from None
    return ProcessedImage(
        width=full_size[0],
        height=full_size[1],
        display=display_rendition,
        thumbnail=thumb_rendition,
        cleaned_original=cleaned,
    )
