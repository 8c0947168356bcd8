"""Pages stay light for slow connections: each page with its CSS and JS under 60 KB gzipped."""

import gzip

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.conftest import ClientAs, MakeMember

LIMIT = 60 * 1024


def transferred(browser: TestClient, path: str) -> int:
    """Bytes of the page and its stylesheets and scripts, gzip-compressed as served."""
    response = browser.get(path)
    assert response.status_code == 200, path
    total = len(gzip.compress(response.content))
    page = BeautifulSoup(response.text, "html.parser")
    assets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assets += [script["src"] for script in page.find_all("script", src=True)]
    for url in assets:
        asset = browser.get(str(url))
        assert asset.status_code == 200, url
        total += len(gzip.compress(asset.content))
    return total


@pytest.mark.parametrize("path", ["/", "/login", "/b/espace-commun", "/account", "/admin"])
def test_main_pages_are_light(path: str, make_member: MakeMember, client_as: ClientAs) -> None:
    admin = make_member("admin", admin=True, groups={"bureau": "moderator"})
    size = transferred(client_as(admin), path)
    assert 0 < size < LIMIT, f"{path}: {size} bytes"
