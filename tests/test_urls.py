"""Ids in paths: only values an id column holds match; bigger ones are a plain 404."""

import random
import re

import pytest
from starlette.testclient import TestClient

from forum.urls import MAX_ID, at_most, parse_id


@pytest.mark.parametrize("limit", [0, 7, 10, 99, 100, 305, 999, 1000])
def test_at_most_matches_exactly_the_numbers_up_to_the_limit(limit: int) -> None:
    pattern = re.compile(at_most(limit) + r"\Z")
    for number in range(0, 2000):
        assert bool(pattern.match(str(number))) == (number <= limit), number


def test_at_most_for_32_bit_ids() -> None:
    pattern = re.compile(at_most(MAX_ID) + r"\Z")
    edges = [MAX_ID - 1, MAX_ID, MAX_ID + 1, 2_147_483_639, 2_200_000_000, 10**10, 10**9]
    rng = random.Random(5)
    for number in edges + [rng.randint(0, 10**11) for _ in range(20_000)]:
        assert bool(pattern.match(str(number))) == (number <= MAX_ID), number
    assert pattern.match("000042")


def test_parse_id() -> None:
    assert parse_id("42") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    for bad in ("0", "-1", "4.2", "²", "٣", "", "x", str(MAX_ID + 1), "9" * 40):
        assert parse_id(bad) is None, bad


@pytest.mark.parametrize(
    "path",
    [
        "/t/2147483648",
        "/p/99999999999999999999",
        "/api/v1/topics/2147483648",
        "/api/v1/posts/9223372036854775808",
        "/api/v1/posts/2147483648",
    ],
)
def test_huge_ids_are_not_found(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
