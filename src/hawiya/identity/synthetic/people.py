"""Invented card holders: Egyptian-style names, addresses and card data, drawn from a seeded
random generator so every card can be made again from its seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from hawiya.identity import national_id as nid

MALE_NAMES = (
    "محمد", "أحمد", "محمود", "مصطفى", "عمر", "علي", "حسن", "حسين", "إبراهيم", "يوسف",
    "خالد", "طارق", "كريم", "عمرو", "هشام", "وليد", "شريف", "سامح", "أيمن", "ياسر",
    "عبد الله", "عبد الرحمن", "عبد العزيز", "سعيد", "جمال", "مجدي", "رامي", "تامر", "بلال", "أنس",
    "زياد", "مروان", "سيف", "نبيل", "فتحي", "رضا", "عادل", "ماجد", "صلاح", "حازم",
)  # fmt: skip
FEMALE_NAMES = (
    "فاطمة", "مريم", "نور", "سارة", "آية", "هبة", "منى", "دينا", "ريهام", "ياسمين",
    "إيمان", "أسماء", "نهى", "شيماء", "رحاب", "هالة", "سلمى", "ملك", "جنى", "روان",
)  # fmt: skip
FAMILY_NAMES = (
    "السيد", "عبد الحميد", "الشافعي", "منصور", "حسانين", "النجار", "الشربيني", "عثمان", "فرج",
    "سليمان", "البنا", "الجمال", "عبد الغني", "رمضان", "درويش", "الصاوي", "قنديل", "زكي", "غنيم",
    "مرسي", "العطار", "الحداد", "شلبي", "بدوي", "المصري", "سالم", "الخولي", "حمدي", "عيسى",
)  # fmt: skip
STREETS = (
    "شارع النيل", "شارع الجمهورية", "شارع التحرير", "شارع الهرم", "شارع فيصل", "شارع بورسعيد",
    "شارع السلام", "شارع الجلاء", "شارع طلعت حرب", "شارع المعز", "شارع الثورة", "شارع المحطة",
)  # fmt: skip
DISTRICTS = (
    "الدقي", "المعادي", "مدينة نصر", "شبرا", "إمبابة", "المنيل", "الزيتون", "العجوزة", "حلوان",
    "سموحة", "المنشية", "بندر", "أول", "ثان", "الجمرك", "العمرانية",
)  # fmt: skip
JOBS = (
    "مهندس", "طبيب", "محاسب", "مدرس", "محام", "موظف", "طالب", "صيدلي", "ممرضة", "سائق",
    "تاجر", "فني كهرباء", "بدون عمل", "ربة منزل", "مبرمج", "مدير مبيعات",
)  # fmt: skip
EMPLOYERS = ("", "", "بوزارة التربية والتعليم", "بشركة خاصة", "بالقطاع الخاص", "بمستشفى عام")
RELIGIONS = ("مسلم", "مسيحي")
MARITAL = {"single": "أعزب", "married": "متزوج", "divorced": "مطلق", "widowed": "أرمل"}
GOVERNORATE_CODES = tuple(code for code in nid.GOVERNORATES if code != "88")


@dataclass(frozen=True, slots=True)
class CardPerson:
    first_name: str
    father_name: str
    grandfather_name: str
    family_name: str
    gender: str  # nid.MALE | nid.FEMALE
    birth_date: date
    governorate_code: str
    address_1: str
    address_2: str
    id_number: str
    id_key: str  # the serial printed on the front
    job: str
    job_title: str
    religion: str
    marital_status: str
    husband_name: str
    release_date: date
    expiry_date: date

    @property
    def last_names(self) -> str:
        return f"{self.father_name} {self.grandfather_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_names}"

    @property
    def gender_label(self) -> str:
        return nid.GENDER_AR[self.gender]

    @property
    def governorate_ar(self) -> str:
        return nid.GOVERNORATES[self.governorate_code][1]


def _feminine(word: str, gender: str) -> str:
    if gender == nid.FEMALE and word in ("أعزب", "متزوج", "مطلق", "أرمل", "مسلم", "مسيحي"):
        return {"أعزب": "آنسة", "أرمل": "أرملة"}.get(word, word + "ة")
    return word


def make_person(rng: random.Random, *, today: date) -> CardPerson:
    gender = rng.choice((nid.MALE, nid.FEMALE))
    first = rng.choice(MALE_NAMES if gender == nid.MALE else FEMALE_NAMES)
    father, grandfather = rng.choice(MALE_NAMES), rng.choice(MALE_NAMES)
    born = today - timedelta(days=rng.randrange(18 * 365, 75 * 365))
    governorate = rng.choice(GOVERNORATE_CODES)
    marital = rng.choice(tuple(MARITAL))
    husband = ""
    if gender == nid.FEMALE and marital == "married":
        husband = f"{rng.choice(MALE_NAMES)} {rng.choice(MALE_NAMES)} {rng.choice(FAMILY_NAMES)}"
    released = today - timedelta(days=rng.randrange(30, 7 * 365))
    job = rng.choice(JOBS)
    return CardPerson(
        first_name=first,
        father_name=father,
        grandfather_name=grandfather,
        family_name=rng.choice(FAMILY_NAMES),
        gender=gender,
        birth_date=born,
        governorate_code=governorate,
        address_1=f"{rng.randrange(1, 250)} {rng.choice(STREETS)}",
        address_2=f"{rng.choice(DISTRICTS)} - {nid.GOVERNORATES[governorate][1]}",
        id_number=nid.generate(rng, birth_date=born, governorate_code=governorate, gender=gender),
        id_key=f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
        f"{rng.randrange(10**6, 10**7)}",
        job=job,
        job_title=rng.choice(EMPLOYERS),
        religion=_feminine(rng.choice(RELIGIONS), gender),
        marital_status=_feminine(MARITAL[marital], gender),
        husband_name=husband,
        release_date=released,
        expiry_date=released + timedelta(days=7 * 365),
    )
