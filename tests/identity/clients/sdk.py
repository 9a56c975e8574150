"""The official Vlens SDKs reduced to what they send and how they read the answers
(vlens-clients.md; the section numbers below are that file's).

Each profile builds its requests as its SDK does (headers §2.1; body keys, transaction id casing
and image encoding §2, §3.3-§3.5) and turns each answer into the Outcome the app acts on:
success with the data handed to the host app, a failure the SDK explains (code, message), or a
crash: the SDK could not read the answer and shows its generic error instead ("error" and a retry
button on iOS, "Internet connection error." in RN3, "Request failed: ..." in Flutter).

* Ios: the Swift Codable models of §6, decoded as JSONDecoder does (every field optional, one
  wrong JSON type fails the whole response, unknown keys ignored), and the success rules of §3.4
  (base IOS, or IOS+ with plus=True) and §3.5 (liveness: camelCase errorCode/errorMessage).
* ReactNative: RN3 (0.3.x) on axios. A non-2xx answer throws; `checkIfThereIsError` walks
  `services.Validations.validation_errors` without optional chaining and takes `code || -1`.
* Flutter: 0.0.5 on package:http. Exactly 200, or the body's error_message; dynamic JSON access
  that throws on a null object.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

from tests.fixtures.factories import TenantFixture

DI = "/api/DigitalIdentity/verify"  # with the user's access token
OCR = "/v1/ocr"  # without one (§3.3)


# --- what an app does with an answer


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    code: int | str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None  # on success: what the host app is handed
    crash: str | None = None  # why the SDK could not read the answer

    @property
    def explained(self) -> bool:
        """A failure the app shows for what it is, not as its generic error."""
        return not self.ok and self.crash is None and bool(self.message)


def crashed(reason: str) -> Outcome:
    return Outcome(ok=False, crash=reason)


# --- Swift JSONDecoder, enough of it for the models of §6


class DecodingError(Exception):
    pass


Decoder = Callable[[Any, str], Any]


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise DecodingError(f"{path}: typeMismatch String, found {value!r}")
    return value


def _int(value: Any, path: str) -> int:
    # JSONDecoder reads Int from a JSON integer; true/false and "1" are type mismatches.
    if isinstance(value, bool) or not isinstance(value, int):
        raise DecodingError(f"{path}: typeMismatch Int, found {value!r}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise DecodingError(f"{path}: typeMismatch Bool, found {value!r}")
    return value


def struct(**fields: Decoder) -> Decoder:
    """A Swift struct whose properties are all optional (as in the SDK models): a key that is
    absent or null decodes to nil, a value of another type fails the decoding, and keys the
    model does not declare are ignored."""

    def decode(value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise DecodingError(f"{path}: typeMismatch object, found {value!r}")
        out: dict[str, Any] = {}
        for name, field in fields.items():
            item = value.get(name)
            out[name] = None if item is None else field(item, f"{path}.{name}")
        return out

    return decode


def array(element: Decoder) -> Decoder:
    def decode(value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise DecodingError(f"{path}: typeMismatch array, found {value!r}")
        out = []
        for index, item in enumerate(value):
            if item is None:  # the element type is not optional
                raise DecodingError(f"{path}[{index}]: valueNotFound")
            out.append(element(item, f"{path}[{index}]"))
        return out

    return decode


STR, INT, BOOL = _string, _int, _bool

# Sources/VLensLib/Data/Repository/Payload/VerifyIdFrontPost.swift, VerifyIdBackPost.swift and
# VerifyLivenessMultiPost.swift (§6.1-§6.7).
VALIDATION_ERROR = struct(field=STR, value=STR, errors=array(struct(code=INT, message=STR)))
AML_RECORD = struct(
    caseNo=STR, caseYear=INT, recordDate=STR, fullName=STR, idNumber=STR, dateOfBirth=STR, score=STR
)
SERVICES = struct(
    Validations=struct(validation_errors=array(VALIDATION_ERROR)),
    spoofing=struct(fake=BOOL),
    classification=struct(doc_type=STR),
    liveness=BOOL,
    AML=struct(AML_matched=BOOL, data=array(AML_RECORD)),
    SRC=struct(isValid=BOOL, errorCode=INT, errorKey=STR, errorMessage=STR),
)
USER = struct(
    id=INT,
    name=STR,
    surname=STR,
    fullName=STR,
    userName=STR,
    emailAddress=STR,
    phoneNumber=STR,
    idNumber=STR,
    address=STR,
)
ID_FRONT = struct(
    name_english=STR,
    first_name_english=STR,
    last_names_english=STR,
    name=STR,
    address=STR,
    dateOfBirth=STR,
    idNumber=STR,
    gender=STR,
)
ID_BACK = struct(
    maritalStatus=STR,
    job=STR,
    jobTitle=STR,
    religion=STR,
    husbandName=STR,
    releaseDate=STR,
    idExpiry=STR,
    idNumber=STR,
    gender=STR,
)
ID_DATA = struct(
    isVerificationProcessCompleted=BOOL,
    isDigitalIdentityVerified=BOOL,
    deviceInfo=STR,
    user=USER,
    idFrontData=ID_FRONT,
    idBackData=ID_BACK,
)
ID_RESPONSE = struct(services=SERVICES, data=ID_DATA, error_code=INT, error_message=STR)
# No CodingKeys in VerifyLivenessMultiPost.Response: camelCase errorCode / errorMessage (§3.5).
LIVENESS_RESPONSE = struct(
    services=SERVICES,
    data=struct(isDigitalIdentityVerified=BOOL, isVerificationProcessCompleted=BOOL),
    errorCode=INT,
    errorMessage=STR,
)


# --- JavaScript and Dart semantics used by RN and Flutter


def js_truthy(value: Any) -> bool:
    if isinstance(value, dict | list):
        return True  # objects and arrays, even empty ones
    return bool(value)


def _reencode(jpeg: bytes, quality: int, fit: int | None = None) -> bytes:
    picture = Image.open(io.BytesIO(jpeg)).convert("RGB")
    if fit is not None:
        # react-native-image-resizer, mode "contain", onlyScaleDown false: scaled up or down to
        # fit the box, aspect kept.
        scale = min(fit / picture.width, fit / picture.height)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- the profiles


class Sdk(ABC):
    name: str

    def __repr__(self) -> str:
        return self.name

    @abstractmethod
    def headers(self, tenant: TenantFixture, token: str) -> dict[str, str]: ...

    def spell(self, transaction_id: uuid.UUID) -> str:
        """A transaction id as this SDK writes it (uuidv4 and Dart's Uuid().v4(): lowercase)."""
        return str(transaction_id)

    def transaction_id(self) -> str:
        return self.spell(uuid.uuid4())

    @abstractmethod
    def card_image(self, jpeg: bytes) -> str: ...

    @abstractmethod
    def face_image(self, jpeg: bytes) -> str: ...

    def encode(self, body: dict[str, Any]) -> bytes:
        return json.dumps(body, separators=(",", ":")).encode()

    def capture_body(self, transaction_id: str, image: str) -> dict[str, Any]:
        return {"transaction_id": transaction_id, "image": image, "getExtractedData": True}

    def liveness_body(self, transaction_id: str, faces: Sequence[str]) -> dict[str, Any]:
        return {
            "transaction_id": transaction_id,
            "face_1": faces[0],
            "face_2": faces[1],
            "face_3": faces[2],
        }

    @abstractmethod
    def read_side(self, side: str, response: httpx.Response) -> Outcome:
        """The SDK's reading of one ID side's answer."""

    @abstractmethod
    def card_result(self, front: Outcome, back: Outcome) -> Outcome:
        """What the app concludes once both sides are answered."""

    @abstractmethod
    def read_liveness(self, response: httpx.Response, *, ocr_path: bool) -> Outcome: ...


class Ios(Sdk):
    """VLensLib. plus=False: the February 2026 revision with the older demo app (uppercase
    `UUID().uuidString` transaction ids, base error rule); plus=True: IOS+ (lowercased ids,
    the stricter back check of §3.4 and `resolveApiError` / `div_failed` on liveness)."""

    def __init__(self, *, plus: bool) -> None:
        self.plus = plus
        self.name = "ios+" if plus else "ios"

    def headers(self, tenant: TenantFixture, token: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Accept": "*/*",
            "Accept_Language": "en",
            "ApiKey": tenant.api_key,
            "TenancyName": tenant.name,
            "X-Request-Id": str(uuid.uuid4()).upper(),
            "Authorization": f"Bearer {token}",  # literally "Bearer " without a token
        }

    def spell(self, transaction_id: uuid.UUID) -> str:
        # UUID().uuidString is uppercase; IOS+ sends CachedData.transactionId.lowercased().
        return str(transaction_id) if self.plus else str(transaction_id).upper()

    def card_image(self, jpeg: bytes) -> str:
        return b64(_reencode(jpeg, 100))  # jpegData(compressionQuality: 1.0), full size

    def face_image(self, jpeg: bytes) -> str:
        quality = 100
        data = _reencode(jpeg, quality)
        while len(data) > 3 * 1024 * 1024 and quality > 10:  # compressBase64Image(maxSizeMB: 3)
            quality -= 10
            data = _reencode(jpeg, quality)
        return b64(data)

    def encode(self, body: dict[str, Any]) -> bytes:
        # JSONEncoder without .withoutEscapingSlashes writes every "/" of the base64 as "\/".
        return json.dumps(body, separators=(",", ":")).replace("/", "\\/").encode()

    def decode(self, response: httpx.Response, model: Decoder) -> dict[str, Any] | str:
        """Alamofire serializingDecodable without .validate(): any status is decoded. The
        decoded model, or why it failed (the app then shows its generic error)."""
        try:
            payload = json.loads(response.content)
        except ValueError:
            return f"HTTP {response.status_code}: not JSON"
        try:
            decoded: dict[str, Any] = model(payload, "$")
        except DecodingError as exc:
            return str(exc)
        return decoded

    @staticmethod
    def _first_validation(decoded: dict[str, Any]) -> tuple[int | None, str | None] | None:
        entries = ((decoded["services"] or {}).get("Validations") or {}).get("validation_errors")
        if not entries:
            return None
        errors = entries[0]["errors"] or [{"code": None, "message": None}]
        return errors[0]["code"], errors[0]["message"]

    def read_side(self, side: str, response: httpx.Response) -> Outcome:
        decoded = self.decode(response, ID_RESPONSE)
        if isinstance(decoded, str):
            return crashed(decoded)
        # NationalIdBackViewModel.checkIfErrorExists (the front's answer is only cached).
        first = self._first_validation(decoded)
        code, message = first or (decoded["error_code"], decoded["error_message"])
        data = decoded["data"] or {}
        front, back = data.get("idFrontData") or {}, data.get("idBackData") or {}
        if self.plus:
            if decoded["error_code"] is not None or decoded["error_message"] is not None:
                return Outcome(False, code, message or decoded["error_message"] or "error")
            if first is not None:
                return Outcome(False, code, message or "error")
            if (
                not (front.get("idNumber") or "").strip()
                and not (back.get("idNumber") or "").strip()
            ):
                return Outcome(False, "id_number_not_found", "id_number_not_found")
            if not (front.get("name") or "").strip():
                return Outcome(False, "id_data_incomplete", "id_data_incomplete")
        elif decoded["error_message"] is not None or first is not None:
            return Outcome(False, code, message)
        return Outcome(True, data=decoded["data"])

    def card_result(self, front: Outcome, back: Outcome) -> Outcome:
        # NationalIdFrontViewController moves on whatever the front answered: the back decides.
        return back

    def read_liveness(self, response: httpx.Response, *, ocr_path: bool) -> Outcome:
        decoded = self.decode(response, LIVENESS_RESPONSE)
        if isinstance(decoded, str):
            return crashed(decoded)
        data = decoded["data"] or {}
        if data.get("isDigitalIdentityVerified") is True:  # ValidationMainViewModel.postData
            return Outcome(True, data=decoded["data"])
        first = self._first_validation(decoded)
        code = decoded["errorCode"] if first is None else first[0]
        message = decoded["errorMessage"] or (first[1] if first else None)
        if self.plus and not message:
            return Outcome(False, code or "div_failed", "Digital Identity verification failed.")
        return Outcome(False, code, message)


class ReactNative(Sdk):
    """react-native-vlens 0.3.x (RN3): axios, images resized to 800x800 at JPEG quality 80,
    `Bearer ${accessToken}` always (null when the host gave none), /v1/ocr without a token."""

    name = "rn"

    def headers(self, tenant: TenantFixture, token: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Accept": "application/json, text/plain, */*",
            "ApiKey": tenant.api_key,
            "TenancyName": tenant.name,
            "Authorization": f"Bearer {token}",
        }

    def card_image(self, jpeg: bytes) -> str:
        return b64(_reencode(jpeg, 80, fit=800))  # src/utilities/compressBase64Image.tsx

    def face_image(self, jpeg: bytes) -> str:
        return b64(_reencode(jpeg, 80, fit=800))

    @staticmethod
    def _payload(response: httpx.Response) -> Any:
        if not 200 <= response.status_code < 300:  # axios validateStatus; nothing catches it
            raise _Crash("Internet connection error.")
        try:
            return json.loads(response.content)
        except ValueError:
            raise _Crash("Internet connection error.") from None

    @staticmethod
    def check_if_there_is_error(payload: Any) -> tuple[int | str, str] | None:
        """`response.data.services.Validations.validation_errors` without optional chaining;
        the first entry's first error, `code || -1`, -1 meaning no error."""
        services = payload.get("services") if isinstance(payload, dict) else None
        if not isinstance(services, dict):
            raise _Crash("TypeError: cannot read property 'Validations' of " + repr(services))
        validations = services.get("Validations")
        if not isinstance(validations, dict):
            raise _Crash("TypeError: cannot read 'validation_errors' of " + repr(validations))
        entries = validations.get("validation_errors")
        if not isinstance(entries, list):  # 0.1.6 calls .forEach on it
            raise _Crash("TypeError: validation_errors.forEach is not a function")
        if not entries:
            return None
        first_entry = entries[0] if isinstance(entries[0], dict) else {}
        errors = first_entry.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else None
        if not isinstance(first, dict) or not js_truthy(first.get("code")):
            return None  # `firstError?.code || -1`: -1, no error
        code, message = first["code"], first.get("message")
        return code, message if isinstance(message, str) else ""

    def read_side(self, side: str, response: httpx.Response) -> Outcome:
        try:
            payload = self._payload(response)
            error = self.check_if_there_is_error(payload)
        except _Crash as exc:
            return crashed(str(exc))
        if error is not None:
            return Outcome(False, error[0], error[1])
        data = payload.get("data")  # front.tsx / back.tsx return response.data.data
        return Outcome(True, data=data if isinstance(data, dict) else None)

    def card_result(self, front: Outcome, back: Outcome) -> Outcome:
        # NationalIdValidationPage: both are awaited, the front's error is shown first, and the
        # back's data becomes sdkConfig.userData, later given to onSuccess.
        for step in (front, back):
            if step.crash is not None or not step.ok:
                return step
        return Outcome(True, data=back.data)

    def read_liveness(self, response: httpx.Response, *, ocr_path: bool) -> Outcome:
        try:
            payload = self._payload(response)
            error = self.check_if_there_is_error(payload)
        except _Crash as exc:
            return crashed(str(exc))
        if error is not None:
            return Outcome(False, error[0], error[1])
        data = payload.get("data")
        if not isinstance(data, dict):
            return crashed(f"TypeError: cannot read property of {data!r}")
        if ocr_path:
            passed = js_truthy(data.get("isMatched"))
        else:
            passed = js_truthy(data.get("isVerificationProcessCompleted")) and js_truthy(
                data.get("isDigitalIdentityVerified")
            )
        if passed:
            return Outcome(True, data=data)
        return Outcome(False, "div_failed", "Digital Identity verification failed.")


class Flutter(Sdk):
    """vlens 0.0.5: package:http, images at JPEG quality 50, no getExtractedData, the app's
    language in Accept_Language, `Bearer <accessToken>` always. 0.0.5 itself calls only
    /api/DigitalIdentity; on /v1/ocr it stands for a later release reading the same envelope
    (§8)."""

    name = "flutter"

    def headers(self, tenant: TenantFixture, token: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Accept": "*/*",
            "Accept_Language": "ar",  # LanguageManager.lang
            "ApiKey": tenant.api_key,
            "TenancyName": tenant.name,
            "Authorization": f"Bearer {token}",
        }

    def card_image(self, jpeg: bytes) -> str:
        return b64(_reencode(jpeg, 50))  # FlutterImageCompress, quality 50

    def face_image(self, jpeg: bytes) -> str:
        return b64(_reencode(jpeg, 50))

    def capture_body(self, transaction_id: str, image: str) -> dict[str, Any]:
        return {"transaction_id": transaction_id, "image": image}

    @staticmethod
    def _body(response: httpx.Response) -> Any:
        """`_makeApiRequest`: 200 parses the body; anything else fails with the body's
        error_message (a body that is not JSON, or has no string there, throws)."""
        try:
            body = json.loads(response.content)
        except ValueError:
            raise _Crash("Request failed: FormatException") from None
        if response.status_code != 200:
            message = body.get("error_message") if isinstance(body, dict) else None
            if not isinstance(message, str):
                raise _Crash("Request failed: type 'Null' is not a subtype of type 'String'")
            raise _Failure(message)
        return body

    @staticmethod
    def _first_message(body: Any) -> str | None:
        """The first validation message, or None when the list is empty or missing."""
        services = body.get("services") if isinstance(body, dict) else None
        validations = services.get("Validations") if isinstance(services, dict) else None
        entries = validations.get("validation_errors") if isinstance(validations, dict) else None
        if entries is None or entries == []:
            return None
        try:
            message = entries[0]["errors"][0]["message"]  # dynamic indexing: throws on a gap
        except (KeyError, IndexError, TypeError):
            raise _Crash("Request failed: RangeError / NoSuchMethodError") from None
        return message if isinstance(message, str) else ""

    def read_side(self, side: str, response: httpx.Response) -> Outcome:
        try:
            body = self._body(response)
            message = self._first_message(body)
        except _Crash as exc:
            return crashed(str(exc))
        except _Failure as exc:
            return Outcome(False, response.status_code, str(exc))
        if message is not None:
            return Outcome(False, None, message)
        data = body.get("data")
        return Outcome(True, data=data if isinstance(data, dict) else None)

    def card_result(self, front: Outcome, back: Outcome) -> Outcome:
        return back  # the front's answer is only logged (verifyFrontId is not awaited)

    def read_liveness(self, response: httpx.Response, *, ocr_path: bool) -> Outcome:
        try:
            body = self._body(response)
            message = self._first_message(body)
        except _Crash as exc:
            return crashed(str(exc))
        except _Failure as exc:
            return Outcome(False, response.status_code, str(exc))
        if message is not None:
            return Outcome(False, None, message)
        data = body.get("data")
        if not isinstance(data, dict):
            return crashed("Request failed: NoSuchMethodError: '[]' on null")
        if data.get("isVerificationProcessCompleted") is False or (
            data.get("isDigitalIdentityVerified") is False
        ):
            return Outcome(False, None, "")
        return Outcome(True, data=data)


class _Crash(Exception):
    pass


class _Failure(Exception):
    pass


IOS, IOS_PLUS, RN, FLUTTER = Ios(plus=False), Ios(plus=True), ReactNative(), Flutter()


# --- an app on a phone


@dataclass(frozen=True, slots=True)
class CardRun:
    front: Outcome
    back: Outcome
    result: Outcome
    front_response: httpx.Response
    back_response: httpx.Response


@dataclass
class App:
    """An app built on one SDK for one tenant. Given the user's access token it calls
    /api/DigitalIdentity/verify/*; given none ("" or "null") it calls /v1/ocr/* (§3.3)."""

    sdk: Sdk
    http: httpx.AsyncClient
    tenant: TenantFixture
    token: str

    @property
    def ocr_path(self) -> bool:
        return self.token in ("", "null")

    @property
    def base(self) -> str:
        return OCR if self.ocr_path else DI

    async def post(self, step: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(
            f"{self.base}/{step}",
            content=self.sdk.encode(body),
            headers=self.sdk.headers(self.tenant, self.token),
        )

    async def read_card(self, transaction_id: str, front: bytes, back: bytes) -> CardRun:
        """Front and back posted together, the back without waiting for the front (§2)."""
        sdk = self.sdk
        front_response, back_response = await asyncio.gather(
            self.post("id/front", sdk.capture_body(transaction_id, sdk.card_image(front))),
            self.post("id/back", sdk.capture_body(transaction_id, sdk.card_image(back))),
        )
        front_outcome = sdk.read_side("front", front_response)
        back_outcome = sdk.read_side("back", back_response)
        return CardRun(
            front_outcome,
            back_outcome,
            sdk.card_result(front_outcome, back_outcome),
            front_response,
            back_response,
        )

    async def liveness(self, transaction_id: str, frames: Sequence[bytes]) -> Outcome:
        faces = [self.sdk.face_image(frame) for frame in frames]
        response = await self.post("liveness/multi", self.sdk.liveness_body(transaction_id, faces))
        return self.sdk.read_liveness(response, ocr_path=self.ocr_path)
