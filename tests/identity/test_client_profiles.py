"""The ID front, ID back and liveness calls as the official SDKs make and read them
(vlens-clients.md §2-§7; spec §1.3, §1.4, §2.4, §2.5, §3.4, §6.1).

Each SDK profile of tests/identity/clients/sdk.py (iOS, iOS+, React Native 0.3.x, Flutter 0.0.5)
drives a whole verification: front and back posted together on one transaction, then three
liveness frames. It runs with the user's access token on /api/DigitalIdentity/verify/* and,
as the SDKs do without one, on /v1/ocr/* with `Authorization: Bearer ` or `Bearer null`. An
assertion here fails only where an app built on that SDK would: a success it does not see as one,
a failure shown as a generic error or, worse, a failure it takes for a success.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import random
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from hawiya.db.session import session_scope
from hawiya.identity import transactions as tx
from hawiya.identity.faces import synthetic
from hawiya.identity.synthetic.card import render_back, render_front
from hawiya.identity.synthetic.dataset import Sample, make_sample
from hawiya.identity.synthetic.people import make_person
from hawiya.identity.synthetic.scene import EASY, photograph
from tests.http.routes import Caller, ensure_user, holder_frames, new_caller, register_user
from tests.http.support import scanned
from tests.identity.clients.sdk import (
    FLUTTER,
    IOS,
    IOS_PLUS,
    RN,
    App,
    Outcome,
    ReactNative,
    Sdk,
)

TODAY = date.today()
CARD, OTHER_CARD = 101, 102  # synthetic cards with the holder's face, readable at every SDK's size

# (SDK, the token the app holds): the user's (DigitalIdentity path, "user") or none (/v1/ocr).
FLOWS = [
    (IOS, "user"),
    (IOS, ""),
    (IOS_PLUS, "user"),
    (IOS_PLUS, ""),
    (RN, "user"),
    (RN, "null"),
    (RN, ""),
    (FLUTTER, "user"),
    (FLUTTER, ""),
]


def _flow_id(flow: tuple[Sdk, str]) -> str:
    sdk, token = flow
    return f"{sdk.name}-" + {"user": "di", "": "ocr-bearer-empty", "null": "ocr-bearer-null"}[token]


@pytest.fixture(params=FLOWS, ids=[_flow_id(f) for f in FLOWS])
def flow(request: pytest.FixtureRequest) -> tuple[Sdk, str]:
    value: tuple[Sdk, str] = request.param
    return value


# --- pictures


@functools.cache
def _face() -> Image.Image:
    return synthetic.prepare(synthetic.astronaut()).image


@functools.cache
def card(seed: int) -> Sample:
    return make_sample(seed, today=TODAY, difficulty=EASY, photo=_face())


@functools.cache
def tampered_front(seed: int) -> bytes:
    """The front of card(seed) with one digit of the printed ID number changed (the check digit
    no longer fits), photographed as card(seed)'s front was; its back is untouched."""
    rng = random.Random(seed)  # make_sample's draws, in the same order
    person = make_person(rng, today=TODAY)
    number = person.id_number
    changed = number[:10] + str((int(number[10]) + 5) % 10) + number[11:]
    front = render_front(dataclasses.replace(person, id_number=changed), rng, _face())
    render_back(person, rng)
    return photograph(front.image, rng, EASY).jpeg


@functools.cache
def no_card() -> bytes:
    """A phone photo of a table: no card in it."""
    rng = random.Random(5)
    picture = Image.new("RGB", (1600, 1200), (118, 92, 70))
    pixels = picture.load()
    assert pixels is not None
    for _ in range(4000):
        x, y = rng.randrange(1600), rng.randrange(1200)
        pixels[x, y] = (rng.randrange(60, 160), rng.randrange(50, 120), rng.randrange(40, 90))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90)
    return out.getvalue()


@functools.cache
def holder() -> list[bytes]:
    return [base64.b64decode(frame) for frame in holder_frames()]


@functools.cache
def stranger() -> list[bytes]:
    portrait = synthetic.prepare(synthetic.grace_hopper())
    frames = synthetic.challenge_frames(portrait, ("blink", "turn_right", "smile"))
    return [synthetic.jpeg(frame) for frame in frames]


# --- helpers


async def install(
    app: FastAPI, http: httpx.AsyncClient, flow: tuple[Sdk, str]
) -> tuple[App, Caller]:
    """The SDK in a fresh tenant's app; signed in (a registered user's token) or not."""
    sdk, token = flow
    caller = await new_caller(app, http)
    if token == "user":
        token = (await ensure_user(caller)).user_token
    return App(sdk, http, caller.tenant, token), caller


def codes(response: httpx.Response) -> list[int]:
    body: dict[str, Any] = response.json()
    return [
        error["code"]
        for entry in body["services"]["Validations"]["validation_errors"]
        for error in entry["errors"]
    ]


def assert_explained(outcome: Outcome, *expected: int) -> None:
    """A failure the app shows for what it is, not as its generic error; where the SDK took a
    Vlens code from the answer (iOS, and RN3, whose onFaild hands it to the host app), one of
    the expected ones."""
    assert not outcome.ok, outcome
    assert outcome.crash is None, outcome
    assert outcome.message, outcome
    if expected and isinstance(outcome.code, int) and outcome.code > 999:
        assert outcome.code in expected, outcome


# --- the whole verification


async def test_a_verification_succeeds(app: FastAPI, flow: tuple[Sdk, str]) -> None:
    sample = card(CARD)
    truth = sample.truth()
    async with scanned(app) as http:
        phone, caller = await install(app, http, flow)
        tid = phone.sdk.transaction_id()
        run = await phone.read_card(tid, sample.front_photo.jpeg, sample.back_photo.jpeg)
        # iOS caches the front's answer, RN3 checks it: either way it must be readable.
        assert run.front.crash is None, run.front
        assert run.front.ok, run.front
        assert run.result.ok, run.result
        user_data = run.result.data
        assert user_data is not None
        # The back's answer carries both sides, though the front was still being read (§3.4).
        front, back = user_data["idFrontData"], user_data["idBackData"]
        assert isinstance(front, dict) and isinstance(back, dict), user_data
        assert front["idNumber"] == truth["front"]["idNumber"], front
        assert back["idNumber"] == truth["back"]["idNumber"], back
        assert isinstance(front["name"], str) and front["name"].strip(), front
        assert isinstance(user_data["isVerificationProcessCompleted"], bool), user_data
        if not phone.ocr_path:
            user = user_data["user"]
            assert isinstance(user, dict) and type(user["id"]) is int, user_data
            assert user["id"] == caller.user_id
        live = await phone.liveness(tid, holder())
        assert live.ok, live


async def test_a_photo_without_a_card_is_explained(app: FastAPI, flow: tuple[Sdk, str]) -> None:
    async with scanned(app) as http:
        phone, _ = await install(app, http, flow)
        tid = phone.sdk.transaction_id()
        run = await phone.read_card(tid, no_card(), no_card())
        for response in (run.front_response, run.back_response):
            assert response.status_code == 200, response.text  # RN3 and Flutter need 2xx/200
        assert_explained(run.result, 3011)
        # An app that goes on to the faces anyway is refused there, in words it can show.
        assert_explained(await phone.liveness(tid, holder()), 1303)


async def test_a_tampered_front_is_caught(app: FastAPI, flow: tuple[Sdk, str]) -> None:
    """iOS and Flutter ignore the front's answer: only the back's can stop them (§3.4, §7.5)."""
    sample = card(CARD)
    async with scanned(app) as http:
        phone, _ = await install(app, http, flow)
        tid = phone.sdk.transaction_id()
        run = await phone.read_card(tid, tampered_front(CARD), sample.back_photo.jpeg)
        assert_explained(run.result, 3001, 3101)
        if isinstance(phone.sdk, ReactNative):
            assert run.result.code == 3001, run.result  # the front's error comes first
        assert_explained(await phone.liveness(tid, holder()), 1303)


async def test_the_sides_of_two_cards_are_caught(app: FastAPI, flow: tuple[Sdk, str]) -> None:
    """One person's front with another's back: 3101 in the back's answer, whichever side was
    read first (iOS and Flutter read only that one)."""
    async with scanned(app) as http:
        phone, _ = await install(app, http, flow)
        tid = phone.sdk.transaction_id()
        run = await phone.read_card(
            tid, card(CARD).front_photo.jpeg, card(OTHER_CARD).back_photo.jpeg
        )
        assert_explained(run.result, 3101)
        assert 3101 in codes(run.back_response), run.back_response.text
        assert_explained(await phone.liveness(tid, holder()), 1303)


async def test_a_strangers_face_is_refused(app: FastAPI, flow: tuple[Sdk, str]) -> None:
    sample = card(CARD)
    async with scanned(app) as http:
        phone, _ = await install(app, http, flow)
        tid = phone.sdk.transaction_id()
        run = await phone.read_card(tid, sample.front_photo.jpeg, sample.back_photo.jpeg)
        assert run.result.ok, run.result
        assert_explained(await phone.liveness(tid, stranger()), 1302)


async def test_someone_elses_transaction_is_refused(app: FastAPI, flow: tuple[Sdk, str]) -> None:
    """A transaction another user of the tenant has used is refused (5004) as an error each SDK
    shows, at every step, whether the app is signed in or not."""
    sample = card(CARD)
    async with scanned(app) as http:
        phone, caller = await install(app, http, flow)
        owner = (await register_user(app, http, caller.tenant))["user"]["id"]
        foreign = uuid.uuid4()
        async with session_scope(app.state.db.writer) as session:
            await tx.open_transaction(session, uuid.UUID(caller.tenant.id), foreign, user_id=owner)
        tid = phone.sdk.spell(foreign)
        run = await phone.read_card(tid, sample.front_photo.jpeg, sample.back_photo.jpeg)
        assert codes(run.front_response) == [5004] and codes(run.back_response) == [5004]
        assert_explained(run.result, 5004)
        assert_explained(await phone.liveness(tid, holder()), 5004)


async def test_another_tenants_transaction_is_not_found(
    app: FastAPI, flow: tuple[Sdk, str]
) -> None:
    """Transaction ids are the tenant's own: another tenant's verified transaction is unknown
    here, so its faces cannot complete this app's verification."""
    sample = card(CARD)
    async with scanned(app) as http:
        phone, _ = await install(app, http, flow)
        other = App(phone.sdk, http, (await new_caller(app, http)).tenant, "")
        tid = phone.sdk.transaction_id()
        assert (
            await other.read_card(tid, sample.front_photo.jpeg, sample.back_photo.jpeg)
        ).result.ok
        assert_explained(await phone.liveness(tid, holder()), 5004)


@pytest.mark.parametrize("sdk", [IOS, IOS_PLUS, FLUTTER], ids=lambda s: s.name)
async def test_an_expired_session_is_explained(app: FastAPI, sdk: Sdk) -> None:
    """No SDK refreshes its token (§4.4): a stale one gets a JSON error that iOS decodes and
    whose error_message Flutter shows (§4.2; RN3 shows its network error for any non-2xx)."""
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        phone = App(sdk, http, caller.tenant, "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl")
        tid = sdk.transaction_id()
        run = await phone.read_card(tid, no_card(), no_card())
        assert_explained(run.front)
        assert_explained(run.result)
        live = await phone.liveness(tid, holder())
        assert not live.ok and live.crash is None, live


# --- the profiles themselves: each fails where its SDK does (so the tests above can fail)


def _answer(status: int = 200, **changes: Any) -> httpx.Response:
    """A successful answer as the SDKs expect it, with `changes` applied (a__b is body[a][b])."""
    body: dict[str, Any] = {
        "services": {"Validations": {"validation_errors": []}, "liveness": None},
        "data": {
            "isVerificationProcessCompleted": False,
            "isDigitalIdentityVerified": None,
            "user": {"id": 7, "fullName": None},
            "idFrontData": {"name": "منى علي", "idNumber": "29901232112331"},
            "idBackData": {"idNumber": "29901232112331"},
            "isMatched": True,
        },
        "error_code": None,
        "error_message": None,
    }
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = body
        for key in parents:
            node = node[key]
        node[leaf] = value
    return httpx.Response(status, json=body)


FAILED = [{"field": None, "value": None, "errors": [{"code": 3011, "message": "No card."}]}]
ZERO = [{"field": None, "value": None, "errors": [{"code": 0, "message": ""}]}]
# (profile, answer, what the SDK makes of it): "ok", "failed" (explained) or "crash"
READINGS: list[tuple[Sdk, httpx.Response, str]] = [
    (IOS, _answer(), "ok"),
    (IOS, _answer(data__user__id="7"), "crash"),
    (IOS, _answer(data__idFrontData__idNumber=29901232112331), "crash"),
    (IOS, _answer(services__liveness="true"), "crash"),
    (IOS, _answer(data__isVerificationProcessCompleted=0), "crash"),
    (IOS, _answer(error_code=0), "ok"),
    (IOS_PLUS, _answer(error_code=0), "failed"),
    (IOS_PLUS, _answer(error_message=""), "failed"),
    (IOS_PLUS, _answer(data__idFrontData__name=" "), "failed"),
    (IOS_PLUS, _answer(data__idFrontData=None), "failed"),
    (IOS, _answer(services__Validations__validation_errors=FAILED), "failed"),
    (IOS, httpx.Response(500, text="Internal Server Error"), "crash"),
    (RN, _answer(), "ok"),
    (RN, _answer(services__Validations__validation_errors=None), "crash"),
    (RN, _answer(services__Validations=None), "crash"),
    (RN, _answer(services__Validations__validation_errors=ZERO), "ok"),
    (RN, _answer(services__Validations__validation_errors=FAILED), "failed"),
    (RN, _answer(422, services__Validations__validation_errors=FAILED), "crash"),
    (FLUTTER, _answer(), "ok"),
    (FLUTTER, _answer(201), "crash"),
    (FLUTTER, _answer(401, error_message="Expired."), "failed"),
    (FLUTTER, httpx.Response(401, text="Unauthorized"), "crash"),
    (FLUTTER, _answer(services__Validations__validation_errors=FAILED), "failed"),
]
LIVENESS_READINGS: list[tuple[Sdk, bool, httpx.Response, str]] = [
    (IOS, False, _answer(data__isDigitalIdentityVerified=True), "ok"),
    (IOS, False, _answer(data__isDigitalIdentityVerified="true"), "crash"),
    (IOS, False, _answer(error_message="Not you."), "unexplained"),  # snake_case is not read
    (IOS_PLUS, False, _answer(error_message="Not you."), "failed"),  # div_failed
    (IOS, False, _answer(services__Validations__validation_errors=FAILED), "failed"),
    (RN, True, _answer(), "ok"),  # the OCR path reads isMatched
    (RN, False, _answer(), "failed"),  # signed in: both flags
    (RN, True, _answer(data=None), "crash"),
    (FLUTTER, False, _answer(), "unexplained"),  # isVerificationProcessCompleted false: ""
    (FLUTTER, False, _answer(data=None), "crash"),
    (FLUTTER, False, _answer(data__isVerificationProcessCompleted=True), "ok"),
]


def _verdict(outcome: Outcome) -> str:
    if outcome.ok:
        return "ok"
    if outcome.crash is not None:
        return "crash"
    return "failed" if outcome.explained else "unexplained"


@pytest.mark.parametrize(
    ("sdk", "response", "verdict"),
    READINGS,
    ids=[f"{n}-{sdk.name}-{verdict}" for n, (sdk, _, verdict) in enumerate(READINGS)],
)
def test_the_profiles_read_sides_as_their_sdks(
    sdk: Sdk, response: httpx.Response, verdict: str
) -> None:
    assert _verdict(sdk.read_side("back", response)) == verdict


@pytest.mark.parametrize(
    ("sdk", "ocr_path", "response", "verdict"),
    LIVENESS_READINGS,
    ids=[f"{n}-{s.name}-{v}" for n, (s, _, _, v) in enumerate(LIVENESS_READINGS)],
)
def test_the_profiles_read_liveness_as_their_sdks(
    sdk: Sdk, ocr_path: bool, response: httpx.Response, verdict: str
) -> None:
    assert _verdict(sdk.read_liveness(response, ocr_path=ocr_path)) == verdict
