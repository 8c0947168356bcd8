"""Uploading through the API: what is accepted, refused, limited, deduplicated, and who may."""

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from forum.db import Database
from forum.settings import Settings
from tests.conftest import ClientAs, MakeMember, Member
from tests.discussions import A, B, People, arrange_people
from tests.files import fixtures
from tests.files_helpers import blob_count, stored_files, upload, uploaded
from tests.signin import configured_settings, with_settings


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return configured_settings(request, tmp_path)


@pytest.fixture
def people(db: Database, make_member: MakeMember) -> People:
    return arrange_people(db, make_member)


@pytest.fixture
def amina(people: People, client_as: ClientAs) -> TestClient:
    return client_as(people.member_a)


def test_upload_answers_201_with_the_file(amina: TestClient, db: Database) -> None:
    response = upload(amina, A, "Rapport d'activité 2026.pdf", fixtures.pdf())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "name", "size", "type", "url", "download_url"}
    assert body["name"] == "Rapport d'activité 2026.pdf"
    assert body["type"] == "application/pdf"
    assert body["size"] == len(fixtures.pdf())
    assert body["url"].startswith(f"/f/{body['id']}/")
    assert "Rapport" not in body["id"] and len(body["id"]) >= 16
    [row] = stored_files(db)
    assert row.public_id == body["id"] and row.uploader_id is not None


def test_an_image_gets_display_and_thumbnail_urls(amina: TestClient) -> None:
    body = uploaded(amina, A, "photo.jpg", fixtures.jpeg(gps=True))
    assert body["url"] == f"/f/{body['id']}/display"
    assert body["thumbnail_url"] == f"/f/{body['id']}/thumb"


def test_identical_bytes_are_stored_once(
    amina: TestClient, db: Database, settings: Settings
) -> None:
    first = uploaded(amina, A, "a.pdf", fixtures.pdf())
    second = uploaded(amina, A, "b.pdf", fixtures.pdf())
    assert first["id"] != second["id"]
    assert blob_count(db) == 1
    root = settings.data_dir / "files"
    blobs = [p for p in root.rglob("*") if p.is_file() and p.parent != root / "tmp"]
    assert len(blobs) == 1
    assert list((root / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", fixtures.exe(), "n'est pas accepté"),
        ("photo.jpg", fixtures.html_as_image(), "n'est pas accepté"),
        ("dessin.svg", fixtures.svg_with_script(), "SVG"),
        ("bombe.zip", fixtures.zip_bomb(), "démesurée"),
        ("bombe.png", fixtures.pixel_bomb(), "trop grande"),
        ("coupee.jpg", fixtures.truncated_jpeg(), "endommagée"),
    ],
    ids=["exe-as-jpg", "html-as-jpg", "svg-script", "zip-bomb", "pixel-bomb", "truncated"],
)
def test_bad_files_are_refused_with_a_message_and_leave_nothing(
    amina: TestClient, db: Database, settings: Settings, name: str, data: bytes, message: str
) -> None:
    response = upload(amina, A, name, data)
    assert response.status_code == 422, response.text
    assert message in response.json()["fields"]["file"]
    assert stored_files(db) == [] and blob_count(db) == 0
    root = settings.data_dir / "files"
    assert [p for p in root.rglob("*") if p.is_file()] == []


@with_settings(max_upload_mb=1)
def test_a_file_over_the_limit_is_413_while_reading(amina: TestClient, db: Database) -> None:
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = upload(amina, A, "gros.pdf", big)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert "1 Mo" in response.json()["message"]
    assert stored_files(db) == []


@with_settings(max_upload_mb=1)
def test_content_length_too_big_is_refused_without_reading(
    people: People, db: Database, client: TestClient
) -> None:
    from forum.services import tokens as token_service

    token, _row = db.transaction(token_service.create_token, user_id=people.member_a.id, name="t")
    # The body is tiny: only the announced length can have caused the refusal.
    response = client.post(
        f"/api/v1/boards/{A}/files",
        content=b"--zzz\r\n",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "multipart/form-data; boundary=zzz",
            "Content-Length": str(20 * 1024 * 1024),
        },
    )
    assert response.status_code == 413


@with_settings(member_quota_mb=1)
def test_member_quota(amina: TestClient, db: Database) -> None:
    half = b"%PDF-1.4\n" + b"1" * (600 * 1024)
    assert upload(amina, A, "a.pdf", half).status_code == 201
    response = upload(amina, A, "b.pdf", half + b"2")
    assert response.status_code == 422
    assert "plein" in response.json()["fields"]["file"]
    assert len(stored_files(db)) == 1


@with_settings(board_quota_mb=1)
def test_board_quota(people: People, client_as: ClientAs, make_member: MakeMember) -> None:
    other = client_as(make_member("yasmine", groups={A: "member"}))
    half = b"%PDF-1.4\n" + b"1" * (600 * 1024)
    assert upload(client_as(people.member_a), A, "a.pdf", half).status_code == 201
    response = upload(other, A, "b.pdf", half + b"2")
    assert response.status_code == 422
    assert "tableau est plein" in response.json()["fields"]["file"]


def test_who_may_upload(people: People, client_as: ClientAs, client: TestClient) -> None:
    # A member of another group: the private board does not exist for them.
    assert upload(client_as(people.member_b), A, "a.pdf", fixtures.pdf()).status_code == 404
    anonymous = client.post(f"/api/v1/boards/{A}/files", files={"file": ("a.pdf", fixtures.pdf())})
    assert anonymous.status_code == 401
    assert upload(client_as(people.member_b), B, "b.pdf", fixtures.pdf()).status_code == 201


def test_a_session_needs_the_csrf_header(amina: TestClient) -> None:
    response = amina.post(f"/api/v1/boards/{A}/files", files={"file": ("a.pdf", fixtures.pdf())})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"


def test_field_must_be_file_and_folder_must_exist(amina: TestClient) -> None:
    from tests.conftest import csrf_token

    headers = {"X-CSRF-Token": csrf_token(amina)}
    wrong = amina.post(
        f"/api/v1/boards/{A}/files", files={"document": ("a.pdf", fixtures.pdf())}, headers=headers
    )
    assert wrong.status_code == 422 and "file" in wrong.json()["fields"]
    response = upload(amina, A, "a.pdf", fixtures.pdf(), folder="999")
    assert response.status_code == 422 and "folder" in response.json()["fields"]


def test_list_files(amina: TestClient, people: People, client_as: ClientAs) -> None:
    uploaded(amina, A, "un.pdf", fixtures.pdf())
    uploaded(amina, A, "deux.png", fixtures.png())
    listing = amina.get(f"/api/v1/boards/{A}/files")
    assert listing.status_code == 200
    assert [f["name"] for f in listing.json()["files"]] == ["deux.png", "un.pdf"]
    assert client_as(people.member_b).get(f"/api/v1/boards/{A}/files").status_code == 404


def test_temporary_files_are_cleaned_after_a_refusal(amina: TestClient, settings: Settings) -> None:
    upload(amina, A, "x.jpg", fixtures.exe())
    tmp = Path(settings.data_dir / "files" / "tmp")
    assert list(tmp.iterdir()) == []


def test_quota_members_get_independent_usage(
    people: People, client_as: ClientAs, db: Database
) -> None:
    member: Member = people.moderator_a
    uploaded(client_as(member), A, "m.pdf", fixtures.pdf())
    assert {f.uploader_id for f in stored_files(db)} == {member.id}
