"""The web side: upload and follow an import, the imported mark, the original message for
moderators only, and the claim flow from a member's request to an administrator's decision."""

import io
import zipfile
from pathlib import Path

import httpx2
from bs4 import BeautifulSoup
from sqlmodel import col, select
from starlette.testclient import TestClient

from forum.db import Database
from forum.importer.jobs import safe_extract
from forum.models import ImportJob, Post, Topic
from tests.conftest import ClientAs, MakeMember, csrf_token
from tests.importer.archives import conversation, mbox, write_yahoo


def page(response_text: str) -> BeautifulSoup:
    return BeautifulSoup(response_text, "html.parser")


def upload(client: TestClient, data: bytes, name: str, **fields: str) -> httpx2.Response:
    token = csrf_token(client, "/admin/import")
    form = {"csrf_token": token, "board": "pole-ess", "format": "auto", **fields}
    return client.post(
        "/admin/import",
        data=form,
        files={"archive": (name, io.BytesIO(data), "application/octet-stream")},
        follow_redirects=False,
    )


def test_an_administrator_imports_and_follows_the_report(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    admin = client_as(make_member("admin", admin=True))
    response = upload(admin, mbox(conversation()), "groupe.mbox")
    assert response.status_code == 303
    location = response.headers["location"]
    report = page(admin.get(location).text)
    assert "terminé" in report.get_text()
    numbers = {
        dt.get_text(): dd.get_text()
        for dt, dd in zip(report.select("dt"), report.select("dd"), strict=True)
    }
    assert numbers["Sujets créés"] == "1" and numbers["Messages publiés"] == "3"
    job = db.reading(lambda s: s.exec(select(ImportJob)).one())
    assert job.status == "done" and not Path(job.path).exists()  # the upload is cleaned up
    listing = page(admin.get("/admin/import").text)
    assert listing.find("a", href=location) is not None


def test_dry_run_from_the_web_writes_nothing(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    admin = client_as(make_member("admin", admin=True))
    response = upload(admin, mbox(conversation()), "groupe.mbox", dry_run="1")
    assert response.status_code == 303
    assert db.reading(lambda s: s.exec(select(Topic)).all()) == []


def test_a_zipped_yahoo_folder_is_extracted_and_read(
    db: Database, make_member: MakeMember, client_as: ClientAs, tmp_path: Path
) -> None:
    folder = write_yahoo(tmp_path / "groupe", [(raw, 3, []) for raw in conversation()])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in folder.rglob("*"):
            if file.is_file():
                archive.write(file, str(file.relative_to(tmp_path)))
    admin = client_as(make_member("admin", admin=True))
    assert upload(admin, buffer.getvalue(), "yahoo.zip").status_code == 303
    assert len(db.reading(lambda s: s.exec(select(Post)).all())) == 3


def test_extraction_refuses_names_that_climb_out(tmp_path: Path) -> None:
    archive = tmp_path / "piege.zip"
    with zipfile.ZipFile(archive, "w") as source:
        source.writestr("../evasion.txt", "refusé")
        source.writestr("/absolu.txt", "refusé")
        source.writestr("email/1_raw.json", "{}")
    target = tmp_path / "dossier" / "extrait"
    target.mkdir(parents=True)
    assert safe_extract(archive, target) == target / "email"
    assert not (tmp_path / "dossier" / "evasion.txt").exists()
    assert [p.name for p in target.rglob("*") if p.is_file()] == ["1_raw.json"]


def test_upload_errors_and_access(make_member: MakeMember, client_as: ClientAs) -> None:
    admin = client_as(make_member("admin", admin=True))
    token = csrf_token(admin, "/admin/import")
    missing = admin.post("/admin/import", data={"csrf_token": token, "board": "pole-ess"})
    assert missing.status_code == 400
    assert page(missing.text).select_one("#archive-error") is not None
    unknown = upload(admin, b"From x\n", "x.mbox", board="inconnu")
    assert unknown.status_code == 400
    member = client_as(make_member("amina", groups={"pole-ess": "member"}))
    assert member.get("/admin/import").status_code == 404
    assert member.get("/admin/import/1").status_code == 404


def test_imported_topic_mark_and_original_message_for_moderators(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    admin = client_as(make_member("admin", admin=True))
    upload(admin, mbox(conversation()), "groupe.mbox")
    topic_id, post_id = db.reading(lambda s: s.exec(select(Topic.id, Topic.first_post_id)).one())
    member = client_as(make_member("amina", groups={"pole-ess": "member"}))
    moderator = client_as(make_member("chloe", groups={"pole-ess": "moderator"}))
    outsider = client_as(make_member("bruno", groups={"copil": "member"}))
    topic_page = page(member.get(f"/t/{topic_id}").text)
    meta = topic_page.select_one(".topic-meta")
    assert meta is not None and "importé de l'ancien groupe" in meta.get_text()
    assert topic_page.find("a", href=f"/p/{post_id}/origine") is None
    assert topic_page.select_one("details.quoted-history summary") is not None
    moderated = page(moderator.get(f"/t/{topic_id}").text)
    assert moderated.find("a", href=f"/p/{post_id}/origine") is not None
    source = moderator.get(f"/p/{post_id}/origine")
    assert source.status_code == 200
    raw = page(source.text).select_one("pre.raw-message")
    assert raw is not None and "Message-ID: <m1@example.org>" in raw.get_text()
    assert member.get(f"/p/{post_id}/origine").status_code == 403
    assert outsider.get(f"/p/{post_id}/origine").status_code == 404
    ordinary = db.reading(lambda s: s.exec(select(Post).order_by(col(Post.id))).all())
    assert admin.get(f"/p/{ordinary[0].id}/origine").status_code == 200


def test_claim_flow_from_member_to_administrator(
    db: Database, make_member: MakeMember, client_as: ClientAs
) -> None:
    admin = client_as(make_member("admin", admin=True))
    upload(admin, mbox(conversation()), "groupe.mbox")
    karim = make_member("karim", groups={"pole-ess": "member"})
    browser = client_as(karim)
    token = csrf_token(browser, "/anciens-messages")
    sent = browser.post(
        "/anciens-messages",
        data={"csrf_token": token, "address": "karim@example.org", "note": "mon ancienne adresse"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    again = browser.post(
        "/anciens-messages", data={"csrf_token": token, "address": "karim@example.org"}
    )
    assert again.status_code == 409
    assert "en attente" in page(browser.get("/anciens-messages").text).get_text()
    claims_page = page(admin.get("/admin/import").text)
    form, listing = claims_page.select_one("ul.claims form"), claims_page.select_one("ul.claims")
    assert form is not None and listing is not None
    assert "karim@example.org" in listing.get_text()
    decided = admin.post(
        str(form["action"]),
        data={"csrf_token": csrf_token(admin, "/admin/import"), "decision": "confirm"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    last = db.reading(lambda s: s.exec(select(Post).order_by(col(Post.id).desc())).first())
    assert last is not None and last.author_id == karim.id
    assert "acceptée" in page(browser.get("/anciens-messages").text).get_text()


def test_claim_page_needs_signing_in(client: TestClient) -> None:
    response = client.get("/anciens-messages", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
