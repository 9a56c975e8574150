"""JSON shape limits checked on the raw body before any parser sees it (RES-3).

Python's json module recurses once per nesting level, and a 1 MiB body of "0," is half a million
array items for pydantic to walk. check_shape() looks only at the structure (brackets and commas
outside strings). Strings are cut out with C-level passes that never backtrack, so the cost is
linear in the body size, and the Python loop that follows runs over at most max_structure bytes.
It is not a validator: a malformed body may pass, and the parser then refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ESCAPE = re.compile(rb"\\.", re.DOTALL)  # outside strings a backslash is invalid JSON anyway
_STRING = re.compile(rb'"[^"]*+"')  # once escapes are gone, a string holds no quote
_STRUCTURE = b"[]{},"
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_COMMA = ord(",")


@dataclass(frozen=True, slots=True)
class ShapeViolation:
    # "depth": containers nested deeper than the limit; "items": one array or object holds more
    # elements or members than the limit; "structure": more brackets and commas than the limit.
    kind: str
    limit: int


def structure_of(body: bytes) -> bytes:
    """The brackets and commas of a JSON text that are not inside a string, in order."""
    return _STRING.sub(b"", _ESCAPE.sub(b"", body)).translate(None, _NOT_STRUCTURE)


def check_shape(
    body: bytes, *, max_depth: int, max_items: int, max_structure: int
) -> ShapeViolation | None:
    """None when no array or object is nested deeper than max_depth (the outermost container is
    depth 1), none has more than max_items elements or members, and the body has at most
    max_structure brackets and commas outside strings."""
    # Counted over the whole body, strings included, these can only overestimate the structure.
    opens, separators = body.count(b"[") + body.count(b"{"), body.count(b",")
    closes = body.count(b"]") + body.count(b"}")
    if (
        opens <= max_depth
        and separators < max_items
        and opens + closes + separators <= max_structure
    ):
        return None  # cannot break a limit: the common case, and every base64 image body
    structure = structure_of(body)
    commas: list[int] = []  # commas seen so far in each open container, innermost last
    for byte in structure[:max_structure]:
        if byte == _COMMA:
            if commas:
                commas[-1] += 1
                if commas[-1] >= max_items:  # n commas separate n + 1 elements
                    return ShapeViolation("items", max_items)
        elif byte in _OPEN:
            if len(commas) >= max_depth:
                return ShapeViolation("depth", max_depth)
            commas.append(0)
        elif byte in _CLOSE and commas:
            commas.pop()
    if len(structure) > max_structure:
        return ShapeViolation("structure", max_structure)
    return None
