"""A tiny site around the editor bundle: a document page, a board's files API, the collab server.

It serves the committed bundle (forum/static/editor/) exactly as the forum does, under the
forum's Content-Security-Policy, so a test sees what a member's browser would.
"""

import base64
import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pycrdt import Doc, XmlElement, XmlFragment, XmlText
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from websockets.sync.client import connect

import forum
from collab import CollabServer, CollabSettings, Grant, MemoryUpdateStore, collab_route
from collab.protocol import sync_step1, update_message
from forum.middleware import content_security_policy

STATIC = Path(forum.__file__).resolve().parent / "static"
CSRF_TOKEN = "jeton-csrf-de-test"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGPgju2HIwacHADbvQuVqNJRKwAAAABJRU5ErkJggg=="
)
COLORS = {"amina": "#b5179e", "bruno": "#2a9d8f", "chloe": "#e76f51"}
SERVER_HTML = "Version lue sans JavaScript"
BOARD_FILES = [
    {
        "id": "1",
        "name": "Affiche été.png",
        "type": "image/png",
        "url": "/test-files/affiche.png",
        "thumbnail_url": "/test-files/affiche-vignette.png",
    },
    {"id": "2", "name": "Compte rendu.pdf", "type": "application/pdf", "url": "/test-files/cr.pdf"},
]


@dataclass
class CookieAuthorizer:
    """The `user` cookie names the member: everyone may write, `readers` only read."""

    readers: set[str] = field(default_factory=set)
    denied: set[str] = field(default_factory=set)

    async def authorize(self, connection: HTTPConnection, document_id: str) -> Grant | None:
        user = connection.cookies.get("user", "")
        if not user or user in self.denied:
            return None
        return Grant(user, user.capitalize(), read_only=user in self.readers)

    async def still_allowed(self, grant: Grant, document_id: str) -> Grant | None:
        return None if grant.user_id in self.denied else grant


@dataclass
class Site:
    """What the tests arrange and inspect."""

    authorizer: CookieAuthorizer = field(default_factory=CookieAuthorizer)
    uploads: list[tuple[str, int]] = field(default_factory=list)
    server: CollabServer | None = None


def document_page(site: Site, request: Request) -> Response:
    """The document page as the forum's contract describes it (see frontend/src/editor.js)."""
    user = request.cookies.get("user", "")
    document_id = str(request.path_params["document_id"])
    ws_base = f"ws://{request.url.netloc}"
    attributes = {
        "id": "editor",
        "data-document-id": document_id,
        "data-ws-url": f"{ws_base}/collab",
        "data-readonly": "true" if user in site.authorizer.readers else "false",
        "data-user-name": user.capitalize(),
        "data-user-color": COLORS.get(user, "#333333"),
        "data-files-url": "/api/v1/boards/pole-ess/files",
    }
    div = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes.items())
    body = f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plan d'action · Forum</title>
<link rel="stylesheet" href="/static/forum.css">
<link rel="stylesheet" href="/static/editor/editor.css">
<script type="module" src="/static/editor/editor.js"></script>
</head>
<body>
<main id="contenu" tabindex="-1">
<h1>Plan d'action</h1>
<p id="editor-status" role="status" aria-live="polite"></p>
<div {div}><p>{SERVER_HTML}</p></div>
</main>
<footer class="site-footer">
<form method="post" action="/language" class="inline">
<input type="hidden" name="csrf_token" value="{CSRF_TOKEN}">
</form>
</footer>
</body>
</html>"""
    csp = content_security_policy(ws_base)
    return HTMLResponse(body, headers={"Content-Security-Policy": csp})


async def board_files(site: Site, request: Request) -> Response:
    """GET lists the board's files; POST takes one upload (field `file`, CSRF header)."""
    if request.method == "GET":
        return JSONResponse({"files": BOARD_FILES})
    if request.headers.get("x-csrf-token") != CSRF_TOKEN:
        return JSONResponse({"error": "csrf", "message": "Requête refusée."}, status_code=403)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return JSONResponse({"error": "invalid", "message": "Aucun fichier."}, status_code=400)
    data = await upload.read()
    await form.close()
    site.uploads.append((upload.filename or "", len(data)))
    created = {
        "id": str(2 + len(site.uploads)),
        "name": upload.filename,
        "size": len(data),
        "type": "image/png",
        "url": "/test-files/envoi.png",
        "thumbnail_url": "/test-files/envoi-vignette.png",
    }
    return JSONResponse(created, status_code=201)


def serve_test_file(request: Request) -> Response:
    """Every test image is the same small PNG."""
    return Response(PNG, media_type="image/png")


async def revoke(site: Site, request: Request) -> Response:
    """Take a member's access away, as the forum does after the commit that removed it."""
    user = str(request.path_params["user"])
    site.authorizer.denied.add(user)
    assert site.server is not None
    closed = site.server.revoke(user_id=user, reason="removed from group")
    return JSONResponse({"closed": closed})


def make_site_app(site: Site) -> Starlette:
    """The Starlette app serving `site`, its collab server started by the lifespan."""
    server = CollabServer(
        store=MemoryUpdateStore(),
        authorizer=site.authorizer,
        settings=CollabSettings(recheck_seconds=None, maintenance_seconds=0.2),
    )
    site.server = server

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with server.running():
            yield

    async def page(request: Request) -> Response:
        return document_page(site, request)

    async def files(request: Request) -> Response:
        return await board_files(site, request)

    async def take_access(request: Request) -> Response:
        return await revoke(site, request)

    routes = [
        Route("/documents/{document_id}", page),
        Route("/api/v1/boards/pole-ess/files", files, methods=["GET", "POST"]),
        Route("/test-files/{name}", serve_test_file),
        Route("/favicon.ico", lambda _request: Response(status_code=204)),
        Route("/test/revoke/{user}", take_access, methods=["POST"]),
        collab_route(server),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def write_unknown_element(ws_base: str, document_id: str) -> None:
    """As another program would: add an element no editor schema knows, through the server."""
    doc: Doc[XmlFragment] = Doc()
    fragment = doc.get("default", type=XmlFragment)
    fragment.children.append(XmlElement("carte_mentale", {"id": "c1"}, [XmlText("Idées")]))
    url = f"{ws_base}/collab/{document_id}"
    with connect(url, additional_headers={"Cookie": "user=driss"}) as socket:
        socket.send(update_message(doc.get_update()))
        # The server answers a step 1 only after applying what came before it on this socket.
        socket.send(sync_step1(doc.get_state()))
        while True:
            message = socket.recv(timeout=10)
            if isinstance(message, bytes) and message[:2] == b"\x00\x01":
                break
