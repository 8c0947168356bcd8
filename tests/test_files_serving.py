"""Serving files: access on every request, safe headers, names, ETag and Range."""

import io
from urllib.parse import quote

import pytest
from PIL import Image
from starlette.testclient import TestClient

from forum.db import Database
from tests.conftest import ClientAs, MakeMember
from tests.discussions import MEMBERS_BOARD, PUBLIC_BOARD, A, People, arrange_people, soup
from tests.files import fixtures
from tests.files_helpers import uploaded


def main_text(html: str) -> str:
    main = soup(html).find("main")
    assert main is not None
    return main.get_text(" ", strip=True)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


FRENCH_NAMES = [
    "Compte rendu d'activité.pdf",
    "réunion du pôle ESS – été 2026.pdf",
    "L’ordre du jour « final ».pdf",
    "فاتورة.pdf",
]


@pytest.mark.parametrize("name", FRENCH_NAMES)
def test_french_names_survive_upload_and_download(amina: TestClient, name: str) -> None:
    body = uploaded(amina, A, name, fixtures.pdf())
    assert body["name"] == name
    response = amina.get(body["url"])
    assert response.status_code == 200
    assert response.content == fixtures.pdf()
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    # The ASCII fallback is plain ASCII without quotes or backslashes inside.
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".pdf")


def test_download_headers(amina: TestClient) -> None:
    body = uploaded(amina, A, "notes.txt", fixtures.text_utf8())
    response = amina.get(body["url"])
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["content-disposition"].startswith("attachment;")
    # The name in the URL is only for the reader: the id decides.
    assert amina.get(f"/f/{body['id']}/autre-nom.txt").content == fixtures.text_utf8()
    assert amina.get(f"/f/{body['id']}").status_code == 200


def test_images_inline_are_ours_and_without_exif(amina: TestClient) -> None:
    body = uploaded(amina, A, "photo.jpg", fixtures.jpeg(1200, 900, gps=True))
    for url in (body["url"], body["thumbnail_url"]):
        response = amina.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["content-disposition"].startswith("inline;")
        assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
        image = Image.open(io.BytesIO(response.content))
        assert not image.getexif()
    # Even the download of the original has lost its GPS position.
    original = amina.get(body["download_url"])
    assert original.headers["content-disposition"].startswith("attachment;")
    assert not Image.open(io.BytesIO(original.content)).getexif()


def test_other_files_have_no_display_or_thumbnail(amina: TestClient) -> None:
    body = uploaded(amina, A, "a.pdf", fixtures.pdf())
    assert amina.get(f"/f/{body['id']}/display").status_code == 404
    assert amina.get(f"/f/{body['id']}/thumb").status_code == 404


def test_a_member_of_another_group_gets_404_for_file_and_thumbnail(
    amina: TestClient, people: People, client_as: ClientAs, client: TestClient
) -> None:
    body = uploaded(amina, A, "photo.jpg", fixtures.jpeg())
    bruno = client_as(people.member_b)
    missing = bruno.get("/f/AAAAAAAAAAAAAAAAAAAAAAAA/thumb")
    for url in (body["url"], body["thumbnail_url"], body["download_url"]):
        hidden = bruno.get(url)
        assert hidden.status_code == 404
        # The same answer as for nothing at all.
        assert main_text(hidden.text) == main_text(missing.text)
        assert client.get(url).status_code == 404
    assert client_as(people.admin).get(body["thumbnail_url"]).status_code == 200


def test_public_board_files_are_public_and_cacheable(
    people: People, client_as: ClientAs, client: TestClient
) -> None:
    body = uploaded(client_as(people.member_a), PUBLIC_BOARD, "affiche.png", fixtures.png())
    response = client.get(body["thumbnail_url"])
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")
    members = uploaded(client_as(people.member_a), MEMBERS_BOARD, "m.pdf", fixtures.pdf())
    assert client.get(members["url"]).status_code == 404


def test_etag_and_if_none_match(amina: TestClient) -> None:
    body = uploaded(amina, A, "a.pdf", fixtures.pdf())
    first = amina.get(body["url"])
    etag = first.headers["etag"]
    assert etag.startswith('"') and len(etag) == 66
    again = amina.get(body["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = amina.get(body["url"], headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_a_revalidation_still_checks_access(
    amina: TestClient, people: People, client_as: ClientAs
) -> None:
    body = uploaded(amina, A, "a.pdf", fixtures.pdf())
    etag = amina.get(body["url"]).headers["etag"]
    bruno = client_as(people.member_b)
    assert bruno.get(body["url"], headers={"If-None-Match": etag}).status_code == 404


def test_range_requests(amina: TestClient) -> None:
    data = fixtures.pdf()
    body = uploaded(amina, A, "a.pdf", data)
    part = amina.get(body["url"], headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.content == data[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{len(data)}"
    tail = amina.get(body["url"], headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == data[-5:]
    beyond = amina.get(body["url"], headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"
    assert amina.get(body["url"]).headers["accept-ranges"] == "bytes"


def test_deleted_files_are_gone(amina: TestClient, db: Database) -> None:
    from forum.models import File, utcnow

    body = uploaded(amina, A, "a.pdf", fixtures.pdf())

    def delete(session) -> None:  # type: ignore[no-untyped-def]
        from sqlmodel import select

        file = session.exec(select(File).where(File.public_id == body["id"])).one()
        file.deleted_at = utcnow()
        session.add(file)

    db.transaction(delete)
    assert amina.get(body["url"]).status_code == 404


def test_compressed_formats_are_not_gzipped_again(amina: TestClient) -> None:
    big_pdf = fixtures.pdf() + b"%" + b"0" * 5000
    body = uploaded(amina, A, "a.pdf", big_pdf)
    response = amina.get(body["url"], headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(big_pdf))


def test_a_file_named_like_a_rendition_still_downloads(amina: TestClient) -> None:
    body = uploaded(amina, A, "display", fixtures.pdf())
    assert body["url"] == f"/f/{body['id']}"
    response = amina.get(body["url"])
    assert response.status_code == 200 and response.content == fixtures.pdf()
    assert response.headers["content-disposition"].startswith('attachment; filename="display"')
