"""Reading a request body with files: streamed to disk, size limits enforced while reading.

A 50 MB upload never sits in memory: each file part goes, chunk by chunk, into a temporary
file inside the storage while its SHA-256 is computed. A Content-Length already too big is
refused (413) before a byte is read; a body without one is counted as it arrives. Text fields
are kept (up to forum.forms.MAX_FORM_BYTES in all), and the CSRF field is checked like
forum.forms.read_form does.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from forum.auth.keys import same
from forum.auth.middleware import CSRF_FIELD
from forum.errors import InvalidInput
from forum.files.storage import FileStorage
from forum.forms import MAX_FORM_BYTES, CsrfFailed, Form, FormTooLarge
from forum.i18n import format_number
from forum.i18n import gettext as _

MAX_FIELDS = 200
MAX_FILES = 10
MB = 1024 * 1024


class UploadTooLarge(FormTooLarge):
    """A file (or the whole body) is over the size limit; `message` says which, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def too_large(max_bytes: int) -> UploadTooLarge:
    """The error for a file over the per-file limit."""
    return UploadTooLarge(
        _("Le fichier dépasse la taille maximale (%(max)s Mo).", max=format_number(max_bytes // MB))
    )


@dataclass
class ReceivedFile:
    """A file part written to a temporary file of the storage."""

    field: str
    filename: str
    path: Path
    size: int = 0
    sha256: str = ""


@dataclass
class ReceivedForm:
    """The text fields and the files of a request."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[ReceivedFile] = field(default_factory=list)

    def form(self) -> Form:
        """The text fields as a Form."""
        items: list[tuple[str, str | UploadFile]] = list(self.fields)
        return Form(FormData(items))

    def discard(self) -> None:
        """Remove every temporary file still on disk."""
        for received in self.files:
            received.path.unlink(missing_ok=True)


class _Collector:
    """python-multipart callbacks: text into memory (bounded), files onto disk (bounded)."""

    def __init__(self, storage: FileStorage, *, max_file_bytes: int, max_files: int) -> None:
        self.storage = storage
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.result = ReceivedForm()
        self.text_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._data = bytearray()
        self._file: ReceivedFile | None = None
        self._out: IO[bytes] | None = None
        self._digest = hashlib.sha256()
        self._skip = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._data = bytearray()
        self._file = None
        self._skip = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.result.fields) >= MAX_FIELDS:
                raise FormTooLarge("fields")
            return
        filename = options[b"filename"].decode("utf-8", "replace")
        if not filename:
            self._skip = True  # a file input left empty
            return
        if len(self.result.files) >= self.max_files:
            raise InvalidInput(
                {"file": _("Trop de fichiers à la fois (%(max)s au plus).", max=self.max_files)}
            )
        self._file = ReceivedFile(self._name, filename, self.storage.temp_path())
        self.result.files.append(self._file)
        self._out = self._file.path.open("wb")
        self._digest = hashlib.sha256()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        chunk = data[start:end]
        if self._file is None:
            self.text_bytes += len(chunk)
            if self.text_bytes > MAX_FORM_BYTES:
                raise FormTooLarge("text")
            self._data += chunk
            return
        assert self._out is not None
        self._file.size += len(chunk)
        if self._file.size > self.max_file_bytes:
            raise too_large(self.max_file_bytes)
        self._digest.update(chunk)
        self._out.write(chunk)

    def on_part_end(self) -> None:
        if self._skip:
            return
        if self._file is None:
            self.result.fields.append((self._name, self._data.decode("utf-8", "replace")))
            return
        self.close_file()

    def close_file(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if self._file is not None:
            self._file.sha256 = self._digest.hexdigest()
            self._file = None


def _check_length(request: Request, max_body: int) -> None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_body:
        raise UploadTooLarge(
            _(
                "L'envoi dépasse la taille maximale (%(max)s Mo).",
                max=format_number(max_body // MB),
            )
        )


async def _read_urlencoded(request: Request) -> ReceivedForm:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge(str(len(body)))
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    if len(pairs) > MAX_FIELDS:
        raise FormTooLarge("fields")
    return ReceivedForm(fields=pairs)


async def receive_form(
    request: Request,
    storage: FileStorage,
    *,
    max_file_bytes: int,
    max_files: int = MAX_FILES,
    check_csrf: bool = True,
) -> ReceivedForm:
    """Read a multipart (or urlencoded) body; files land in the storage's temporary area.

    The caller owns the result: it moves the files into the storage or calls discard().
    """
    max_body = max_file_bytes * max_files + MAX_FORM_BYTES
    _check_length(request, max_body)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type == b"multipart/form-data" and params.get(b"boundary"):
        result = await _read_multipart(
            request, storage, params[b"boundary"], max_file_bytes, max_files
        )
    elif content_type in (b"application/x-www-form-urlencoded", b""):
        result = await _read_urlencoded(request)
    else:
        raise InvalidInput({"file": _("Envoyez un formulaire multipart/form-data.")})
    if check_csrf and request.scope.get("state", {}).get("csrf_form_check"):
        expected = request.state.csrf_token
        if not expected or not same(result.form().get(CSRF_FIELD), expected):
            result.discard()
            raise CsrfFailed("csrf")
    return result


async def _read_multipart(
    request: Request, storage: FileStorage, boundary: bytes, max_file_bytes: int, max_files: int
) -> ReceivedForm:
    collector = _Collector(storage, max_file_bytes=max_file_bytes, max_files=max_files)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    max_body = max_file_bytes * max_files + MAX_FORM_BYTES
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_body:
                raise too_large(max_file_bytes)
            if len(chunk) > 16 * 1024:
                # Writing to disk (and hashing) a big chunk: off the event loop.
                await anyio.to_thread.run_sync(parser.write, chunk)
            else:
                parser.write(chunk)
        parser.finalize()
    except BaseException as exc:
        collector.close_file()
        collector.result.discard()
        if isinstance(exc, FormParserError):
            raise InvalidInput({"file": _("Le formulaire envoyé est mal formé.")}) from None
        raise
    collector.close_file()
    return collector.result
