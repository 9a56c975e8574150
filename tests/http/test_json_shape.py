"""RES-3: JSON shape limits. Deep nesting and huge arrays or objects are refused with 400 / 9011
before the body is parsed: quickly, never a 500, never a RecursionError. The scanner itself
(hawiya.kit.jsonshape) is checked against a reference computed from the parsed value."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hawiya.config import HttpSettings
from hawiya.errors import ErrorCode
from hawiya.kit.jsonshape import check_shape, structure_of
from tests.http.routes import login_body, new_caller
from tests.http.support import assert_error, assert_success, scanned

E = ErrorCode
LIMITS = HttpSettings()
DEPTH, ITEMS = LIMITS.max_json_depth, LIMITS.max_json_items


def nested(depth: int, inner: str = "0") -> str:
    return "[" * depth + inner + "]" * depth


# ------------------------------------------------------------------------------------------------
# Over HTTP


async def test_shape_limits_over_http(app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        json_type = {"Content-Type": "application/json"}
        refused = {
            "100000 [": b"[" * 100_000,
            "100000 [ closed": nested(100_000).encode(),
            "100000 {": b'{"a":' * 100_000,
            "depth 33": json.dumps({"name": json.loads(nested(DEPTH))}).encode(),
            "huge array": json.dumps({"name": [0] * 300_000}).encode(),
            "101 items": json.dumps({"name": list(range(ITEMS + 1))}).encode(),
            "101 members": json.dumps({f"k{i}": i for i in range(ITEMS + 1)}).encode(),
            "many small": json.dumps([[0] * 50] * 50).encode() * 20,
        }
        for label, body in refused.items():
            for path, headers in (
                ("/api/hawiya/ApiKeys", caller.admin(**json_type)),
                ("/api/credentials/Login", json_type),  # not even an ApiKey is needed to be refused
                (
                    "/api/credentials/RefreshToken",
                    {},
                ),  # no content type: parsed as JSON, so checked
            ):
                started = time.perf_counter()
                response = await http.post(path, content=body, headers=headers)
                elapsed = time.perf_counter() - started
                result = assert_error(response, E.JSON_TOO_COMPLEX)
                assert response.status_code == 400, label
                assert elapsed < 1.0, (label, elapsed)
                (problem,) = result["error_descriptions"]
                assert problem["code"] in ("json_depth", "json_items", "json_structure"), label
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "RecursionError" not in caplog.text


async def test_shapes_within_the_limits_reach_the_handler(app: FastAPI) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        # Depth 32 and 100 items pass the scanner; the model then refuses the wrong type (9001).
        for value in (json.loads(nested(DEPTH - 1)), list(range(ITEMS))):
            response = await http.post(
                "/api/hawiya/ApiKeys", json={"name": value}, headers=caller.admin()
            )
            assert_error(response, E.VALIDATION_FAILED)
        # Brackets, commas and quotes inside strings are text, not structure.
        name = '[{"a",' * 21
        created = await http.post(
            "/api/hawiya/ApiKeys", json={"name": name}, headers=caller.admin()
        )
        assert assert_success(created)["name"] == name
        body = login_body(caller.tenant, returnUrl="," * 2000 + "[" * 40)
        login = await http.post(
            "/api/credentials/Login", json=body, headers=caller.key(TenancyName=caller.tenant.name)
        )
        assert assert_success(login)["accessToken"]


# ------------------------------------------------------------------------------------------------
# The scanner


def _reference(value: Any) -> tuple[int, int, int]:
    """(nesting depth, largest container, brackets + commas) of a parsed JSON value."""
    if isinstance(value, list | dict):
        children = list(value.values()) if isinstance(value, dict) else value
        inner = [_reference(child) for child in children]
        depth = 1 + max((d for d, _, _ in inner), default=0)
        widest = max([len(children), *(w for _, w, _ in inner)])
        structure = 2 + max(len(children) - 1, 0) + sum(s for _, _, s in inner)
        return depth, widest, structure
    return 0, 0, 0


_TRICKY_TEXT = st.text(alphabet='[]{},"\\:ab \n\u00e9\u0645', max_size=12)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=7) | st.dictionaries(_TRICKY_TEXT, children, max_size=7)
    ),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=_VALUES,
    max_depth=st.integers(1, 6),
    max_items=st.integers(1, 8),
    max_structure=st.integers(1, 80),
    indent=st.sampled_from([None, 0, 2]),
    ascii_only=st.booleans(),
)
def test_scanner_agrees_with_the_parsed_value(
    value: Any,
    max_depth: int,
    max_items: int,
    max_structure: int,
    indent: int | None,
    ascii_only: bool,
) -> None:
    raw = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode()
    depth, widest, structure = _reference(value)
    assert len(structure_of(raw)) == structure
    found = check_shape(raw, max_depth=max_depth, max_items=max_items, max_structure=max_structure)
    within = depth <= max_depth and widest <= max_items and structure <= max_structure
    assert (found is None) == within, (found, depth, widest, structure)
    if found is not None:
        broken = {"depth": depth > max_depth, "items": widest > max_items}
        assert broken.get(found.kind, structure > max_structure), found


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_scanner_never_raises_on_garbage(raw: bytes) -> None:
    check_shape(raw, max_depth=3, max_items=3, max_structure=30)


@pytest.mark.parametrize(
    "body",
    [
        b'"' + b'\\"' * 500_000,  # a string that never ends, full of escaped quotes
        b"[" * 40 + b'"' + b'\\"' * 500_000,
        b'"' * 1_000_000,
        b"]" * 300_000 + b"[" * 300_000,
        b"[" + b"[]," * 340_000 + b"[]]",
        b"\\" * 1_000_000,
        (b'"' + b"a" * 1000 + b'",') * 1000,
    ],
)
def test_scanner_is_linear_on_hostile_input(body: bytes) -> None:
    started = time.perf_counter()
    check_shape(body, max_depth=32, max_items=100, max_structure=20_000)
    assert time.perf_counter() - started < 0.5


def test_scanner_on_a_large_image_body_is_cheap() -> None:
    image = {"image": "A" * 20_000_000, "front": True, "liveness": ["B" * 100] * 3}
    raw = json.dumps(image).encode()
    started = time.perf_counter()
    assert check_shape(raw, max_depth=32, max_items=100, max_structure=20_000) is None
    assert time.perf_counter() - started < 0.5
