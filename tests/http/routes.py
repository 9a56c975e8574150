"""One case per API route: a valid body and a successful call. The route walks (envelope, headers)
iterate over hawiya.api.api_routes() and fail on any route that has no case here, so a new
endpoint cannot go untested by accident."""

from __future__ import annotations

import functools
import json
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from hawiya.api import api_routes
from hawiya.auth.dependencies import admin_context, tenant_context, user_context
from tests.fixtures.factories import PASSWORD, TenantFixture, create_tenant, login
from tests.http.support import random_id

AuthKind = Literal["public", "apikey", "admin", "user"]
USER_PASSWORD = "nile-sunset-lantern"


@dataclass
class Caller:
    """A fresh tenant, its administrator's tokens and the client to call with; an end user of
    the tenant is registered on first use (ensure_user)."""

    app: FastAPI
    http: httpx.AsyncClient
    tenant: TenantFixture
    token: str
    refresh: str
    user_token: str = ""
    user_refresh: str = ""
    user_id: int = 0
    user_phone: str = ""

    def admin(self, **extra: str) -> dict[str, str]:
        return self.tenant.headers(self.token, **extra)

    def key(self, **extra: str) -> dict[str, str]:
        return self.tenant.headers(**extra)

    def user(self, **extra: str) -> dict[str, str]:
        assert self.user_token, "call ensure_user first"
        return self.tenant.headers(self.user_token, **extra)


async def new_caller(app: FastAPI, http: httpx.AsyncClient) -> Caller:
    tenant = await create_tenant(app)
    payload = await login(http, tenant)
    assert payload["error_code"] is None, payload
    return Caller(
        app, http, tenant, payload["data"]["accessToken"], payload["data"]["refreshToken"]
    )


async def register_user(
    app: FastAPI,
    http: httpx.AsyncClient,
    tenant: TenantFixture,
    phone: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A user registered through the real flow (phone code from the outbox, a password); the
    Register answer's data."""
    phone = phone or random_phone()
    sent = await http.post(
        "/api/DigitalIdentity/Register/StepVerifyPhone",
        json={"phoneNumber": phone},
        headers=tenant.headers(),
    )
    body = {
        "phoneNumber": phone,
        "password": USER_PASSWORD,
        "phoneNumberOtpRequestId": sent.json()["data"]["phoneNumberOtpRequestId"],
        "phoneNumberOtp": outbox_code(app, phone),
        **extra,
    }
    done = await http.post("/api/DigitalIdentity/Register", json=body, headers=tenant.headers())
    data: dict[str, Any] = done.json()["data"]
    assert data is not None, done.text
    return data


async def ensure_user(c: Caller) -> Caller:
    if not c.user_token:
        data = await register_user(c.app, c.http, c.tenant)
        c.user_token, c.user_refresh = data["accessToken"], data["refreshToken"]
        c.user_id, c.user_phone = data["user"]["id"], data["user"]["phoneNumber"]
    return c


async def headers_for(c: Caller, kind: AuthKind, **extra: str) -> dict[str, str]:
    """Full credentials for a route of this kind."""
    if kind == "admin":
        return c.admin(**extra)
    if kind == "user":
        return (await ensure_user(c)).user(**extra)
    return c.key(**extra)


async def mark_verified(app: FastAPI, c: Caller) -> None:
    """Give the caller's user a verified digital identity, as KYC will (the flow comes with the
    digital-identity capability)."""
    from hawiya.db.session import session_scope
    from hawiya.users.repository import EndUserRepository

    await ensure_user(c)
    async with session_scope(app.state.db.writer) as session:
        user = await EndUserRepository(session, uuid.UUID(c.tenant.id)).get(c.user_id)
        assert user is not None
        user.is_digital_identity_verified = True
        user.status = "Verified"


def login_body(tenant: TenantFixture, **extra: Any) -> dict[str, Any]:
    return {
        "tenancyName": tenant.name,
        "userNameOrEmailAddress": tenant.admin_email,
        "password": tenant.admin_password,
        **extra,
    }


async def create_key(c: Caller, name: str = "walk") -> dict[str, Any]:
    response = await c.http.post("/api/hawiya/ApiKeys", json={"name": name}, headers=c.admin())
    data: dict[str, Any] = response.json()["data"]
    assert data is not None, response.text
    return data


def concrete(path: str, value: str | None = None) -> str:
    """The path with every {param} replaced (by a random UUID unless a value is given)."""
    return re.sub(r"\{[^}]+\}", lambda _: value or random_id(), path)


def auth_kind(route: APIRoute) -> AuthKind:
    """What a route asks for, read from its dependency tree (not from a list kept by hand)."""
    calls: set[Any] = set()

    def walk(dependant: Dependant) -> None:
        for dependency in dependant.dependencies:
            calls.add(dependency.call)
            walk(dependency)

    walk(route.dependant)
    if admin_context in calls:
        return "admin"
    if user_context in calls:
        return "user"
    if tenant_context in calls:
        return "apikey"
    return "public"


def takes_body(route: APIRoute) -> bool:
    return route.body_field is not None


Body = Callable[[Caller], dict[str, Any]]
Call = Callable[[Caller], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class RouteCase:
    success: Call
    body: Body | None = None  # a valid body (POST routes that take one)


def _new_password() -> str:
    return f"Violet-Harbour-Lantern-{secrets.token_hex(4)}"


async def _login(c: Caller) -> httpx.Response:
    return await c.http.post(
        "/api/credentials/Login",
        json=login_body(c.tenant),
        headers=c.key(TenancyName=c.tenant.name),
    )


async def _refresh(c: Caller) -> httpx.Response:
    return await c.http.post(
        "/api/credentials/RefreshToken", json={"refreshToken": c.refresh}, headers=c.key()
    )


async def _session(c: Caller) -> httpx.Response:
    return await c.http.get("/api/hawiya/Session/Current", headers=c.admin())


async def _change_password(c: Caller) -> httpx.Response:
    body = {"currentPassword": c.tenant.admin_password, "newPassword": _new_password()}
    return await c.http.post("/api/hawiya/Account/ChangePassword", json=body, headers=c.admin())


async def _list_keys(c: Caller) -> httpx.Response:
    return await c.http.get("/api/hawiya/ApiKeys", headers=c.admin())


async def _create_key(c: Caller) -> httpx.Response:
    return await c.http.post("/api/hawiya/ApiKeys", json={"name": "walk"}, headers=c.admin())


async def _revoke_key(c: Caller) -> httpx.Response:
    key = await create_key(c)
    return await c.http.post(f"/api/hawiya/ApiKeys/{key['id']}/Revoke", headers=c.admin())


async def _rotate_key(c: Caller) -> httpx.Response:
    key = await create_key(c)
    return await c.http.post(
        f"/api/hawiya/ApiKeys/{key['id']}/Rotate", json={"graceSeconds": 0}, headers=c.admin()
    )


async def _audit(c: Caller) -> httpx.Response:
    return await c.http.get("/api/hawiya/AuditEvents", headers=c.admin())


def random_phone() -> str:
    return f"+2010{secrets.randbelow(10**8):08d}"


def outbox_code(app: FastAPI, to: str) -> str:
    """The last code the development SMS or email outbox received for this recipient."""
    outbox = Path(app.state.settings.data_dir) / "outbox"
    for name in ("sms.jsonl", "email.jsonl"):
        path = outbox / name
        if not path.exists():
            continue
        for line in reversed(path.read_text().splitlines()):
            entry = json.loads(line)
            if entry.get("to") == to:
                found = re.search(r"\b(\d{6})\b", entry.get("text", ""))
                if found:
                    return found.group(1)
    raise AssertionError(f"no code was delivered to {to}")


async def _check_existence(c: Caller) -> httpx.Response:
    return await c.http.post(
        "/api/DigitalIdentity/CheckExistenceOfEmailOrPhone",
        json={"phoneNumber": random_phone()},
        headers=c.key(),
    )


async def _step_verify_phone(c: Caller) -> httpx.Response:
    return await c.http.post(
        "/api/DigitalIdentity/Register/StepVerifyPhone",
        json={"phoneNumber": random_phone()},
        headers=c.key(),
    )


async def _step_verify_email(c: Caller) -> httpx.Response:
    return await c.http.post(
        "/api/DigitalIdentity/Register/StepVerifyEmail",
        json={"email": f"u{secrets.token_hex(4)}@example.com"},
        headers=c.key(),
    )


def _register(path: str) -> Call:
    async def call(c: Caller) -> httpx.Response:
        phone = random_phone()
        sent = await c.http.post(
            "/api/DigitalIdentity/Register/StepVerifyPhone",
            json={"phoneNumber": phone},
            headers=c.key(),
        )
        request_id = sent.json()["data"]["phoneNumberOtpRequestId"]
        body = {
            "phoneNumber": phone,
            "phoneNumberOtpRequestId": request_id,
            "phoneNumberOtp": outbox_code(c.app, phone),
        }
        return await c.http.post(path, json=body, headers=c.key())

    return call


async def _refresh_user_alias(c: Caller) -> httpx.Response:
    return await c.http.post(
        "/api/DigitalIdentity/RefreshToken", json={"refreshToken": c.refresh}, headers=c.key()
    )


def _register_body(c: Caller) -> dict[str, Any]:
    return {"phoneNumber": random_phone(), "phoneNumberOtpRequestId": str(random_id())}


_JWKS: dict[str, Any] = {}


def _oauth_signer() -> tuple[str, Any]:
    """One local JWKS server and key for the whole run (started on first use)."""
    if not _JWKS:
        from tests.oidc.conftest import JwksServer, _key

        key = _key("walk-key")
        server = JwksServer()
        server.publish(key)
        _JWKS.update(server=server, key=key)
    return _JWKS["server"].url, _JWKS["key"]


def _oauth(path: str) -> Call:
    async def call(c: Caller) -> httpx.Response:
        from hawiya.db.session import session_scope
        from hawiya.kit.clock import utcnow
        from hawiya.tenants import service as tenant_service
        from tests.oidc.conftest import CLIENT_ID, google_claims

        url, key = _oauth_signer()
        async with session_scope(c.app.state.db.writer) as session:
            row = await tenant_service.get_tenant(session, c.tenant.name)
            google = {"Google": {"clientId": CLIENT_ID, "jwksUrl": url}}
            await tenant_service.update_settings(session, row, {"oauthProviders": google})
        token = key.sign(google_claims(int(utcnow().timestamp())))
        return await c.http.post(
            path, json={"provider": "Google", "IdToken": token}, headers=c.key()
        )

    return call


async def _user_login(c: Caller) -> httpx.Response:
    # A registered user logging in from a new device: the first answer asks for the SMS code.
    data = await register_user(c.app, c.http, c.tenant)
    return await c.http.post(
        "/api/DigitalIdentity/Login",
        json={
            "phoneNumber": data["user"]["phoneNumber"],
            "password": USER_PASSWORD,
            "imei": "356938035643809",
        },
        headers=c.key(),
    )


_DI = "/api/DigitalIdentity"


def random_email() -> str:
    return f"u{secrets.token_hex(4)}@example.com"


async def post_ok(c: Caller, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await c.http.post(path, json=body, headers=headers)
    payload = response.json()
    assert payload["error_code"] is None, (path, payload)
    return payload["data"]


async def confirm_email(c: Caller) -> str:
    """The caller's user with a confirmed email (VerifyEmail: send, then the code)."""
    await ensure_user(c)
    email = random_email()
    sent = await post_ok(c, f"{_DI}/VerifyEmail", {"email": email}, c.user())
    body = {
        "email": email,
        "emailOtpRequestId": sent["emailOtpRequestId"],
        "emailOtp": outbox_code(c.app, email),
    }
    await post_ok(c, f"{_DI}/VerifyEmail", body, c.user())
    return email


async def _reset_by_sms(c: Caller, path: str, name_field: str) -> httpx.Response:
    """Send a password-reset code to the caller's user by SMS, then validate it at path."""
    await ensure_user(c)
    sent = await post_ok(
        c, f"{_DI}/ForgetPasswordByPhone/SendPhoneOtp", {"phoneNumber": c.user_phone}, c.key()
    )
    body = {
        name_field: c.user_phone,
        "phoneNumberOtpRequestId": sent["phoneNumberOtpRequestId"],
        "phoneNumberOtp": outbox_code(c.app, c.user_phone),
    }
    return await c.http.post(f"{_DI}/{path}", json=body, headers=c.key())


async def reset_code(c: Caller) -> dict[str, Any]:
    """A reset code for the caller's user, by the phone route."""
    response = await _reset_by_sms(c, "ForgetPasswordByPhone/ValidatePhoneOtp", "phoneNumber")
    data: dict[str, Any] = response.json()["data"]
    assert data is not None, response.text
    return data


async def _forget_send_email(c: Caller) -> httpx.Response:
    return await c.http.post(
        f"{_DI}/ForgetPassword/SendEmailOtp",
        json={"emailOrPhoneNumber": await confirm_email(c)},
        headers=c.key(),
    )


async def _forget_validate_email(c: Caller) -> httpx.Response:
    email = await confirm_email(c)
    sent = await post_ok(
        c, f"{_DI}/ForgetPassword/SendEmailOtp", {"emailOrPhoneNumber": email}, c.key()
    )
    body = {
        "emailOrPhoneNumber": email,
        "emailOtpRequestId": sent["emailOtpRequestId"],
        "emailOtp": outbox_code(c.app, email),
    }
    return await c.http.post(f"{_DI}/ForgetPassword/ValidateEmailOtp", json=body, headers=c.key())


async def _forget_validate_phone(c: Caller) -> httpx.Response:
    return await _reset_by_sms(c, "ForgetPassword/ValidatePhoneOtp", "emailOrPhoneNumber")


async def _forget_reset(c: Caller) -> httpx.Response:
    code = await reset_code(c)
    body = {"userId": code["userId"], "resetCode": code["resetCode"], "password": _new_password()}
    return await c.http.post(f"{_DI}/ForgetPassword/Reset", json=body, headers=c.key())


async def _by_phone_send(c: Caller) -> httpx.Response:
    await ensure_user(c)
    return await c.http.post(
        f"{_DI}/ForgetPasswordByPhone/SendPhoneOtp",
        json={"phoneNumber": c.user_phone},
        headers=c.key(),
    )


async def _by_phone_validate(c: Caller) -> httpx.Response:
    return await _reset_by_sms(c, "ForgetPasswordByPhone/ValidatePhoneOtp", "phoneNumber")


async def _send_reset_link(c: Caller) -> httpx.Response:
    email = await confirm_email(c)
    return await c.http.post(f"{_DI}/SendPasswordResetCode", json={"email": email}, headers=c.key())


async def _verify_email(c: Caller) -> httpx.Response:
    await ensure_user(c)
    return await c.http.post(f"{_DI}/VerifyEmail", json={"email": random_email()}, headers=c.user())


async def _update_email(c: Caller) -> httpx.Response:
    await ensure_user(c)
    return await c.http.post(
        f"{_DI}/UpdateEmailRequest", json={"email": random_email()}, headers=c.user()
    )


async def _validate_update_email(c: Caller) -> httpx.Response:
    await ensure_user(c)
    email = random_email()
    sent = await post_ok(c, f"{_DI}/UpdateEmailRequest", {"email": email}, c.user())
    body = {"emailOtpRequestId": sent["emailOtpRequestId"], "emailOtp": outbox_code(c.app, email)}
    return await c.http.post(f"{_DI}/ValidateUpdateEmailRequestOtp", json=body, headers=c.user())


async def _update_phone(c: Caller) -> httpx.Response:
    await ensure_user(c)
    return await c.http.post(
        f"{_DI}/UpdatePhoneNumberRequest", json={"phoneNumber": random_phone()}, headers=c.user()
    )


async def _validate_update_phone(c: Caller) -> httpx.Response:
    await ensure_user(c)
    phone = random_phone()
    sent = await post_ok(c, f"{_DI}/UpdatePhoneNumberRequest", {"phoneNumber": phone}, c.user())
    body = {
        "phoneNumberOtpRequestId": sent["phoneNumberOtpRequestId"],
        "phoneNumberOtp": outbox_code(c.app, phone),
    }
    return await c.http.post(
        f"{_DI}/ValidateUpdatePhoneNumberRequestOtp", json=body, headers=c.user()
    )


async def _cancel_identity(c: Caller) -> httpx.Response:
    await mark_verified(c.app, c)
    return await c.http.post(f"{_DI}/CancelVerifiedDigitalIdentity", headers=c.user())


async def _cancel_identity_admin(c: Caller) -> httpx.Response:
    await mark_verified(c.app, c)
    return await c.http.post(
        f"{_DI}/CancelVerifiedDigitalIdentityForAdmin",
        json={"userId": c.user_id},
        headers=c.admin(),
    )


async def stored_verification(c: Caller) -> str:
    """A verification of the caller's user with a stored ID front image; its transaction id.
    (The capture endpoints come with the OCR engine; this stores through the same vault.)"""
    import io

    from PIL import Image

    from hawiya.db.session import session_scope
    from hawiya.identity import transactions as tx

    await ensure_user(c)
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 80, 40)).save(out, format="JPEG")
    tid = uuid.uuid4()
    async with session_scope(c.app.state.db.writer) as session:
        row = await tx.open_transaction(session, uuid.UUID(c.tenant.id), tid, user_id=c.user_id)
        await c.app.state.images.save(session, row, "idFrontImage", out.getvalue())
    return str(tid)


FRONT_FIELDS: dict[str, str | None] = {
    "name": "محمد أحمد علي حسن",
    "first_name": "محمد",
    "last_names": "أحمد علي حسن",
    "address": "١٢ شارع النيل الدقي - الجيزة",
    "idNumber": "29901232112331",
    "dateOfBirth": "1999-01-23",
    "gender": "Male",
}


async def ocr_transaction(c: Caller, fields: dict[str, str | None] | None = None) -> str:
    """A transaction captured through /v1/ocr (no user yet) with a read front side."""
    from hawiya.db.session import session_scope
    from hawiya.identity import records
    from hawiya.identity import transactions as tx

    tid = uuid.uuid4()
    async with session_scope(c.app.state.db.writer) as session:
        row = await tx.open_transaction(session, uuid.UUID(c.tenant.id), tid, user_id=None)
        await records.record_side(
            session, c.app.state.data_keys, row, "front", fields or FRONT_FIELDS, []
        )
    return str(tid)


async def _link(c: Caller) -> httpx.Response:
    tid = await ocr_transaction(c)
    await ensure_user(c)
    return await c.http.post(
        f"{_DI}/LinkUserWithExistingTransaction",
        json={"transactionId": tid, "getExtractedData": True},
        headers=c.user(),
    )


@functools.cache
def face_pictures() -> dict[str, str]:
    """base64 JPEGs of public-domain faces shipped in packages: the astronaut straight and
    blinking (one person), and Grace Hopper (another)."""
    import base64

    from hawiya.identity.faces import synthetic

    astronaut = synthetic.prepare(synthetic.astronaut())
    frames = synthetic.challenge_frames(astronaut, ("straight", "blink"))
    hopper = synthetic.prepare(synthetic.grace_hopper())
    pictures = {"astronaut": frames[0], "astronaut_blink": frames[1], "hopper": hopper.image}
    return {k: base64.b64encode(synthetic.jpeg(v)).decode() for k, v in pictures.items()}


async def _face_compare(c: Caller) -> httpx.Response:
    faces = face_pictures()
    return await c.http.post(
        "/v1/ocr/face/compare",
        json={"face_1": faces["astronaut"], "face_2": faces["astronaut_blink"]},
        headers=c.key(Authorization="Bearer "),
    )


@functools.cache
def card_pictures() -> dict[str, str]:
    """base64 photos of both sides of one synthetic card with a real face in its photo box."""
    import base64
    from datetime import date

    from hawiya.identity.faces import synthetic
    from hawiya.identity.synthetic.dataset import make_sample
    from hawiya.identity.synthetic.scene import EASY

    face = synthetic.prepare(synthetic.astronaut()).image
    sample = make_sample(7, today=date.today(), difficulty=EASY, photo=face)
    return {
        "front": base64.b64encode(sample.front_photo.jpeg).decode(),
        "back": base64.b64encode(sample.back_photo.jpeg).decode(),
    }


def _capture(path: str, side: str, kind: AuthKind) -> Call:
    async def call(c: Caller) -> httpx.Response:
        headers = await headers_for(c, kind)
        body = {"image": card_pictures()[side], "getExtractedData": True}
        return await c.http.post(path, json=body, headers=headers)

    return call


@functools.cache
def holder_frames() -> list[str]:
    """Three liveness frames of the face printed on card_pictures()' card."""
    import base64

    from hawiya.identity.faces import synthetic

    portrait = synthetic.prepare(synthetic.astronaut())
    pictures = synthetic.challenge_frames(portrait, ("blink", "turn_right", "smile"))
    return [base64.b64encode(synthetic.jpeg(p)).decode() for p in pictures]


def _liveness(base: str, kind: AuthKind) -> Call:
    async def call(c: Caller) -> httpx.Response:
        headers = await headers_for(c, kind)
        tid = str(uuid.uuid4())
        for side in ("front", "back"):
            body = {"transaction_id": tid, "image": card_pictures()[side]}
            await c.http.post(f"{base}/id/{side}", json=body, headers=headers)
        faces = holder_frames()
        body = {"transaction_id": tid, "face_1": faces[0], "face_2": faces[1], "face_3": faces[2]}
        return await c.http.post(f"{base}/liveness/multi", json=body, headers=headers)

    return call


async def verify_user(c: Caller) -> dict[str, Any]:
    """The caller's user verified through the real flow (card front and back, then liveness of
    the card holder); the liveness answer's data."""
    response = await _liveness(f"{_DI}/verify", "user")(c)
    data: dict[str, Any] = response.json()["data"]
    assert data and data["isVerificationProcessCompleted"], response.text
    return data


async def revalidate(c: Caller, frames: list[str]) -> dict[str, Any]:
    """A liveness re-validation of the caller's user: three frames on a new transaction without
    a card; the whole answer."""
    body = {
        "transaction_id": str(uuid.uuid4()),
        **dict(zip(("face_1", "face_2", "face_3"), frames, strict=True)),
    }
    response = await c.http.post(f"{_DI}/verify/liveness/multi", json=body, headers=c.user())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _user_images(c: Caller) -> httpx.Response:
    await stored_verification(c)
    return await c.http.get(
        f"{_DI}/GetUserDigitalIdentityImages",
        params={"emailOrPhoneNumber": c.user_phone},
        headers=c.admin(),
    )


async def _step_image(c: Caller) -> httpx.Response:
    tid = await stored_verification(c)
    return await c.http.get(
        f"{_DI}/GetStepImage",
        params={"TransactionId": tid, "FileName": "idFrontImage.jpg"},
        headers=c.admin(),
    )


async def front_transaction(c: Caller) -> str:
    """A transaction whose ID front was read through /v1/ocr/id/front (the card holder's photo
    is stored); its id."""
    tid = str(uuid.uuid4())
    body = {"transaction_id": tid, "image": card_pictures()["front"]}
    response = await c.http.post("/v1/ocr/id/front", json=body, headers=c.key())
    assert response.json()["services"]["Validations"]["validation_errors"] == [], response.text
    return tid


async def _face_match(c: Caller) -> httpx.Response:
    tid = await front_transaction(c)
    body = {"transaction_id": tid, "image": holder_frames()[0]}
    return await c.http.post("/v1/ocr/face/match", json=body, headers=c.key())


async def _classification(c: Caller) -> httpx.Response:
    body = {"image": card_pictures()["back"]}
    return await c.http.post("/v1/ocr/classification", json=body, headers=c.key())


async def _aml_validate(c: Caller) -> httpx.Response:
    body = {"name": "Mohamed Ahmed Ali", "idNumber": "29901232112331"}
    return await c.http.post("/v1/ocr/aml/validate", json=body, headers=c.key())


async def _transaction_by_id(c: Caller) -> httpx.Response:
    tid = await ocr_transaction(c)
    return await c.http.get(
        "/api/Transactions/GetTransactionById", params={"id": tid}, headers=c.admin()
    )


async def pending_review(c: Caller) -> str:
    """A transaction waiting for review: a front read with a failed check (3010, expired)."""
    from hawiya.db.session import session_scope
    from hawiya.identity import records, review
    from hawiya.identity import transactions as tx

    tid = uuid.uuid4()
    async with session_scope(c.app.state.db.writer) as session:
        row = await tx.open_transaction(session, uuid.UUID(c.tenant.id), tid, user_id=None)
        await records.record_side(
            session,
            c.app.state.data_keys,
            row,
            "front",
            FRONT_FIELDS,
            [records.StepError(3010, "idExpiry")],
        )
        review.flag(row)
    return str(tid)


async def _reviews(c: Caller) -> httpx.Response:
    await pending_review(c)
    return await c.http.get("/api/hawiya/IdentityReviews", headers=c.admin())


async def _review(c: Caller) -> httpx.Response:
    tid = await pending_review(c)
    return await c.http.get(f"/api/hawiya/IdentityReviews/{tid}", headers=c.admin())


def _decision(verb: str) -> Call:
    async def call(c: Caller) -> httpx.Response:
        tid = await pending_review(c)
        return await c.http.post(
            f"/api/hawiya/IdentityReviews/{tid}/{verb}",
            json={"reason": "documents checked by phone"},
            headers=c.admin(),
        )

    return call


def _code_body(kind: str, **extra: Any) -> Body:
    """A well-formed validate body whose challenge does not exist."""
    names = {
        "email": ("emailOtpRequestId", "emailOtp"),
        "sms": ("phoneNumberOtpRequestId", "phoneNumberOtp"),
    }[kind]
    return lambda c: {names[0]: random_id(), names[1]: "123456", **extra}


def _get(path: str) -> Call:
    async def call(c: Caller) -> httpx.Response:
        return await c.http.get(path)

    return call


WEBHOOK_URL = "https://93.184.215.14/hawiya-walk"  # a public address: no DNS, nothing sent
_WH = "/api/hawiya/Webhooks"


def webhook_body(c: Caller) -> dict[str, Any]:
    return {"url": WEBHOOK_URL, "events": ["App.BusinessRequestStatusChange"]}


async def create_webhook(c: Caller) -> dict[str, Any]:
    response = await c.http.post(_WH, json=webhook_body(c), headers=c.admin())
    data: dict[str, Any] = response.json()["data"]
    assert data is not None, response.text
    return data


async def webhook_delivery(c: Caller) -> tuple[str, str]:
    """A subscription of the caller's tenant and one delivery to it (not sent: no worker)."""
    from hawiya.db.session import session_scope
    from hawiya.webhooks import service as webhook_service

    webhook = await create_webhook(c)
    async with session_scope(c.app.state.db.writer) as session:
        await webhook_service.emit(
            session,
            uuid.UUID(c.tenant.id),
            "App.BusinessRequestStatusChange",
            {"Id": random_id(), "NewStatus": "PendingApproval"},
        )
    listed = await c.http.get(f"{_WH}/{webhook['id']}/Deliveries", headers=c.admin())
    return webhook["id"], listed.json()["data"][0]["id"]


def _on_webhook(verb: str, body: Body | None = None) -> Call:
    async def call(c: Caller) -> httpx.Response:
        webhook = await create_webhook(c)
        return await c.http.post(
            f"{_WH}/{webhook['id']}/{verb}", json=body(c) if body else None, headers=c.admin()
        )

    return call


async def _list_webhooks(c: Caller) -> httpx.Response:
    await create_webhook(c)
    return await c.http.get(_WH, headers=c.admin())


async def _create_webhook(c: Caller) -> httpx.Response:
    return await c.http.post(_WH, json=webhook_body(c), headers=c.admin())


async def _get_webhook(c: Caller) -> httpx.Response:
    return await c.http.get(f"{_WH}/{(await create_webhook(c))['id']}", headers=c.admin())


async def _webhook_deliveries(c: Caller) -> httpx.Response:
    webhook_id, _ = await webhook_delivery(c)
    return await c.http.get(f"{_WH}/{webhook_id}/Deliveries", headers=c.admin())


async def _redeliver(c: Caller) -> httpx.Response:
    _, delivery_id = await webhook_delivery(c)
    return await c.http.post(f"{_WH}/Deliveries/{delivery_id}/Redeliver", headers=c.admin())


def _rotate_body(c: Caller) -> dict[str, Any]:
    return {"graceSeconds": 3600}


CASES: dict[tuple[str, str], RouteCase] = {
    ("POST", "/api/credentials/Login"): RouteCase(_login, lambda c: login_body(c.tenant)),
    ("POST", "/api/credentials/RefreshToken"): RouteCase(
        _refresh, lambda c: {"refreshToken": c.refresh}
    ),
    ("GET", "/api/hawiya/Session/Current"): RouteCase(_session),
    ("POST", "/api/hawiya/Account/ChangePassword"): RouteCase(
        _change_password,
        lambda c: {"currentPassword": PASSWORD, "newPassword": _new_password()},
    ),
    ("GET", "/api/hawiya/ApiKeys"): RouteCase(_list_keys),
    ("POST", "/api/hawiya/ApiKeys"): RouteCase(_create_key, lambda c: {"name": "walk"}),
    ("POST", "/api/hawiya/ApiKeys/{keyId}/Revoke"): RouteCase(_revoke_key),
    ("POST", "/api/hawiya/ApiKeys/{keyId}/Rotate"): RouteCase(
        _rotate_key, lambda c: {"graceSeconds": 0}
    ),
    ("GET", "/api/hawiya/AuditEvents"): RouteCase(_audit),
    ("POST", "/api/DigitalIdentity/CheckExistenceOfEmailOrPhone"): RouteCase(
        _check_existence, lambda c: {"phoneNumber": random_phone()}
    ),
    ("POST", "/api/DigitalIdentity/Register/StepVerifyPhone"): RouteCase(
        _step_verify_phone, lambda c: {"phoneNumber": random_phone()}
    ),
    ("POST", "/api/DigitalIdentity/Register/StepVerifyEmail"): RouteCase(
        _step_verify_email, lambda c: {"email": f"u{secrets.token_hex(4)}@example.com"}
    ),
    ("POST", "/api/DigitalIdentity/Register"): RouteCase(
        _register("/api/DigitalIdentity/Register"), _register_body
    ),
    ("POST", "/api/DigitalIdentity/Register/StepCreate"): RouteCase(
        _register("/api/DigitalIdentity/Register/StepCreate"), _register_body
    ),
    ("POST", "/api/DigitalIdentity/RefreshToken"): RouteCase(
        _refresh_user_alias, lambda c: {"refreshToken": c.refresh}
    ),
    ("POST", "/api/DigitalIdentity/Register/StepVerifyOAuthToken"): RouteCase(
        _oauth("/api/DigitalIdentity/Register/StepVerifyOAuthToken"),
        lambda c: {"provider": "Google", "IdToken": "a.b.c"},
    ),
    ("POST", "/api/DigitalIdentity/VerifyOAuthToken"): RouteCase(
        _oauth("/api/DigitalIdentity/VerifyOAuthToken"),
        lambda c: {"provider": "Google", "IdToken": "a.b.c"},
    ),
    ("POST", "/api/DigitalIdentity/Login"): RouteCase(
        _user_login,
        lambda c: {"phoneNumber": random_phone(), "password": "x", "imei": "356938035643809"},
    ),
    ("POST", f"{_DI}/ForgetPassword/SendEmailOtp"): RouteCase(
        _forget_send_email, lambda c: {"emailOrPhoneNumber": random_email()}
    ),
    ("POST", f"{_DI}/ForgetPassword/ValidateEmailOtp"): RouteCase(
        _forget_validate_email, _code_body("email", emailOrPhoneNumber="a@example.com")
    ),
    ("POST", f"{_DI}/ForgetPassword/ValidatePhoneOtp"): RouteCase(
        _forget_validate_phone, _code_body("sms", emailOrPhoneNumber="+201000000000")
    ),
    ("POST", f"{_DI}/ForgetPassword/Reset"): RouteCase(
        _forget_reset,
        lambda c: {"userId": 1, "resetCode": "x" * 43, "password": _new_password()},
    ),
    ("POST", f"{_DI}/ForgetPasswordByPhone/SendPhoneOtp"): RouteCase(
        _by_phone_send, lambda c: {"phoneNumber": random_phone()}
    ),
    ("POST", f"{_DI}/ForgetPasswordByPhone/ValidatePhoneOtp"): RouteCase(
        _by_phone_validate, _code_body("sms", phoneNumber="+201000000000")
    ),
    ("POST", f"{_DI}/SendPasswordResetCode"): RouteCase(
        _send_reset_link, lambda c: {"email": random_email()}
    ),
    ("POST", f"{_DI}/VerifyEmail"): RouteCase(_verify_email, lambda c: {"email": random_email()}),
    ("POST", f"{_DI}/UpdateEmailRequest"): RouteCase(
        _update_email, lambda c: {"email": random_email()}
    ),
    ("POST", f"{_DI}/ValidateUpdateEmailRequestOtp"): RouteCase(
        _validate_update_email, _code_body("email")
    ),
    ("POST", f"{_DI}/UpdatePhoneNumberRequest"): RouteCase(
        _update_phone, lambda c: {"phoneNumber": random_phone()}
    ),
    ("POST", f"{_DI}/ValidateUpdatePhoneNumberRequestOtp"): RouteCase(
        _validate_update_phone, _code_body("sms")
    ),
    ("POST", f"{_DI}/CancelVerifiedDigitalIdentity"): RouteCase(_cancel_identity),
    ("POST", f"{_DI}/CancelVerifiedDigitalIdentityForAdmin"): RouteCase(
        _cancel_identity_admin, lambda c: {"userId": 1}
    ),
    ("GET", f"{_DI}/GetUserDigitalIdentityImages"): RouteCase(_user_images),
    ("GET", f"{_DI}/GetStepImage"): RouteCase(_step_image),
    ("POST", f"{_DI}/LinkUserWithExistingTransaction"): RouteCase(
        _link, lambda c: {"transactionId": random_id()}
    ),
    ("POST", f"{_DI}/verify/id/front"): RouteCase(
        _capture(f"{_DI}/verify/id/front", "front", "user"), lambda c: {"image": "AAAA"}
    ),
    ("POST", f"{_DI}/verify/id/back"): RouteCase(
        _capture(f"{_DI}/verify/id/back", "back", "user"), lambda c: {"image": "AAAA"}
    ),
    ("POST", "/v1/ocr/id/front"): RouteCase(
        _capture("/v1/ocr/id/front", "front", "apikey"), lambda c: {"image": "AAAA"}
    ),
    ("POST", "/v1/ocr/id/back"): RouteCase(
        _capture("/v1/ocr/id/back", "back", "apikey"), lambda c: {"image": "AAAA"}
    ),
    ("POST", f"{_DI}/verify/liveness/multi"): RouteCase(
        _liveness(f"{_DI}/verify", "user"),
        lambda c: {"face_1": "AAAA", "face_2": "AAAA", "face_3": "AAAA"},
    ),
    ("POST", "/v1/ocr/liveness/multi"): RouteCase(
        _liveness("/v1/ocr", "apikey"),
        lambda c: {"face_1": "AAAA", "face_2": "AAAA", "face_3": "AAAA"},
    ),
    ("POST", "/v1/ocr/face/compare"): RouteCase(
        _face_compare, lambda c: {"face_1": "AAAA", "face_2": "AAAA"}
    ),
    ("POST", "/v1/ocr/face/match"): RouteCase(
        _face_match, lambda c: {"transaction_id": random_id(), "image": "AAAA"}
    ),
    ("POST", "/v1/ocr/classification"): RouteCase(_classification, lambda c: {"image": "AAAA"}),
    ("POST", "/v1/ocr/aml/validate"): RouteCase(
        _aml_validate, lambda c: {"name": "Mohamed Ahmed", "idNumber": "29901232112331"}
    ),
    ("GET", "/api/Transactions/GetTransactionById"): RouteCase(_transaction_by_id),
    ("GET", "/api/hawiya/IdentityReviews"): RouteCase(_reviews),
    ("GET", "/api/hawiya/IdentityReviews/{transactionId}"): RouteCase(_review),
    ("POST", "/api/hawiya/IdentityReviews/{transactionId}/Approve"): RouteCase(
        _decision("Approve"), lambda c: {"reason": "checked"}
    ),
    ("POST", "/api/hawiya/IdentityReviews/{transactionId}/Reject"): RouteCase(
        _decision("Reject"), lambda c: {"reason": "checked"}
    ),
    ("GET", "/api/hawiya/Webhooks"): RouteCase(_list_webhooks),
    ("POST", "/api/hawiya/Webhooks"): RouteCase(_create_webhook, webhook_body),
    ("GET", "/api/hawiya/Webhooks/{webhookId}"): RouteCase(_get_webhook),
    ("POST", "/api/hawiya/Webhooks/{webhookId}/Delete"): RouteCase(_on_webhook("Delete")),
    ("POST", "/api/hawiya/Webhooks/{webhookId}/Enable"): RouteCase(_on_webhook("Enable")),
    ("POST", "/api/hawiya/Webhooks/{webhookId}/Disable"): RouteCase(_on_webhook("Disable")),
    ("POST", "/api/hawiya/Webhooks/{webhookId}/RotateSecret"): RouteCase(
        _on_webhook("RotateSecret", _rotate_body), _rotate_body
    ),
    ("GET", "/api/hawiya/Webhooks/{webhookId}/Deliveries"): RouteCase(_webhook_deliveries),
    ("POST", "/api/hawiya/Webhooks/Deliveries/{deliveryId}/Redeliver"): RouteCase(_redeliver),
    ("GET", "/health"): RouteCase(_get("/health")),
    ("GET", "/ready"): RouteCase(_get("/ready")),
    ("GET", "/metrics"): RouteCase(_get("/metrics")),
}

# Routes that do not answer JSON (the envelope applies to their errors only).
NOT_JSON = {("GET", "/metrics")}


def methods_of(route: APIRoute) -> set[str]:
    return set(route.methods or ()) - {"HEAD"}


def route_keys() -> list[tuple[str, str]]:
    return sorted((method, route.path) for route in api_routes() for method in methods_of(route))


def route_for(method: str, path: str) -> APIRoute:
    for route in api_routes():
        if route.path == path and method in methods_of(route):
            return route
    raise KeyError((method, path))


def case_for(method: str, path: str) -> RouteCase:
    case = CASES.get((method, path))
    assert case is not None, f"{method} {path} has no case in tests/http/routes.py: add one"
    return case


def other_method(route: APIRoute) -> str:
    """A method the route does not accept."""
    return next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in methods_of(route))
