"""The OpenAPI document is valid, served as JSON, matches the routes, and the API keeps to it."""

from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.case import Case
from starlette.routing import Route
from starlette.testclient import TestClient

from forum.api.openapi import API_PREFIX, openapi_document
from forum.api.routes import routes
from forum.db import Database
from forum.services import tokens as token_service
from tests.conftest import BASE_URL, MakeMember

# Built from the code, not fetched: schemathesis' fixture-based loader does not work with
# pytest 9 (it sets Function._nodeid, which pytest removed). test_served_document_is_the_built_one
# checks that the application serves this very document.
schema = schemathesis.openapi.from_dict(openapi_document())

FUZZ = settings(
    max_examples=10,
    deadline=None,
    # The client fixture is shared by a test's examples on purpose: the API only reads.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

KNOWN_GAPS: list[Any] = []


def send(
    client: TestClient, case: Case[Any], headers: dict[str, str] | None = None
) -> httpx2.Response:
    """Send a generated case through the in-process client, headers as latin-1 like the wire."""
    kwargs: dict[str, Any] = case.as_transport_kwargs(
        base_url=BASE_URL + API_PREFIX, headers=headers
    )
    wire_headers = {k: str(v) for k, v in kwargs.pop("headers").items()}
    cookies = kwargs.pop("cookies", None) or {}
    if cookies:
        wire_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    kwargs["headers"] = {k: v.encode("latin-1") for k, v in wire_headers.items()}
    if isinstance(kwargs.get("data"), bytes | str):  # a serialised JSON body: send it as is
        kwargs["content"] = kwargs.pop("data")
    response = client.request(**kwargs)
    try:
        response.request.read()  # a multipart body is streamed; schemathesis reads it back
    except AttributeError:
        # A generated "file" that is not bytes renders once only: keep an empty record of it.
        response.request._content = b""
    return response


@pytest.fixture
def member_token(db: Database, make_member: MakeMember) -> str:
    """A personal access token of a member of pole-ess."""
    member = make_member("amina", groups={"pole-ess": "member"})
    token, _row = db.transaction(token_service.create_token, user_id=member.id, name="fuzz")
    return token


@schema.parametrize()
@FUZZ
def test_api_keeps_to_its_schema_anonymous(case: Case[Any], client: TestClient) -> None:
    response = send(client, case)
    assert response.status_code < 500
    case.validate_response(response, excluded_checks=KNOWN_GAPS)


@schema.parametrize()
@FUZZ
def test_api_keeps_to_its_schema_with_a_token(
    case: Case[Any], client: TestClient, member_token: str
) -> None:
    response = send(client, case, headers={"Authorization": f"Bearer {member_token}"})
    assert response.status_code < 500
    if case.operation.path == "/me" and case.method.upper() == "GET":
        assert response.status_code == 200, response.text
    # ignored_auth takes our real token for a generated one; the anonymous run keeps it.
    case.validate_response(
        response, excluded_checks=[*KNOWN_GAPS, schemathesis.checks.ignored_auth]
    )


def test_document_is_valid_openapi_3_1() -> None:
    assert openapi_document()["openapi"].startswith("3.1.")
    schema.validate()


def test_served_document_is_the_built_one(client: TestClient) -> None:
    response = client.get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == openapi_document()


def _route_operations() -> set[tuple[str, str]]:
    found = set()
    for route in routes():
        assert isinstance(route, Route), route
        for method in route.methods or ():
            if method != "HEAD":  # Starlette adds HEAD to every GET route
                found.add((method.lower(), route.path))
    return found


def _documented_operations() -> set[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return {
        (method, path)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in methods
    }


def test_every_route_is_documented_and_every_documented_operation_exists() -> None:
    assert _route_operations() == _documented_operations()


def test_every_operation_documents_its_responses_and_security() -> None:
    document = openapi_document()
    assert "bearer" in document["components"]["securitySchemes"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            assert "security" in operation, where
            assert any(status.startswith("2") for status in operation["responses"]), where
            # Every route answers 401 to an unknown or revoked bearer token.
            assert "401" in operation["responses"], where
            for status, response in operation["responses"].items():
                if status.startswith("2") and "application/json" not in response["content"]:
                    continue  # a file download, e.g. a document's export
                body = response["content"]["application/json"]["schema"]
                if not status.startswith("2"):
                    assert body == {"$ref": "#/components/schemas/Error"}, where
