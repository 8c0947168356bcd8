"""Ids in URL paths: `{name:int}` matches only what an id column can hold.

Ids are 32-bit integers in PostgreSQL (INTEGER), so /t/2147483648 must be a plain 404
rather than reach the database and fail there. The limit is in the pattern itself (a
convertor cannot refuse a value once matched), and registering the convertor under
"int" applies it to every route, the API's included. It must run before any route is
built, which importing the forum package guarantees.
"""

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**31 - 1


def at_most(limit: int) -> str:
    """A regular expression for the decimal numbers 0..limit (leading zeros allowed)."""
    digits = str(limit)
    shorter = f"[0-9]{{1,{len(digits) - 1}}}" if len(digits) > 1 else None
    same_length = []
    for index, digit in enumerate(digits):
        if digit != "0":  # same prefix, a smaller digit here, anything after
            rest = len(digits) - index - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            same_length.append(f"{digits[:index]}[0-{int(digit) - 1}]{tail}")
    same_length.append(digits)
    alternatives = ([shorter] if shorter else []) + same_length
    return "0*(?:" + "|".join(alternatives) + ")"


class IdConvertor(Convertor[int]):
    """Digits whose value fits in a 32-bit id; anything bigger matches no route (404)."""

    regex = at_most(MAX_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        number = int(value)
        if not 0 <= number <= MAX_ID:
            raise ValueError("id out of range")
        return str(number)


register_url_convertor("int", IdConvertor())


def parse_id(raw: object) -> int | None:
    """An id written in a path or a form ("42"), or None when it cannot name anything."""
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
