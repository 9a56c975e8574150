"""Wire models of the verification calls (spec §1.4, §2.4, §2.5; vlens-clients.md §6).

Key names are the contract, mixed casing included (`transaction_id`, `getExtractedData`,
`Validations`, `AML`, `AML_matched`, `SRC`), and so are the JSON types: the iOS decoder fails the
whole response on one wrong type, so strings stay strings (`idNumber`, `score`), integers stay
integers (`user.id`, `caseYear`) and absent values are null.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hawiya.registration.schemas import UserOutput
from hawiya.schemas import RequestModel

# The schema lets any image up to the image routes' body cap through (25 MiB): the iOS SDK sends
# ID photos at full quality, and an image over 5 MB must be answered with 5002 in
# services.Validations, which decode_base64 decides from the length before decoding anything
# (vlens-clients.md §2, §7.5), not with a 9001 schema error.
_IMAGE = 26_214_400


class WireModel(BaseModel):
    """Names exactly as written (no case conversion)."""

    model_config = ConfigDict(populate_by_name=True)


# --- requests


class CaptureInput(RequestModel):
    """verify/id/front, verify/id/back and /v1/ocr/id/*: the SDKs' snake_case body."""

    image: str = Field(max_length=_IMAGE)
    transaction_id: str | None = Field(default=None, max_length=64)
    client_transaction_id: str | None = Field(default=None, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)
    name_check_value: str | None = Field(default=None, max_length=256)
    # ISO 3166 alpha-2 per the schema, alpha-3 in the OCR guide's example: both accepted.
    country: str | None = Field(default=None, max_length=3)
    get_extracted_data: bool | None = Field(default=None, alias="getExtractedData")

    @field_validator("country")
    @classmethod
    def _egypt_only(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in ("EG", "EGY"):
            raise ValueError("only Egyptian national IDs (EG / EGY) are read")
        return value


class LivenessInput(RequestModel):
    face_1: str = Field(max_length=_IMAGE)
    face_2: str = Field(max_length=_IMAGE)
    face_3: str = Field(max_length=_IMAGE)
    transaction_id: str | None = Field(default=None, max_length=64)
    client_transaction_id: str | None = Field(default=None, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)
    image: str | None = Field(default=None, max_length=_IMAGE)
    get_extracted_data: bool | None = Field(default=None, alias="getExtractedData")


# --- services (spec §1.4)


class ErrorItem(WireModel):
    code: int
    message: str


class ValidationEntry(WireModel):
    field: str | None = None
    value: str | None = None
    errors: list[ErrorItem]


class ValidationList(WireModel):
    validation_errors: list[ValidationEntry] = Field(default_factory=list)


class Spoofing(WireModel):
    fake: bool


class Classification(WireModel):
    doc_type: str | None = None


class AmlRecord(WireModel):
    caseNo: str
    caseYear: int  # 0 when the list gives no case year and no listing date
    recordDate: str  # ISO 8601, "" when unknown
    fullName: str
    idNumber: str
    dateOfBirth: str  # ISO 8601, "" when unknown
    score: str  # 0-100 with two decimals; "100.00" for a national ID hit
    # Hawiya additions: which list, which of the entry's names matched, and how.
    source: str = ""
    matchedName: str = ""
    matchKind: str = ""  # id_number | name


class Aml(WireModel):
    AML_matched: bool
    data: list[AmlRecord] = Field(default_factory=list)


class Src(WireModel):
    isValid: bool
    errorCode: int | None = None
    errorKey: str | None = None
    errorMessage: str | None = None


class Services(WireModel):
    """`Validations` is what the SDKs decode and must never be null (vlens-clients.md §3.5);
    the current docs spell it `validations`, so the same object is sent under both names."""

    Validations: ValidationList = Field(default_factory=ValidationList)
    validations: ValidationList = Field(default_factory=ValidationList)
    spoofing: Spoofing | None = None
    classification: Classification | None = None
    liveness: bool | None = None
    AML: Aml | None = None
    SRC: Src | None = None

    def model_post_init(self, __context: Any) -> None:
        self.validations = self.Validations


# --- data (spec §6.1, vlens-clients.md §6.3, §6.4)


class IdFrontData(WireModel):
    name: str | None = None
    first_name: str | None = None
    last_names: str | None = None
    name_english: str | None = None
    first_name_english: str | None = None
    last_names_english: str | None = None
    address: str | None = None
    address_1: str | None = None
    address_2: str | None = None
    govern: str | None = None
    idKey: str | None = None
    dateOfBirth: str | None = None  # yyyy-MM-dd
    idNumber: str | None = None
    gender: str | None = None
    transaction_id: str | None = None
    client_transaction_id: str | None = None
    request_id: str | None = None


class IdBackData(WireModel):
    job: str | None = None
    jobTitle: str | None = None
    religion: str | None = None
    maritalStatus: str | None = None
    husbandName: str | None = None
    releaseDate: str | None = None  # yyyy-MM-dd
    idExpiry: str | None = None  # yyyy-MM-dd
    idNumber: str | None = None
    gender: str | None = None
    transaction_id: str | None = None
    client_transaction_id: str | None = None
    request_id: str | None = None


class VerificationData(WireModel):
    isVerificationProcessCompleted: bool = False
    isDigitalIdentityVerified: bool | None = None
    deviceInfo: str | None = None
    user: UserOutput | None = None
    idFrontData: IdFrontData | None = None
    idBackData: IdBackData | None = None
    transaction_id: str | None = None
    client_transaction_id: str | None = None
    request_id: str | None = None
    # /v1/ocr/liveness/multi and /v1/ocr/face/*: whether the face matched (RN3 reads it).
    isMatched: bool | None = None


D = TypeVar("D", bound=BaseModel)


class Verification(WireModel, Generic[D]):
    """A verification answer before it is put in the envelope (the endpoints do that)."""

    data: D | None = None
    services: Services = Field(default_factory=Services)


class FaceCompareInput(RequestModel):
    """POST /v1/ocr/face/compare (path and body INFERRED, spec §2.5 row 8): two face pictures,
    named like the liveness frames."""

    face_1: str = Field(max_length=_IMAGE)
    face_2: str = Field(max_length=_IMAGE)
    transaction_id: str | None = Field(default=None, max_length=64)
    client_transaction_id: str | None = Field(default=None, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)


class FaceMatchInput(RequestModel):
    """POST /v1/ocr/face/match (spec §2.5 row 7): a face against the ID photo of a transaction
    whose front was read."""

    image: str = Field(max_length=_IMAGE)
    transaction_id: str = Field(max_length=64)
    client_transaction_id: str | None = Field(default=None, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)


class FaceMatchData(WireModel):
    """A face-match decision, explained (checklist BIO-1)."""

    isMatched: bool
    score: float  # 0-100, higher is more alike
    threshold: float  # the same decision point on the score scale
    distance: float  # between the two 128-d embeddings
    distanceThreshold: float
    modelVersion: str
    transaction_id: str | None = None
    client_transaction_id: str | None = None
    request_id: str | None = None


class AmlInput(RequestModel):
    """POST /v1/ocr/aml/validate (spec §2.5 row 12)."""

    name: str = Field(min_length=1, max_length=256)
    id_number: str | None = Field(default=None, max_length=32, alias="idNumber")
    transaction_id: str | None = Field(default=None, max_length=64)
    client_transaction_id: str | None = Field(default=None, max_length=128)
    request_id: str | None = Field(default=None, max_length=128)


class AmlData(WireModel):
    """/v1/ocr/aml/validate: the result is in services.AML; data echoes the ids."""

    transaction_id: str | None = None
    client_transaction_id: str | None = None
    request_id: str | None = None


class ClassificationData(WireModel):
    """/v1/ocr/classification: the type is in services.classification.doc_type; `side` says
    which side of a national ID (null otherwise)."""

    side: str | None = None
    transaction_id: str | None = None
    client_transaction_id: str | None = None
    request_id: str | None = None


class LinkTransactionInput(RequestModel):
    transaction_id: str = Field(max_length=64)  # sent as transactionId
    get_extracted_data: bool | None = Field(default=None, alias="getExtractedData")
