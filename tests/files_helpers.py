"""Helpers for the file tests: upload through the API as a signed-in browser, read stored rows."""

from typing import Any

import httpx2
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from forum.db import Database
from forum.models import File, StoredBlob
from tests.conftest import csrf_token


def upload(
    browser: TestClient,
    board: str,
    name: str,
    data: bytes,
    *,
    folder: str | None = None,
    content_type: str = "application/octet-stream",
) -> httpx2.Response:
    """POST one file to the board's library through the API, with the session's CSRF header."""
    headers = {"X-CSRF-Token": csrf_token(browser, "/account")}
    extra = {"folder": folder} if folder is not None else {}
    return browser.post(
        f"/api/v1/boards/{board}/files",
        files={"file": (name, data, content_type)},
        data=extra,
        headers=headers,
    )


def uploaded(browser: TestClient, board: str, name: str, data: bytes) -> dict[str, Any]:
    """Upload a file that must be accepted: its JSON."""
    response = upload(browser, board, name, data)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def stored_files(db: Database) -> list[File]:
    """Every file row."""
    return db.reading(lambda session: list(session.exec(select(File).order_by(col(File.id))).all()))


def blob_count(db: Database) -> int:
    """Stored blobs (rows)."""

    def read(session: Session) -> int:
        return len(session.exec(select(StoredBlob)).all())

    return db.reading(read)
