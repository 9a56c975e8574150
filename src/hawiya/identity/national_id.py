"""The Egyptian national ID number (spec §1.6, §6.1): 14 digits that encode the century, birth
date, governorate of birth, a serial whose last digit gives the gender, and a check digit.

Pure functions, no I/O. Errors carry the spec's validation codes: 3001 (not 14 digits, bad century
or check digit), 3002 (birth date), 3003 (governorate), 3005 (gender, when a printed gender
disagrees).

The check digit is not published by the Civil Status Organization. The rule here (weights
2,7,6,5,4,3,2,7,6,5,4,3,2 over the first 13 digits; 11 minus the sum modulo 11, then modulo 10)
is the one public validators use; a deployment that sees it reject real cards can turn it off,
keeping every other check.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# Eastern-Arabic (U+0660..) and Persian (U+06F0..) digits, as printed on cards and typed on phones.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_CENTURY = {"2": 1900, "3": 2000}

# code -> (English, Arabic)
GOVERNORATES: dict[str, tuple[str, str]] = {
    "01": ("Cairo", "القاهرة"),
    "02": ("Alexandria", "الإسكندرية"),
    "03": ("Port Said", "بورسعيد"),
    "04": ("Suez", "السويس"),
    "11": ("Damietta", "دمياط"),
    "12": ("Dakahlia", "الدقهلية"),
    "13": ("Sharqia", "الشرقية"),
    "14": ("Qalyubia", "القليوبية"),
    "15": ("Kafr El Sheikh", "كفر الشيخ"),
    "16": ("Gharbia", "الغربية"),
    "17": ("Monufia", "المنوفية"),
    "18": ("Beheira", "البحيرة"),
    "19": ("Ismailia", "الإسماعيلية"),
    "21": ("Giza", "الجيزة"),
    "22": ("Beni Suef", "بني سويف"),
    "23": ("Fayoum", "الفيوم"),
    "24": ("Minya", "المنيا"),
    "25": ("Asyut", "أسيوط"),
    "26": ("Sohag", "سوهاج"),
    "27": ("Qena", "قنا"),
    "28": ("Aswan", "أسوان"),
    "29": ("Luxor", "الأقصر"),
    "31": ("Red Sea", "البحر الأحمر"),
    "32": ("New Valley", "الوادي الجديد"),
    "33": ("Matrouh", "مطروح"),
    "34": ("North Sinai", "شمال سيناء"),
    "35": ("South Sinai", "جنوب سيناء"),
    "88": ("Born abroad", "خارج الجمهورية"),
}

MALE, FEMALE = "Male", "Female"
GENDER_AR = {MALE: "ذكر", FEMALE: "أنثى"}


class NationalIdError(ValueError):
    """A number that is not a valid national ID; `code` is the spec's validation code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class NationalId:
    number: str  # 14 ASCII digits
    birth_date: date
    governorate_code: str
    gender: str  # MALE | FEMALE

    @property
    def governorate(self) -> str:
        return GOVERNORATES[self.governorate_code][0]

    @property
    def governorate_ar(self) -> str:
        return GOVERNORATES[self.governorate_code][1]

    @property
    def gender_ar(self) -> str:
        return GENDER_AR[self.gender]

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def masked(self) -> str:
        """For logs and audit records: never the full number (LOG-1)."""
        return f"{self.number[:1]}**********{self.number[-3:]}"


def ascii_digits(text: str) -> str:
    """Eastern-Arabic and Persian digits as ASCII; everything else unchanged."""
    return text.translate(_DIGITS)


def check_digit(first13: str) -> int:
    total = sum(int(d) * w for d, w in zip(first13, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def parse(text: str, *, today: date, verify_check_digit: bool = True) -> NationalId:
    """A national ID from what a card or a client gave: spaces and dashes ignored, any digit
    script accepted. Raises NationalIdError."""
    number = "".join(ch for ch in ascii_digits(text or "") if ch not in " -\u200f\u200e")
    if len(number) != 14 or not number.isascii() or not number.isdigit():
        raise NationalIdError(3001, "not 14 digits")
    century = _CENTURY.get(number[0])
    if century is None:
        raise NationalIdError(3001, "century digit")
    try:
        born = date(century + int(number[1:3]), int(number[3:5]), int(number[5:7]))
    except ValueError:
        raise NationalIdError(3002, "birth date") from None
    if born > today:
        raise NationalIdError(3002, "birth date in the future")
    if number[7:9] not in GOVERNORATES:
        raise NationalIdError(3003, "governorate code")
    if verify_check_digit and check_digit(number[:13]) != int(number[13]):
        raise NationalIdError(3001, "check digit")
    gender = MALE if int(number[12]) % 2 else FEMALE
    return NationalId(number, born, number[7:9], gender)


def gender_of(printed: str) -> str | None:
    """A printed or typed gender (Arabic or English) as MALE / FEMALE, or None."""
    value = (printed or "").strip().lower()
    if value in ("ذكر", "male", "m"):
        return MALE
    if value in ("أنثى", "انثى", "انثي", "أنثي", "female", "f"):
        return FEMALE
    return None


def check_gender(national_id: NationalId, printed: str | None) -> None:
    """3005 when a printed gender contradicts the one the number encodes."""
    if printed and gender_of(printed) not in (None, national_id.gender):
        raise NationalIdError(3005, "gender differs from the number")


def generate(
    rng: random.Random,
    *,
    birth_date: date,
    governorate_code: str,
    gender: str,
) -> str:
    """A well-formed number for synthetic cards and tests (never a real person's on purpose)."""
    century = "2" if birth_date.year < 2000 else "3"
    serial = f"{rng.randrange(0, 1000):03d}"
    last = rng.choice("13579" if gender == MALE else "02468")
    first13 = f"{century}{birth_date:%y%m%d}{governorate_code}{serial}{last}"
    return first13 + str(check_digit(first13))
