"""Where file bytes live: a FileStorage interface and its local, content-addressed directory.

Blobs are named by the SHA-256 of their bytes, so identical files are stored once. New bytes
are first written to a temporary file inside the storage (same file system) and then renamed
into place in one atomic step: a reader never sees half a file.
"""

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


class FileStorage(Protocol):
    """The storage seam: local directory by default, something shared when several hosts serve."""

    def temp_path(self) -> Path:
        """A fresh path for bytes being received (to be passed to put_file or removed)."""
        ...

    def put_file(self, source: Path, sha256: str) -> None:
        """Move a received file in under its hash (dropped if those bytes are already there)."""
        ...

    def put_bytes(self, data: bytes) -> str:
        """Store small bytes (thumbnails) and return their hash."""
        ...

    def path(self, sha256: str) -> Path:
        """The local path of a blob, for serving; FileNotFoundError when it is missing."""
        ...

    def exists(self, sha256: str) -> bool:
        """Is this blob stored?"""
        ...

    def delete(self, sha256: str) -> None:
        """Remove a blob (no error when it is already gone)."""
        ...


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class LocalStorage:
    """Blobs in root/ab/cd/<sha256>; files being received in root/tmp."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def _location(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def temp_path(self) -> Path:
        """A fresh path in root/tmp."""
        return self.tmp / f"upload-{secrets.token_hex(12)}"

    def put_file(self, source: Path, sha256: str) -> None:
        """Rename source to its content address, or drop it when the bytes are already there."""
        target = self._location(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(source, 0o640)
        os.replace(source, target)

    def put_bytes(self, data: bytes) -> str:
        """Write bytes through a temporary file and rename them into place."""
        sha256 = hashlib.sha256(data).hexdigest()
        if self.exists(sha256):
            return sha256
        temp = self.temp_path()
        with temp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        self.put_file(temp, sha256)
        return sha256

    def path(self, sha256: str) -> Path:
        """The blob's path; FileNotFoundError when missing."""
        location = self._location(sha256)
        if not location.is_file():
            raise FileNotFoundError(sha256)
        return location

    def exists(self, sha256: str) -> bool:
        """Is this blob stored?"""
        return self._location(sha256).is_file()

    def delete(self, sha256: str) -> None:
        """Remove a blob."""
        self._location(sha256).unlink(missing_ok=True)
