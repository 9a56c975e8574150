"""PW-1 (Argon2id at or above OWASP, rehash on login) and PW-2 (password policy)."""

from __future__ import annotations

import base64
import os
import random
import re
import string
import unicodedata

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from hawiya.auth.security import (
    MAX_PASSWORD_BYTES,
    PasswordHasher,
    PasswordRejected,
    check_password_policy,
)
from hawiya.config import AuthSettings, Settings
from tests.auth.helpers import (
    CHANGE_PASSWORD,
    audit_actions,
    current_session,
    derived_settings,
    login_ok,
    login_response,
    running_app,
    stored_password_hash,
)
from tests.conftest import client_for
from tests.fixtures.factories import TenantFixture, create_tenant

ARGON2 = re.compile(
    r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$"
)


def argon2_parameters(encoded: str) -> dict[str, int]:
    match = ARGON2.match(encoded)
    assert match, f"not an Argon2id v19 hash: {encoded[:40]}"
    salt = base64.b64decode(match[4] + "=" * (-len(match[4]) % 4))
    return {"m": int(match[1]), "t": int(match[2]), "p": int(match[3]), "salt_bytes": len(salt)}


# --------------------------------------------------------------------------------------------------
# PW-1


async def test_stored_hash_is_argon2id_at_or_above_the_owasp_floor(
    app: FastAPI, tenant_a: TenantFixture
) -> None:
    params = argon2_parameters(await stored_password_hash(app, tenant_a))
    assert params["m"] >= 19_456 and params["t"] >= 2 and params["p"] >= 1
    assert params["salt_bytes"] >= 16  # NIST asks >= 32 bits; argon2-cffi uses 128


def test_default_parameters_are_the_argon2_cffi_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("HAWIYA_AUTH__")]:
        monkeypatch.delenv(name)
    auth = Settings().auth
    assert (auth.argon2_time_cost, auth.argon2_memory_kib, auth.argon2_parallelism) == (
        3,
        65_536,
        4,
    )


@pytest.mark.parametrize(
    "change", [{"argon2_memory_kib": 19_455}, {"argon2_time_cost": 1}, {"argon2_parallelism": 0}]
)
def test_configuration_below_the_floor_is_refused(change: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        AuthSettings(**change)


async def test_default_settings_hash_with_m64mib_t3_p4() -> None:
    auth = AuthSettings()
    hasher = PasswordHasher(
        time_cost=auth.argon2_time_cost,
        memory_kib=auth.argon2_memory_kib,
        parallelism=auth.argon2_parallelism,
        slots=1,
        wait_seconds=10,
    )
    params = argon2_parameters(await hasher.hash("a perfectly fine passphrase"))
    assert (params["m"], params["t"], params["p"]) == (65_536, 3, 4)


async def test_weaker_hash_is_upgraded_on_the_next_successful_login(
    app: FastAPI, settings: Settings
) -> None:
    tenant = await create_tenant(app)  # hashed by the session app: m=19456, t=2, p=1
    before = await stored_password_hash(app, tenant)
    assert argon2_parameters(before)["m"] == 19_456

    stronger = derived_settings(
        settings, argon2_time_cost=3, argon2_memory_kib=65_536, argon2_parallelism=4
    )
    async with running_app(stronger) as strong_app, client_for(strong_app) as client:
        # A failed login never rewrites the hash.
        failed = await login_response(client, tenant, password="not-the-password-at-all")
        assert failed.status_code == 401
        assert await stored_password_hash(app, tenant) == before

        await login_ok(client, tenant)
        upgraded = await stored_password_hash(app, tenant)
        params = argon2_parameters(upgraded)
        assert (params["m"], params["t"], params["p"]) == (65_536, 3, 4)
        assert "auth.password_rehashed" in await audit_actions(app, tenant)

        # The upgraded hash still verifies, and is not rewritten again.
        await login_ok(client, tenant)
        assert await stored_password_hash(app, tenant) == upgraded


async def test_weaker_configuration_never_downgrades_a_stored_hash(
    app: FastAPI, settings: Settings
) -> None:
    tenant = await create_tenant(app)
    stronger = derived_settings(
        settings, argon2_time_cost=3, argon2_memory_kib=65_536, argon2_parallelism=4
    )
    async with running_app(stronger) as strong_app, client_for(strong_app) as client:
        await login_ok(client, tenant)
    upgraded = await stored_password_hash(app, tenant)
    assert argon2_parameters(upgraded)["m"] == 65_536
    # The session app is configured weaker (m=19456, t=2, p=1): logging in there keeps the hash.
    async with client_for(app) as client:
        await login_ok(client, tenant)
    assert await stored_password_hash(app, tenant) == upgraded


# --------------------------------------------------------------------------------------------------
# PW-2: unit table

UNICODE_64 = "Ünïcødé-Straße: ضوء القمر فوق النيل 🌙 يحكي قصصا قديمة للبحر 🌊🌴!!"
_rng = random.Random(20_251_111)
RANDOM_129 = "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(129))


def test_unicode_sample_is_64_characters_after_nfkc() -> None:
    assert len(UNICODE_64) == 64 == len(unicodedata.normalize("NFKC", UNICODE_64))


@pytest.mark.parametrize(
    ("password", "context"),
    [
        pytest.param("Qx7!mKp2#vLw9zR", (), id="15-chars"),
        pytest.param(UNICODE_64, (), id="64-char-unicode"),
        pytest.param(RANDOM_129[:128], (), id="128-chars"),
        pytest.param("correct horse battery staple", (), id="spaces-no-composition-rules"),
        pytest.param("alllowercaseletterswords", (), id="lowercase-only"),
        # NFKC: the 14-character input holds the ligature "ﬁ", which normalises to "fi" (15).
        pytest.param("Qx7!mKp2#vLwﬁ9", (), id="nfkc-ligature-makes-15"),
        pytest.param("Qx7!mKp2#vLw9zR-ab", ("ab",), id="context-word-under-4-chars-ignored"),
    ],
)
def test_policy_accepts(password: str, context: tuple[str, ...]) -> None:
    check_password_policy(password, context)


@pytest.mark.parametrize(
    ("password", "context", "reason"),
    [
        pytest.param("Qx7!mKp2#vLw9z", (), "too_short", id="14-chars"),
        pytest.param("", (), "too_short", id="empty"),
        pytest.param("ａｂｃ" * 4, (), "too_short", id="fullwidth-12"),
        pytest.param(RANDOM_129, (), "too_long", id="129-chars"),
        pytest.param("x" * (MAX_PASSWORD_BYTES + 1), (), "too_long", id="over-4-KiB"),
        pytest.param("🌙" * 1025, (), "too_long", id="over-4-KiB-in-utf8"),
        pytest.param("123456789qwerty", (), "too_common", id="blocklisted-15"),
        pytest.param("qazwsxedcrfvtgb", (), "too_common", id="blocklisted-keyboard-walk"),
        pytest.param("Password1234567", (), "too_common", id="common-plus-digits"),
        pytest.param("passwordpassword", (), "too_common", id="repeated-common-word"),
        pytest.param("aaaaaaaaaaaaaaaa", (), "too_common", id="one-character-repeated"),
        pytest.param("abcabcabcabcabcabc", (), "too_common", id="short-pattern-repeated"),
        pytest.param("my-AcmeBank-secret-2031", ("acmebank",), "contains_context", id="tenant"),
        pytest.param("TheVlensPortalKey-9931", (), "contains_context", id="vlens"),
        pytest.param("Hawiya-ServerLogin-4417", (), "contains_context", id="hawiya"),
        pytest.param("jdoe-forgets-everything", ("jdoe",), "contains_context", id="user-name"),
    ],
)
def test_policy_rejects_with_reason(password: str, context: tuple[str, ...], reason: str) -> None:
    with pytest.raises(PasswordRejected) as caught:
        check_password_policy(password, context)
    assert caught.value.reason == reason


# --------------------------------------------------------------------------------------------------
# PW-2: through the API


@pytest.mark.parametrize(
    ("new_password", "code"),
    [
        pytest.param("Qx7!mKp2#vLw9z", 1120, id="too-short"),
        pytest.param(RANDOM_129, 1121, id="too-long"),
        pytest.param("123456789qwerty", 1122, id="too-common"),
        pytest.param("{tenant}-rules-the-world-77", 1123, id="tenant-name"),
        pytest.param("TheVlensPortalKey-9931", 1123, id="vlens"),
    ],
)
async def test_change_password_reports_the_policy_code(
    app: FastAPI, client: httpx.AsyncClient, new_password: str, code: int
) -> None:
    tenant = await create_tenant(app)
    token = (await login_ok(client, tenant))["accessToken"]
    response = await client.post(
        CHANGE_PASSWORD,
        json={
            "currentPassword": tenant.admin_password,
            "newPassword": new_password.format(tenant=tenant.name),
        },
        headers=tenant.headers(token),
    )
    body = response.json()
    assert body["error_code"] == code, body
    assert body["data"] is None
    assert response.status_code == 200  # business failure under the default "vlens" policy
    # Nothing changed: the session lives on and the old password still logs in.
    assert (await current_session(client, tenant, token)).status_code == 200
    await login_ok(client, tenant)


async def test_change_password_accepts_a_policy_compliant_password(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    token = (await login_ok(client, tenant))["accessToken"]
    response = await client.post(
        CHANGE_PASSWORD,
        json={"currentPassword": tenant.admin_password, "newPassword": UNICODE_64},
        headers=tenant.headers(token),
    )
    assert response.status_code == 200 and response.json() == {
        "data": True,
        "error_code": None,
        "error_message": None,
        "error_descriptions": None,
    }
    await login_ok(client, tenant, password=UNICODE_64)
    # NFKC: the decomposed spelling of the same password is the same password.
    await login_ok(client, tenant, password=unicodedata.normalize("NFD", UNICODE_64))
