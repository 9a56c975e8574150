"""Liveness re-validation (identity/revalidation.py): a verified user proves again to be the
card holder with three frames and no card; a stranger cannot, a user never verified has no card
to match against, and a passed re-validation is what a phone change waits for."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity import revalidation
from hawiya.kit.clock import utcnow
from tests.http.routes import (
    ensure_user,
    face_pictures,
    holder_frames,
    new_caller,
    revalidate,
    verify_user,
)
from tests.http.support import scanned


def _codes(answer: dict[str, object]) -> list[int]:
    entries = answer["services"]["Validations"]["validation_errors"]  # type: ignore[index]
    return [e["code"] for entry in entries for e in entry["errors"]]


async def test_the_holder_revalidates_and_a_stranger_does_not(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        never = await revalidate(c, holder_frames())
        assert _codes(never) == [5004]  # a new transaction is no re-validation for them
        await verify_user(c)
        since = utcnow()
        hopper = face_pictures()["hopper"]
        stranger = await revalidate(c, [hopper, hopper, hopper])
        assert _codes(stranger) != [] and stranger["services"]["liveness"] is not True
        async with session_scope(app.state.db.reader) as session:
            assert (
                await revalidation.revalidated_since(
                    session, uuid.UUID(c.tenant.id), c.user_id, since
                )
                is None
            )
        holder = await revalidate(c, holder_frames())
        assert _codes(holder) == [] and holder["services"]["liveness"] is True
        assert holder["data"]["isVerificationProcessCompleted"] is True
        assert holder["data"]["isDigitalIdentityVerified"] is True
        async with session_scope(app.state.db.reader) as session:
            row = await revalidation.revalidated_since(
                session, uuid.UUID(c.tenant.id), c.user_id, since
            )
            assert row is not None and revalidation.is_revalidation(row)
            assert (
                await revalidation.revalidated_since(
                    session, uuid.UUID(c.tenant.id), c.user_id, utcnow() + timedelta(seconds=5)
                )
                is None
            )
