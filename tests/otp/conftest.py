"""Per-test OTP harness: a fresh tenant, a random HMAC key and the SMS policy."""

from __future__ import annotations

import os
import uuid

import pytest_asyncio
from fastapi import FastAPI

from tests.fixtures.factories import create_tenant
from tests.otp.helpers import OtpHarness


@pytest_asyncio.fixture(loop_scope="session")
async def otp(app: FastAPI) -> OtpHarness:
    tenant = await create_tenant(app)
    return OtpHarness(app, uuid.UUID(tenant.id), os.urandom(32))
