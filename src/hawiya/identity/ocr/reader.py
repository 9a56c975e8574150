"""Reading both sides of the national ID card from a photo: every field of spec §6.1, a
confidence for each, the holder's photo, and the validation errors of §4.4.

    front = read_front(image, today=date.today())
    back = read_back(image, today=date.today())
    problems = [*front.errors, *back.errors, *cross_check(front, back)]

`image` is a PIL image as identity/images.py decodes it. A photo without a card raises
CardNotDetected (3011). Everything else that is wrong with a card is reported, not raised:
`errors` lists each problem with its field, the value read and the spec code, in the shape of
`services.validations.validation_errors` (§1.4).

Where each field comes from:

| field | how |
|---|---|
| first_name, last_names, address_2 | Tesseract (`ara`) on the cleaned line |
| job, jobTitle, husbandName | Tesseract; the husband's name without its label |
| address_1 | the street number by the digit reader, the rest by Tesseract |
| idNumber (both sides) | the digit reader, 14 glyphs |
| idKey | the Latin glyph reader: two capitals and 7 digits |
| releaseDate, idExpiry | the digit reader: the YYYY/MM/DD at the end of the line |
| govern | the end of address_2 snapped to the 27 governorates (plus "born abroad") |
| gender, religion, maritalStatus (back) | the status line snapped to what a card prints |
| dateOfBirth, gender (front) | decoded from the ID number |

`name` is first_name and last_names, `address` address_1 and address_2, each joined by a space;
dates are YYYY-MM-DD and genders nid.MALE / nid.FEMALE, as the API reports them; street numbers
and the ID number come out in ASCII digits. A field that cannot be read is "".

Confidence, 0 to 1 per field: Tesseract's mean word confidence for words (a line it is unsure of,
below 0.8, is read again at 3x instead of 2x and the surer read kept), the least probable glyph
for numbers and dates (0 when a number has the wrong length), times the closeness of the snap
for closed vocabularies. Fields that the photo does not wholly hold (a card cut by the frame)
get 0 whatever was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from hawiya.identity import national_id as nid
from hawiya.identity.ocr import errors
from hawiya.identity.ocr import text as words
from hawiya.identity.ocr.digits import DATE, Reading, read_date, read_end_number, read_key
from hawiya.identity.ocr.digits import read_number as read_digits
from hawiya.identity.ocr.finder import SMALL, LocatedCard, locate
from hawiya.identity.ocr.glyphs import REACH, classifier, segment
from hawiya.identity.ocr.lines import Image8, Line, for_tesseract, read_region
from hawiya.identity.ocr.tesseract import read_line
from hawiya.identity.ocr.tesseract import warm_up as tesseract_warm_up
from hawiya.identity.synthetic.card import CARD_LAYOUT, HEIGHT, PHOTO_BOX, WIDTH

TEXT_SCALE = 2.0  # text lines are enlarged for Tesseract
RETRY_BELOW, RETRY_SCALE = 0.8, 3.0  # an unsure read is tried again, larger
# A card photographed small (LocatedCard.small) has its text lines sharpened (an unsharp mask
# half a photo pixel wide), lighter dots kept as ink (lines.find_ink's seed) and a read below
# SMALL_RETRY_BELOW tried again at SMALL_RETRY_SCALE.
SMALL_SEED = 0.5
SMALL_RETRY_BELOW, SMALL_RETRY_SCALE = 0.9, 2.5
TEXT_MARGIN = (8, 8)  # card pixels around a region, horizontally and vertically
# Digit lines: wide sideways (an outline a few pixels off must not cut the last digit), narrow
# up and down (the next line, or the photo above the card key, must stay out).
DIGIT_MARGIN = (16, 4)
ID_LENGTH = 14
KEY = re.compile(r"^[A-Z]{2}\d{7}$")
_MESSAGES = {
    errors.INVALID_ID_NUMBER: "invalid ID number",
    errors.INVALID_BIRTH_DATE: "invalid birth date",
    errors.INVALID_GOVERNORATE: "invalid governorate",
    errors.INVALID_ID_KEY: "invalid ID key",
    errors.INVALID_GENDER: "invalid gender",
    errors.INVALID_RELEASE_DATE: "invalid release date",
    errors.BAD_BIRTH_DATE_FORMAT: "wrong date format: birth date",
    errors.BAD_RELEASE_DATE_FORMAT: "wrong date format: release date",
    errors.BAD_EXPIRY_DATE_FORMAT: "wrong date format: expiry date",
    errors.DOCUMENT_EXPIRED: "document expired",
    errors.NO_FACE_ON_ID: "no face found in the ID image",
    errors.ID_NUMBER_MISMATCH: "ID number differs between front and back",
}
# national_id.parse's codes and the field each belongs to
_ID_FIELDS = {errors.INVALID_BIRTH_DATE: "dateOfBirth"}


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    field: str
    value: str
    code: int
    message: str


def issue(field_name: str, value: str, code: int) -> ValidationIssue:
    return ValidationIssue(field_name, value, code, _MESSAGES[code])


@dataclass(frozen=True, slots=True)
class FrontResult:
    name: str
    first_name: str
    last_names: str
    address: str
    address_1: str
    address_2: str
    govern: str
    idKey: str  # the spec's field names
    idNumber: str
    dateOfBirth: str  # YYYY-MM-DD, from the ID number
    gender: str  # nid.MALE | nid.FEMALE | "" (from the ID number)
    confidence: dict[str, float]
    photo: Image.Image  # the holder's photo (PHOTO_BOX), for face matching
    card: LocatedCard
    errors: list[ValidationIssue] = field(default_factory=list)
    face_present: bool | None = None  # set by the face engine (3014); None: not checked

    def data(self) -> dict[str, str]:
        """The §6.1 fields as the API reports them."""
        return {name: str(getattr(self, name)) for name in FRONT_FIELDS}


@dataclass(frozen=True, slots=True)
class BackResult:
    job: str
    jobTitle: str
    religion: str
    maritalStatus: str
    husbandName: str
    releaseDate: str  # YYYY-MM-DD
    idExpiry: str  # YYYY-MM-DD
    idNumber: str
    gender: str  # nid.MALE | nid.FEMALE | "" (as printed)
    confidence: dict[str, float]
    card: LocatedCard
    errors: list[ValidationIssue] = field(default_factory=list)

    def data(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in BACK_FIELDS}


FRONT_FIELDS = ("name", "first_name", "last_names", "address", "address_1", "address_2",
                "govern", "idKey", "idNumber", "dateOfBirth", "gender")  # fmt: skip
BACK_FIELDS = ("job", "jobTitle", "religion", "maritalStatus", "husbandName", "releaseDate",
               "idExpiry", "idNumber", "gender")  # fmt: skip


def warm_up(data_dir: Path | None = None) -> None:
    """Train (or load) the glyph classifiers and load Tesseract now: a worker's initialiser."""
    classifier("eastern", data_dir=data_dir)
    classifier("latin", data_dir=data_dir)
    tesseract_warm_up()


# --------------------------------------------------------------------------------------------
# Lines


def _text_line(gray: Image8, side: str, name: str, resolution: float = 1.0,
               erase: tuple[int, int] | None = None) -> tuple[str, float]:  # fmt: skip
    """A line of Arabic words; `erase` is a span of card columns (relative to the digit line's
    crop) already read as a number. A read Tesseract is unsure of is tried again at a larger
    scale, and the surer of the two kept (on generated cards: 99.7 % of lines right, from 99.3 %,
    for a second read of one line in five). A card photographed small (`resolution`, the
    card's width in the photo over its canonical width, below finder.SMALL) is sharpened first
    and tried again more often."""
    small = resolution < SMALL
    sharpen = 0.5 / resolution if small else 0.0
    retry_below = SMALL_RETRY_BELOW if small else RETRY_BELOW
    retry_scale = SMALL_RETRY_SCALE if small else RETRY_SCALE
    text, confidence = _text_at(gray, side, name, erase, TEXT_SCALE, sharpen)
    if confidence < retry_below:
        again, surer = _text_at(gray, side, name, erase, retry_scale, sharpen)
        if surer > confidence:
            return again, surer
    return text, confidence


def _text_at(gray: Image8, side: str, name: str, erase: tuple[int, int] | None, scale: float,
             sharpen: float) -> tuple[str, float]:  # fmt: skip
    """One read of a text line; `sharpen` > 0 (a card photographed small): sharpened, and
    lighter dots kept."""
    line = read_region(
        gray, CARD_LAYOUT[side][name], scale=scale, margin=TEXT_MARGIN, sharpen=sharpen,
        seed=SMALL_SEED if sharpen > 0 else 0.45,
    )  # fmt: skip
    mask = None
    if erase is not None:
        mask = np.zeros(line.mask.shape, dtype=bool)
        shift = DIGIT_MARGIN[0] - TEXT_MARGIN[0]
        x0 = max(0, int((erase[0] - shift - 2) * scale))
        mask[:, x0 : max(x0, int((erase[1] - shift + 2) * scale))] = True
    image = for_tesseract(line, erase=mask)
    if image is None:
        return "", 1.0
    raw, confidence = read_line(image)
    value = words.clean(raw)
    if not any("\u0621" <= ch <= "\u064a" for ch in value):
        return "", confidence  # guilloche or a speck read as punctuation
    return value, confidence


def _digit_line(gray: Image8, side: str, name: str, alphabet: str = "eastern") -> Line:
    region = CARD_LAYOUT[side][name]
    return read_region(gray, region, margin=DIGIT_MARGIN, reach=REACH[alphabet])


def _id_number(gray: Image8, side: str, data_dir: Path | None) -> Reading:
    line = _digit_line(gray, side, "idNumber")
    return read_digits(segment(line), length=ID_LENGTH, data_dir=data_dir)


def _card_date(gray: Image8, name: str, data_dir: Path | None) -> tuple[str, float, bool]:
    """(YYYY-MM-DD or what was read, confidence, is a calendar date)."""
    reading = read_date(segment(_digit_line(gray, "back", name)), data_dir=data_dir)
    if reading is None:
        return "", 0.0, False
    match = DATE.match(reading.text)
    if match is None:
        return reading.text, 0.0, False
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return reading.text.replace("/", "-"), 0.0, False
    return day.isoformat(), reading.confidence, True


def _validate_number(number: str, today: date, verify_check_digit: bool,
                     found: list[ValidationIssue]) -> nid.NationalId | None:  # fmt: skip
    try:
        return nid.parse(number, today=today, verify_check_digit=verify_check_digit)
    except nid.NationalIdError as problem:
        name = _ID_FIELDS.get(problem.code, "idNumber")
        found.append(issue(name, number, problem.code))
        return None


# fields that are not a region of their own -> the regions they are read from
_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "front": {"name": ("first_name", "last_names"), "address": ("address_1", "address_2"),
              "govern": ("address_2",), "dateOfBirth": ("idNumber",), "gender": ("idNumber",)},
    "back": {"gender": ("status",), "religion": ("status",), "maritalStatus": ("status",)},
}  # fmt: skip
FULLY_SEEN = 0.99


def _cut_by_frame(located: LocatedCard, side: str, confidence: dict[str, float]) -> None:
    """No confidence in a field whose region the photo does not wholly hold (a card cut by
    the frame): what was read of it is a guess."""
    for name in confidence:
        sources = _SOURCES[side].get(name, (name,))
        if min(located.visible(CARD_LAYOUT[side][s].box) for s in sources) < FULLY_SEEN:
            confidence[name] = 0.0


def _photo(card: Image8) -> Image.Image:
    x0, y0, x1, y1 = PHOTO_BOX
    crop = card[int(y0 * HEIGHT) : int(y1 * HEIGHT), int(x0 * WIDTH) : int(x1 * WIDTH)]
    return Image.fromarray(np.ascontiguousarray(crop))


def _rgb(image: Image.Image) -> Image8:
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


# --------------------------------------------------------------------------------------------
# The sides


def read_front(
    image: Image.Image, *, today: date, data_dir: Path | None = None,
    verify_check_digit: bool = True,
) -> FrontResult:  # fmt: skip
    """Every front field of a card photo. Raises CardNotDetected (3011)."""
    located = locate(_rgb(image), "front")
    gray = np.asarray(cv2.cvtColor(located.card, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    res = located.resolution
    confidence: dict[str, float] = {}
    found: list[ValidationIssue] = []

    first_name, confidence["first_name"] = _text_line(gray, "front", "first_name", res)
    last_names, confidence["last_names"] = _text_line(gray, "front", "last_names", res)
    name = " ".join(part for part in (first_name, last_names) if part)
    confidence["name"] = min(confidence["first_name"], confidence["last_names"])

    street = read_end_number(segment(_digit_line(gray, "front", "address_1")), data_dir=data_dir)
    span = (street.glyphs[0].x0, street.glyphs[-1].x1) if street else None
    rest, confidence["address_1"] = _text_line(gray, "front", "address_1", res, span)
    if street:
        confidence["address_1"] = min(confidence["address_1"], street.confidence)
    address_1 = " ".join(part for part in (street.text if street else "", rest) if part)
    raw_2, confidence["address_2"] = _text_line(gray, "front", "address_2", res)
    address_2, governorate = words.split_governorate(raw_2)
    govern = governorate.value if governorate.known else ""
    confidence["govern"] = governorate.similarity * confidence["address_2"]
    address = " ".join(part for part in (address_1, address_2) if part)
    confidence["address"] = min(confidence["address_1"], confidence["address_2"])

    key_line = _digit_line(gray, "front", "idKey", "latin")
    key = read_key(segment(key_line), data_dir=data_dir)
    confidence["idKey"] = key.confidence
    if not KEY.match(key.text):
        found.append(issue("idKey", key.text, errors.INVALID_ID_KEY))

    number = _id_number(gray, "front", data_dir)
    confidence["idNumber"] = number.confidence
    parsed = _validate_number(number.text, today, verify_check_digit, found)
    if not governorate.known:
        found.append(issue("govern", raw_2, errors.INVALID_GOVERNORATE))
    confidence["dateOfBirth"] = confidence["gender"] = number.confidence if parsed else 0.0
    _cut_by_frame(located, "front", confidence)
    return FrontResult(
        name=name,
        first_name=first_name,
        last_names=last_names,
        address=address,
        address_1=address_1,
        address_2=address_2,
        govern=govern,
        idKey=key.text,
        idNumber=number.text,
        dateOfBirth=parsed.birth_date.isoformat() if parsed else "",
        gender=parsed.gender if parsed else "",
        confidence=confidence,
        photo=_photo(located.card),
        card=located,
        errors=found,
    )


def read_back(
    image: Image.Image, *, today: date, data_dir: Path | None = None,
    verify_check_digit: bool = True,
) -> BackResult:  # fmt: skip
    """Every back field of a card photo. Raises CardNotDetected (3011)."""
    located = locate(_rgb(image), "back")
    gray = np.asarray(cv2.cvtColor(located.card, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    res = located.resolution
    confidence: dict[str, float] = {}
    found: list[ValidationIssue] = []

    job, confidence["job"] = _text_line(gray, "back", "job", res)
    job_title, confidence["jobTitle"] = _text_line(gray, "back", "jobTitle", res)
    status_text, status_confidence = _text_line(gray, "back", "status", res)
    status = words.read_status(status_text)
    for name in ("gender", "religion", "maritalStatus"):
        confidence[name] = status.similarity * status_confidence
    husband_text, confidence["husbandName"] = _text_line(gray, "back", "husbandName", res)
    husband = words.strip_label(husband_text, words.HUSBAND_LABEL) if husband_text else ""

    number = _id_number(gray, "back", data_dir)
    confidence["idNumber"] = number.confidence
    parsed = _validate_number(number.text, today, verify_check_digit, found)
    if not status.gender:
        found.append(issue("gender", status_text, errors.INVALID_GENDER))
    elif parsed is not None and parsed.gender != status.gender:
        found.append(issue("gender", words.GENDERS[status.gender], errors.INVALID_GENDER))

    release, confidence["releaseDate"], release_ok = _card_date(gray, "releaseDate", data_dir)
    expiry, confidence["idExpiry"], expiry_ok = _card_date(gray, "idExpiry", data_dir)
    if not release_ok:
        found.append(issue("releaseDate", release, errors.BAD_RELEASE_DATE_FORMAT))
    if not expiry_ok:
        found.append(issue("idExpiry", expiry, errors.BAD_EXPIRY_DATE_FORMAT))
    if release_ok:
        released = date.fromisoformat(release)
        born = parsed.birth_date if parsed else None
        wrong = released > today or (born is not None and released < born)
        if expiry_ok and date.fromisoformat(expiry) <= released:
            wrong = True
        if wrong:
            found.append(issue("releaseDate", release, errors.INVALID_RELEASE_DATE))
    if expiry_ok and date.fromisoformat(expiry) < today:
        found.append(issue("idExpiry", expiry, errors.DOCUMENT_EXPIRED))
    _cut_by_frame(located, "back", confidence)
    return BackResult(
        job=job,
        jobTitle=job_title,
        religion=status.religion,
        maritalStatus=status.marital_status,
        husbandName=husband,
        releaseDate=release,
        idExpiry=expiry,
        idNumber=number.text,
        gender=status.gender,
        confidence=confidence,
        card=located,
        errors=found,
    )


# --------------------------------------------------------------------------------------------
# Checks that need more than one side or another engine


def cross_check(front: FrontResult, back: BackResult) -> list[ValidationIssue]:
    """3101 when both sides' ID numbers were read whole and differ."""
    a, b = front.idNumber, back.idNumber
    if len(a) == ID_LENGTH and len(b) == ID_LENGTH and a != b:
        return [issue("idNumber", b, errors.ID_NUMBER_MISMATCH)]
    return []


def with_face_check(front: FrontResult, present: bool) -> FrontResult:
    """The front with the face engine's verdict on its photo; no face adds 3014."""
    found = [problem for problem in front.errors if problem.code != errors.NO_FACE_ON_ID]
    if not present:
        found.append(issue("photo", "", errors.NO_FACE_ON_ID))
    return replace(front, face_present=present, errors=found)
