"""Synthetic sanction-list entries and labelled screening queries, for tests and bench/aml.py.

Deterministic: everything is drawn from the `random.Random` passed in. People get Egyptian-style
four-part names (first, father, grandfather, family) from the built-in lists below, each name in
Arabic with its common Latin spellings (Egyptian ones first: g for ج, e/o vowels). First names
are drawn with Zipf-like weights (Mohamed is by far the most common, as in Egypt), which is what
makes screening hard: most people share a first name with thousands of others.

`make_list` gives entries as lists hold them: international lists (UN, OFAC, EU) in Latin, with
two to four of the names, sometimes family-first, with alternative spellings and sometimes an
Arabic alias; tenant blacklists in Arabic, as on the ID card, with the national ID number.

`make_queries` gives (customer name, expected entry id or None): the listed person's name as a
customer would present it (Arabic from the ID or a Latin rendering) with the variations seen in
practice (other spellings, a dropped middle name, family name first, El-/Al- added, dropped or
glued, عبد/Abdel spacing, diacritics and hamza forms, ta marbuta/alef maqsura swaps, a
one-character typo in a name of 5+ letters), and decoys: different people who share the first
name (and sometimes the family name) with a listed person, checked not to contain any listed
alias.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate, combinations

from hawiya.identity import national_id
from hawiya.identity.aml.matcher import ListEntry
from hawiya.identity.aml.normalize import normalize_name


@dataclass(frozen=True, slots=True)
class Name:
    arabic: str  # as printed on an ID, with hamza forms and ة / ى
    latin: tuple[str, ...]  # common spellings, the most common first


def _table(text: str) -> tuple[Name, ...]:
    out = []
    for line in text.strip().splitlines():
        arabic, latin = line.split("|")
        out.append(Name(arabic.strip(), tuple(s.strip() for s in latin.split(","))))
    return tuple(out)


MALE = _table("""
محمد|Mohamed,Mohammed,Muhammad,Mohamad,Mohammad
أحمد|Ahmed,Ahmad
محمود|Mahmoud,Mahmud,Mahmood
مصطفى|Mostafa,Moustafa,Mustafa
علي|Ali,Aly
حسن|Hassan,Hasan
إبراهيم|Ibrahim,Ebrahim
عمر|Omar,Omer
يوسف|Youssef,Yousef,Yusuf,Youssif
خالد|Khaled,Khalid
عبد الله|Abdallah,Abdullah,Abdalla,Abd Allah
عبد الرحمن|Abdelrahman,Abdel Rahman,Abdulrahman,Abd al-Rahman
حسين|Hussein,Hossein,Husein,Hussain
عمرو|Amr,Amro
كريم|Karim,Kareem
طارق|Tarek,Tareq,Tarik
هشام|Hesham,Hisham
وليد|Walid,Waleed
سامح|Sameh
شريف|Sherif,Sharif,Shareef
أيمن|Ayman,Aymen
هاني|Hany,Hani
سامي|Samy,Sami
رامي|Ramy,Rami
عماد|Emad,Imad
عصام|Essam,Issam
إيهاب|Ehab,Ihab
أسامة|Osama,Usama,Ossama
جمال|Gamal,Jamal
كمال|Kamal
صلاح|Salah
فتحي|Fathy,Fathi
مجدي|Magdy,Magdi
حمدي|Hamdy,Hamdi
صبري|Sabry,Sabri
رمضان|Ramadan,Ramadhan
رجب|Ragab,Rajab
شعبان|Shaaban,Shaban
سيد|Sayed,Sayyid
سعيد|Said,Saeed,Saied
سعد|Saad,Sa'ad
عادل|Adel,Adil
ماجد|Maged,Majed,Magid
حامد|Hamed,Hamid
أشرف|Ashraf
أنور|Anwar,Anwer
ياسر|Yasser,Yaser
تامر|Tamer,Tamir
حازم|Hazem,Hazim
باسم|Bassem,Basem,Basim
حسام|Hossam,Hosam,Husam
مروان|Marwan
زياد|Ziad,Zeyad,Ziyad
نبيل|Nabil,Nabeel
سمير|Samir,Sameer
منير|Mounir,Monir,Munir
مراد|Mourad,Morad,Murad
رضا|Reda,Rida
فؤاد|Fouad,Fuad
فاروق|Farouk,Farouq,Faruk
منصور|Mansour,Mansur
ممدوح|Mamdouh,Mamduh
محسن|Mohsen,Muhsin
مدحت|Medhat,Midhat
رأفت|Raafat,Rafat
عزت|Ezzat,Izzat
ثروت|Tharwat,Sarwat
صفوت|Safwat
حلمي|Helmy,Helmi,Hilmi
فوزي|Fawzy,Fawzi
شوقي|Shawky,Shawki
لطفي|Lotfy,Lutfi
رشدي|Roshdy,Rushdi
عاطف|Atef,Atif
عاصم|Assem,Asem,Asim
ناصر|Nasser,Naser,Nasir
جلال|Galal,Jalal
بلال|Belal,Bilal
هيثم|Haitham,Haytham
أدهم|Adham
عمار|Ammar
معتز|Moataz,Motaz,Mutaz
مؤمن|Moamen,Momen,Mumin
أمين|Amin,Ameen
ياسين|Yassin,Yasin,Yaseen
إسماعيل|Ismail,Esmail,Ismael
إسلام|Islam,Eslam
زكريا|Zakaria,Zakariya
يحيى|Yehia,Yahia,Yahya
موسى|Moussa,Mousa,Musa
عيسى|Eissa,Issa
سليمان|Soliman,Suleiman,Sulaiman
داود|Dawood,Dawoud,Daoud
عثمان|Othman,Osman
عبد العزيز|Abdelaziz,Abdel Aziz,Abdulaziz
عبد الحميد|Abdelhamid,Abdel Hamid,Abdulhamid
عبد الفتاح|Abdelfattah,Abdel Fattah
عبد المنعم|Abdelmoneim,Abdel Moneim,Abdulmunim
عبد الناصر|Abdelnasser,Abdel Nasser,Abdul Nasser
عبد الحليم|Abdelhalim,Abdel Halim
عبد الغني|Abdelghany,Abdel Ghani
عبد السلام|Abdelsalam,Abdel Salam,Abdessalam
عبد الرازق|Abdelrazek,Abdel Razek,Abdulrazaq
عبد العال|Abdelaal,Abdel Aal
عبد الباسط|Abdelbaset,Abdel Basset
عبد الهادي|Abdelhady,Abdel Hadi
عبد المجيد|Abdelmeguid,Abdel Meguid,Abdulmajid
عبد الوهاب|Abdelwahab,Abdel Wahab
عبد القادر|Abdelkader,Abdel Kader,Abdulqadir
نور الدين|Noureldin,Nour El Din,Nour Eldin,Nuruddin
صلاح الدين|Salaheldin,Salah El Din,Salah Eldin,Salahuddin
علاء الدين|Alaaeldin,Alaa El Din,Alaa Eldin
عز الدين|Ezzeldin,Ezz El Din,Ezzedine
سيف الدين|Seifeldin,Seif El Din
حسام الدين|Hossameldin,Hossam El Din
أبو بكر|Abubakr,Abu Bakr,Aboubakr
علاء|Alaa,Ala
وائل|Wael,Wail
رائد|Raed,Ra'ed
ماهر|Maher,Mahir
شادي|Shady,Shadi
فادي|Fady,Fadi
مينا|Mina,Meena
جرجس|Girgis,Gerges
بيشوي|Bishoy,Bishoi
بطرس|Boutros,Botros,Butrus
مرقص|Morcos,Morkos
نادر|Nader,Nadir
جمعة|Gomaa,Gumaa,Jumaa
عيد|Eid
عوض|Awad
متولي|Metwally,Metwaly,Mitwalli
عرفة|Arafa,Arafah
فرج|Farag,Faraj
حمادة|Hamada
شحاتة|Shehata,Shahata
ربيع|Rabie,Rabea
سلامة|Salama
بكر|Bakr
زكي|Zaki,Zaky
رفعت|Refaat,Rifaat
جابر|Gaber,Jaber
صابر|Saber,Sabir
شاكر|Shaker,Shakir
سالم|Salem,Salim
عبده|Abdo,Abdou
نجيب|Naguib,Nagib,Najib
كامل|Kamel,Kamil
مختار|Mokhtar,Mukhtar
إمام|Emam,Imam
حمزة|Hamza
أنس|Anas
معاذ|Moaz,Muaz
طه|Taha
محب|Moheb,Muhib
هادي|Hady,Hadi
ضياء|Diaa,Diya
بهاء|Bahaa,Baha
وحيد|Waheed,Wahid
سيف|Seif,Saif
زين|Zein,Zain
منتصر|Montaser,Muntasir
ناجي|Nagy,Naji
راضي|Rady,Radi
""")

FEMALE = _table("""
فاطمة|Fatma,Fatima,Fatmah
مريم|Mariam,Maryam
نورا|Noura,Nora
سارة|Sara,Sarah
منى|Mona,Muna
هدى|Hoda,Huda
هبة|Heba,Hiba
إيمان|Eman,Iman
أسماء|Asmaa,Asma
آية|Aya,Ayah
دعاء|Doaa,Duaa
شيماء|Shaimaa,Shaima,Shimaa
ياسمين|Yasmin,Yasmine,Yasmeen
رانيا|Rania,Ranya
دينا|Dina,Deena
ريم|Reem,Rim
سلمى|Salma,Selma
ندى|Nada
مروة|Marwa,Marwah
رشا|Rasha
غادة|Ghada
نجلاء|Naglaa,Najlaa
نهى|Noha,Nuha
سماح|Samah
سمر|Samar
سعاد|Soad,Suad
سوسن|Sawsan
زينب|Zeinab,Zainab,Zaynab
خديجة|Khadiga,Khadija
عائشة|Aisha,Aicha
أميرة|Amira,Ameera
سميرة|Samira,Sameera
نادية|Nadia,Nadya
نجوى|Nagwa,Najwa
هناء|Hanaa,Hana
حنان|Hanan
إسراء|Esraa,Israa
بسمة|Basma
ليلى|Laila,Leila,Layla
لمياء|Lamiaa,Lamia
عبير|Abeer,Abir
أمل|Amal
أماني|Amany,Amani
منال|Manal
ماجدة|Magda,Majda
هالة|Hala
علا|Ola,Ula
رحاب|Rehab,Rihab
ريهام|Reham,Riham
سحر|Sahar
شيرين|Sherine,Shirin
نيفين|Nevine,Nevin
ميرفت|Mervat,Mirvat
فريدة|Farida
جميلة|Gamila,Jamila
نبيلة|Nabila
وفاء|Wafaa,Wafa
صفاء|Safaa,Safa
سناء|Sanaa,Sana
ثريا|Thuraya,Soraya
رضوى|Radwa
حبيبة|Habiba
ملك|Malak
رقية|Roqaya,Ruqayya
تسنيم|Tasneem,Tasnim
كريمة|Karima
عزة|Azza
فايزة|Fayza,Faiza
سهام|Seham,Siham
سهير|Soheir,Suhair
عفاف|Afaf
إنجي|Engy,Inji
داليا|Dalia,Dalya
مها|Maha
ميار|Mayar
مي|Mai,May
هند|Hend,Hind
وداد|Wedad,Widad
بثينة|Bothaina,Buthaina
زهرة|Zahra
إيناس|Enas,Inas
نسرين|Nesreen,Nisreen,Nesrine
شهد|Shahd
روان|Rawan
لبنى|Lobna,Lubna
هيام|Hiam,Hiyam
فيروز|Fayrouz,Fairuz
صباح|Sabah
فوزية|Fawzia,Fawziya
ابتسام|Ebtisam,Ibtisam
انتصار|Entsar,Intisar
إلهام|Elham,Ilham
تهاني|Tahany,Tahani
أمنية|Omnia,Omneya
نيرة|Nayera,Naira
سلوى|Salwa
مديحة|Madiha
جنى|Jana,Gana
نرمين|Nermine,Nermin
شاهندا|Shahenda
هايدي|Heidi,Haidy
""")

FAMILY = _table("""
السيد|Sayed,Sayyed
المصري|Masry,Masri
الشرقاوي|Sharkawy,Sharqawi
الشاذلي|Shazly,Shazli
النجار|Naggar,Najjar
الحداد|Haddad
العطار|Attar
الجمال|Gammal,Jammal
البنا|Banna
الخولي|Kholy,Khouli
الدسوقي|Desouky,Dessouki
المنشاوي|Menshawy,Minshawi
الطنطاوي|Tantawy,Tantawi
البدوي|Badawy,Badawi
الصاوي|Sawy,Sawi
الغمري|Ghamry,Ghamri
الزيات|Zayat,Zayyat
الشناوي|Shenawy,Shinawi
الحسيني|Hosseiny,Husseini
العربي|Araby,Arabi
الألفي|Alfy,Alfi
السقا|Sakka,Saqqa
القاضي|Kady,Qadi
الحلواني|Helwany,Halwani
الشامي|Shamy,Shami
الكردي|Kordy,Kurdi
المغربي|Maghraby,Maghribi
البيومي|Bayoumi,Bayoumy
الهواري|Hawary,Hawari
الجندي|Gendy,Jundi
العسال|Assal
الخطيب|Khatib,Khateeb
القصاص|Kassas,Qassas
الشربيني|Sherbiny,Shirbini
الصباغ|Sabbagh
السباعي|Sebaei,Sibai
الشافعي|Shafei,Shafii
الرفاعي|Refaey,Rifai
الدمرداش|Demerdash,Dimirdash
المهدي|Mahdy,Mahdi
البنهاوي|Banhawy,Banhawi
العشري|Ashry,Ashri
المليجي|Meligy,Maligi
الجزار|Gazzar,Jazzar
الطحان|Tahan,Tahhan
العدوي|Adawy,Adawi
النمر|Nemr,Nimr
الشهاوي|Shahawy,Shahawi
الوكيل|Wakil,Wakeel
الحفناوي|Hefnawy,Hifnawi
السعدني|Saadany,Saadani
السنهوري|Sanhoury,Sanhuri
الرشيدي|Rashidy,Rashidi
الحناوي|Hennawy,Hinnawi
الأنصاري|Ansary,Ansari
الليثي|Leithy,Laithi
البرادعي|Baradei,Baradey
حسن|Hassan,Hasan
علي|Ali,Aly
إبراهيم|Ibrahim,Ebrahim
محمود|Mahmoud,Mahmud
عبد العزيز|Abdelaziz,Abdel Aziz
عبد الرحمن|Abdelrahman,Abdel Rahman
عبد الفتاح|Abdelfattah,Abdel Fattah
عبد الغني|Abdelghany,Abdel Ghany
عبد الحميد|Abdelhamid,Abdel Hamid
عبد المقصود|Abdelmaksoud,Abdel Maksoud
عبد الجواد|Abdelgawad,Abdel Gawad
عبد اللطيف|Abdellatif,Abdel Latif
عبد الملك|Abdelmalek,Abdel Malek
عبد الرؤوف|Abdelraouf,Abdel Raouf
عبد الباقي|Abdelbaky,Abdel Baky
عبد الدايم|Abdeldayem,Abdel Dayem
عبد النبي|Abdelnaby,Abdel Naby
شحاتة|Shehata,Shahata
أباظة|Abaza
عكاشة|Okasha,Ukasha
حجازي|Hegazy,Higazi,Hijazi
منصور|Mansour,Mansur
سليمان|Soliman,Suleiman
رجب|Ragab,Rajab
رمضان|Ramadan
فاروق|Farouk,Farouq
فهمي|Fahmy,Fahmi
حلمي|Helmy,Hilmi
بدوي|Badawy,Badawi
زكي|Zaki,Zaky
نجيب|Naguib,Nagib
سلامة|Salama,Salamah
جمعة|Gomaa,Gumaa
حمدي|Hamdy,Hamdi
عزت|Ezzat,Izzat
نصر|Nasr
فؤاد|Fouad,Fuad
حافظ|Hafez,Hafiz
كامل|Kamel,Kamil
رضوان|Radwan,Redwan
عاشور|Ashour,Ashur
متولي|Metwally,Metwali
مرسي|Morsi,Morsy,Mursi
صبري|Sabry,Sabri
شاكر|Shaker,Shakir
أبو زيد|Abou Zeid,Abu Zeid,Abouzeid
أبو الفتوح|Abou El Fotouh,Aboul Fotouh,Abu al-Futuh
أبو العلا|Abou El Ela,Abul Ela
أبو السعود|Abou El Seoud,Abu al-Saud
أبو شادي|Abou Shady,Abu Shadi
عبد الله|Abdallah,Abdullah
عثمان|Othman,Osman
يونس|Younes,Younis,Yunus
إدريس|Idris,Edris
غنيم|Ghoneim,Ghonim,Ghunaim
سرور|Sorour,Surur
حمودة|Hamouda,Hammouda
عبيد|Obeid,Ubaid
قنديل|Kandil,Qandil
شلبي|Shalaby,Shalabi
تمام|Tammam,Tamam
دياب|Diab,Dyab
عطية|Attia,Atteya,Atiyah
عياد|Ayad,Ayyad
عوض|Awad
خليل|Khalil,Khaleel
جاد الله|Gadallah,Gad Allah,Jadallah
عطا الله|Atallah,Ata Allah
فتح الله|Fathallah,Fath Allah
نصر الله|Nasrallah,Nasr Allah
خير الله|Kheirallah,Khairallah
سعد الدين|Saadeldin,Saad El Din
بهاء الدين|Bahaaeldin,Bahaa El Din
شمس الدين|Shamseldin,Shams El Din
طلعت|Talaat,Talat
مكاوي|Makkawy,Makkawi
صقر|Sakr,Saqr
عيسى|Eissa,Issa
موسى|Moussa,Mousa
حسنين|Hassanein,Hasanein
سالم|Salem,Salim
غريب|Ghareeb,Gharib
درويش|Darwish
جاب الله|Gaballah,Jaballah
بسيوني|Basiouny,Bassiouni
شعراوي|Shaarawy,Shaarawi
ربيع|Rabie,Rabea
زايد|Zayed,Zaied
قطب|Kotb,Qutb
عمران|Omran,Imran
هلال|Helal,Hilal
مبارك|Mubarak,Moubarak
نوح|Nouh,Nuh
يسري|Yousry,Yosri,Yusri
وهبة|Wahba,Wahbah
صادق|Sadek,Sadiq
زهران|Zahran
""")


def _zipf(count: int, exponent: float) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


_MALE_CUM = _zipf(len(MALE), 1.0)
_FEMALE_CUM = _zipf(len(FEMALE), 0.9)
_FAMILY_CUM = _zipf(len(FAMILY), 0.6)
_AR_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_LA_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_HARAKAT = "\u064e\u064f\u0650\u0651\u0652"
_INTERNATIONAL = ("UN", "OFAC", "EU")
TYPO_RATE = 0.1  # of positive queries with a one-character typo in one name


@dataclass(frozen=True, slots=True)
class Person:
    """A synthetic person: four names, and which of them each of the entry's aliases shows."""

    parts: tuple[Name, Name, Name, Name]  # first, father, grandfather, family
    female: bool


def _male(rng: random.Random) -> Name:
    return rng.choices(MALE, cum_weights=_MALE_CUM)[0]


def _person(rng: random.Random) -> Person:
    female = rng.random() < 0.3
    first = rng.choices(FEMALE, cum_weights=_FEMALE_CUM)[0] if female else _male(rng)
    family = rng.choices(FAMILY, cum_weights=_FAMILY_CUM)[0]
    return Person((first, _male(rng), _male(rng), family), female)


# --- rendering ---------------------------------------------------------------------------------


def _arabic(name: Name, rng: random.Random) -> str:
    """One name in Arabic with the spacing and spelling noise of typed or OCR'd text."""
    text = name.arabic
    if " " in text and rng.random() < 0.5:
        text = text.replace(" ", "")  # عبد الله / عبدالله
    r = rng.random()
    if r < 0.15:
        text = text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    elif r < 0.2:
        text = text.replace("ا", "أ", 1) if text.startswith("ا") else text
    if text.endswith("ة") and rng.random() < 0.3:
        text = text[:-1] + "ه"
    if text.endswith("ى") and rng.random() < 0.4:
        text = text[:-1] + "ي"
    if rng.random() < 0.1:
        pos = rng.randrange(1, len(text) + 1)
        text = text[:pos] + rng.choice(_HARAKAT) + text[pos:]
    if rng.random() < 0.03 and len(text) > 2:
        text = text[:2] + "ـ" + text[2:]  # tatweel
    return text


def _latin_spelling(name: Name, rng: random.Random) -> str:
    return name.latin[0] if rng.random() < 0.5 else rng.choice(name.latin)


def _latin(name: Name, rng: random.Random, *, family: bool = False) -> str:
    text = _latin_spelling(name, rng)
    if " " in text and rng.random() < 0.2:
        text = text.replace(" ", "-")  # Abdel-Rahman
    if family and name.arabic.startswith("ال"):
        r = rng.random()
        if r < 0.35:
            text = "El " + text
        elif r < 0.55:
            text = "El-" + text
        elif r < 0.65:
            text = "Al-" + text
        elif r < 0.8 and text[0].lower() not in "aeiou":
            text = "El" + text.lower()
    return text


def _render(parts: list[Name], arabic: bool, rng: random.Random, family_index: int) -> list[str]:
    if arabic:
        return [_arabic(p, rng) for p in parts]
    return [_latin(p, rng, family=i == family_index) for i, p in enumerate(parts)]


def _list_style(tokens: list[str], family_last: bool, rng: random.Random) -> str:
    """As an international list prints a name: given names first, or "FAMILY, Given"."""
    if family_last and len(tokens) > 1 and rng.random() < 0.2:
        return f"{tokens[-1].upper()}, {' '.join(tokens[:-1])}"
    return " ".join(tokens)


# --- the list ----------------------------------------------------------------------------------


def _id_number(person: Person, rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 55 * 365))
    gov = rng.choice(sorted(national_id.GOVERNORATES))
    gender = national_id.FEMALE if person.female else national_id.MALE
    return national_id.generate(rng, birth_date=born, governorate_code=gov, gender=gender)


def _shown(rng: random.Random) -> tuple[int, ...]:
    r = rng.random()
    if r < 0.6:
        return (0, 1, 2, 3)
    if r < 0.97:
        return (0, 1, 3)
    return (0, 3)


def make_list(n: int, rng: random.Random) -> list[ListEntry]:
    """`n` list entries, each for a different synthetic person (names may repeat, as in life).

    `metadata` carries the `Person` ("person") and, per name of the entry, which of the person's
    four names it shows ("shown"), so that queries can be labelled."""
    entries = []
    for k in range(n):
        person = _person(rng)
        names: list[str] = []
        shown: list[tuple[int, ...]] = []
        id_numbers: tuple[str, ...] = ()
        if rng.random() < 0.65:
            source = rng.choice(_INTERNATIONAL)
            for alias in range(1 + (rng.random() < 0.5) + (rng.random() < 0.2)):
                which = _shown(rng) if alias == 0 else rng.choice([(0, 1, 2, 3), (0, 1, 3)])
                parts = [person.parts[i] for i in which]
                tokens = _render(parts, False, rng, len(parts) - 1)
                names.append(_list_style(tokens, True, rng))
                shown.append(which)
            if rng.random() < 0.4:
                names.append(" ".join(_render(list(person.parts), True, rng, 3)))
                shown.append((0, 1, 2, 3))
        else:
            source = "tenant"
            names.append(" ".join(_render(list(person.parts), True, rng, 3)))
            shown.append((0, 1, 2, 3))
            id_numbers = (_id_number(person, rng),)
        entries.append(
            ListEntry(
                entry_id=f"{source}-{k:07d}",
                names=tuple(names),
                id_numbers=id_numbers,
                source=source,
                metadata={"person": person, "shown": tuple(shown)},
            )
        )
    return entries


# --- the queries -------------------------------------------------------------------------------


def _typo(word: str, rng: random.Random) -> str:
    """One edit in the last word of a rendered name (not in its El- or Abdel- part)."""
    cut = max(word.rfind(" "), word.rfind("-")) + 1
    return word[:cut] + _edit(word[cut:], rng)


def _edit(token: str, rng: random.Random) -> str:
    letters = _AR_LETTERS if any("\u0600" <= ch <= "\u06ff" for ch in token) else _LA_LETTERS
    pos = rng.randrange(1, len(token))  # keep the first letter, as people usually do
    r = rng.random()
    if r < 0.4:
        return token[:pos] + rng.choice(letters) + token[pos + 1 :]
    if r < 0.6:
        return token[:pos] + token[pos + 1 :]
    if r < 0.8:
        return token[:pos] + rng.choice(letters) + token[pos:]
    if pos + 1 < len(token):
        return token[:pos] + token[pos + 1] + token[pos] + token[pos + 2 :]
    return token[:pos] + token[pos] + token[pos:]


def _customer(
    parts: list[Name], rng: random.Random, *, variants: bool
) -> tuple[list[str], list[str]]:
    """A customer's name as they give it, Arabic as read from the ID or a Latin rendering, and
    the variations applied (tags)."""
    arabic = rng.random() < 0.5
    tags = ["arabic" if arabic else "latin"]
    family = len(parts) - 1
    if variants and rng.random() < 0.2:
        del parts[2 if rng.random() < 0.9 else 1]  # a dropped middle name
        family -= 1
        tags.append("dropped-middle")
    tokens = _render(parts, arabic, rng, family)
    if arabic and variants and parts[family].arabic.startswith("ال") and rng.random() < 0.15:
        tokens[family] = tokens[family][2:]  # the family name without its article
        tags.append("no-article")
    if variants and rng.random() < TYPO_RATE:
        minimum = 5 if arabic else 6  # in a short name one letter makes another name
        long_enough = [i for i, t in enumerate(tokens) if len(_bare(t)) >= minimum]
        if long_enough:
            i = rng.choice(long_enough)
            tokens[i] = _typo(tokens[i], rng)
            tags.append("typo")
    if variants and rng.random() < 0.1:
        tokens = [tokens[family], *tokens[:family], *tokens[family + 1 :]]  # family name first
        tags.append("family-first")
    if not arabic and rng.random() < 0.2:
        tokens = [t.upper() for t in tokens]
    return tokens, tags


def _bare(rendered: str) -> str:
    """A rendered name without its article (El-, El , ال): what a typo is counted on."""
    last = rendered.replace("-", " ").split()[-1]
    return last[2:] if last.startswith("ال") else last


def _identity(name: Name) -> str:
    """Who a name is, for labels: its normalised Arabic without the article (السيد is سيد)."""
    text = normalize_name(name.arabic)
    return text[2:] if text.startswith("ال") and len(text) > 3 else text


def _canonical(names: list[Name]) -> int:
    return hash("|".join(sorted(_identity(n) for n in names)))


def _listed(entries: list[ListEntry]) -> set[int]:
    seen: set[int] = set()
    for entry in entries:
        person, shown = entry.metadata.get("person"), entry.metadata.get("shown")
        if isinstance(person, Person) and isinstance(shown, tuple):
            for which in shown:
                seen.add(_canonical([person.parts[i] for i in which]))
    return seen


def _decoy(person: Person, rng: random.Random, listed: set[int]) -> Person | None:
    """Someone else with the same first name (and sometimes the same family name)."""
    for _ in range(20):
        family = (
            person.parts[3]
            if rng.random() < 0.4
            else rng.choices(FAMILY, cum_weights=_FAMILY_CUM)[0]
        )
        father, grand = _male(rng), _male(rng)
        if {_identity(father), _identity(grand)} & {_identity(p) for p in person.parts[1:3]}:
            continue
        other = Person((person.parts[0], father, grand, family), person.female)
        subsets = (list(sub) for size in (2, 3, 4) for sub in combinations(other.parts, size))
        if not any(_canonical(sub) in listed for sub in subsets):
            return other
    return None


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    name: str
    expected: str | None  # the entry id it should match; None for a decoy
    tags: tuple[str, ...]  # the variations applied: latin/arabic, typo, dropped-middle, ...


def make_labelled(
    entries: list[ListEntry], rng: random.Random, *, count: int = 2000, decoys: float = 0.3
) -> list[LabelledQuery]:
    """`count` queries: variants of listed people's names and (about `decoys` of them) decoys."""
    listed = _listed(entries)
    out: list[LabelledQuery] = []
    while len(out) < count:
        entry = rng.choice(entries)
        person = entry.metadata.get("person")
        if not isinstance(person, Person):
            continue
        if rng.random() < decoys:
            other = _decoy(person, rng, listed)
            if other is not None:
                tokens, tags = _customer(list(other.parts), rng, variants=False)
                out.append(LabelledQuery(" ".join(tokens), None, ("decoy", *tags)))
            continue
        tokens, tags = _customer(list(person.parts), rng, variants=True)
        out.append(LabelledQuery(" ".join(tokens), entry.entry_id, tuple(tags)))
    return out


def make_queries(
    entries: list[ListEntry], rng: random.Random, *, count: int = 2000, decoys: float = 0.3
) -> list[tuple[str, str | None]]:
    """`count` labelled queries: (customer name, id of the entry it should match, or None)."""
    return [(q.name, q.expected) for q in make_labelled(entries, rng, count=count, decoys=decoys)]
