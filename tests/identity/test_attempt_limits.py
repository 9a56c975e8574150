"""Checklist BIO-3: after five failed face checks in a row on a transaction, each further attempt
waits 30 seconds after the last failure; a pass resets the run; at most 50 face checks per
identity per day. Refused attempts run no model and are answered like other step failures.
Scripted on a frozen clock."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity import attempts
from hawiya.kit.clock import Clock, utcnow
from hawiya.ratelimit.repository import RateLimitRepository
from tests.http.routes import face_pictures, front_transaction, holder_frames, new_caller
from tests.http.support import scanned

PATH = "/v1/ocr/face/match"


def _codes(body: dict[str, Any]) -> list[int]:
    entries = body["services"]["Validations"]["validation_errors"]
    return [e["code"] for entry in entries for e in entry["errors"]]


async def test_failures_in_a_row_pause_the_transaction(app: FastAPI, frozen_clock: Clock) -> None:
    start = utcnow()
    frozen_clock.freeze(start)
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await front_transaction(c)
        stranger = {"transaction_id": tid, "image": face_pictures()["hopper"]}
        holder = {"transaction_id": tid, "image": holder_frames()[0]}

        async def attempt(body: dict[str, str]) -> list[int]:
            response = await http.post(PATH, json=body, headers=c.key())
            assert response.status_code == 200
            return _codes(response.json())

        for _ in range(attempts.MAX_CONSECUTIVE):
            assert await attempt(stranger) == [1302]
        assert await attempt(holder) == [1306]  # even the right face waits: nothing ran
        frozen_clock.freeze(start + timedelta(seconds=29))
        assert await attempt(holder) == [1306]
        frozen_clock.freeze(start + timedelta(seconds=31))
        assert await attempt(stranger) == [1302]  # allowed again, failed again: a new pause
        assert await attempt(holder) == [1306]
        frozen_clock.freeze(start + timedelta(seconds=62))
        assert await attempt(holder) == []  # a pass ends the run
        assert await attempt(stranger) == [1302]
        assert await attempt(holder) == []


async def test_fifty_face_checks_a_day_per_identity(app: FastAPI, frozen_clock: Clock) -> None:
    frozen_clock.freeze(utcnow().replace(hour=10))
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await front_transaction(c)
        holder = {"transaction_id": tid, "image": holder_frames()[0]}
        first = await http.post(PATH, json=holder, headers=c.key())
        assert _codes(first.json()) == []
        # 48 more attempts on the same card holder (another transaction, same ID number).
        async with session_scope(app.state.db.writer) as session:
            from hawiya.identity.repository import TransactionRepository

            row = await TransactionRepository(session, uuid.UUID(c.tenant.id)).by_transaction_id(
                uuid.UUID(tid)
            )
            assert row is not None and row.id_number_hash
            bucket = f"face-checks:{c.tenant.id}:nid:{row.id_number_hash}"
            day = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
            for _ in range(attempts.DAILY_CAP - 2):
                await RateLimitRepository(session).increment(bucket, day)
        other = await front_transaction(c)  # the same synthetic card: the same holder
        fiftieth = await http.post(PATH, json={**holder, "transaction_id": other}, headers=c.key())
        assert _codes(fiftieth.json()) == []
        refused = await http.post(PATH, json={**holder, "transaction_id": other}, headers=c.key())
        assert _codes(refused.json()) == [1307]
        frozen_clock.freeze(utcnow() + timedelta(days=1))
        tomorrow = await http.post(PATH, json=holder, headers=c.key())
        assert _codes(tomorrow.json()) == []
