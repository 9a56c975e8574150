"""Cleaning what Tesseract read, and snapping closed vocabularies to their known values.

Normalisation changes only what cannot be right on a card: bidi and zero-width marks, harakat
(the card prints none), tatweel, Persian and Urdu letter forms that the model sometimes emits for
their Arabic twins (ی ک ہ), dash variants (and a lone ٠ between two words: a dash read as a
zero), runs of spaces, and punctuation at either end of a field (the line recogniser likes to
end an Arabic line with "."). Letters that are often confused but both valid (ي/ى, ه/ة, ا/أ)
are left alone: either may be printed.

Closed vocabularies (the governorate at the end of the second address line, the status line of
the back: gender, religion and marital status) are snapped to the nearest known value when the
edit distance is at most a third of its length; further away, the field is left as read and its
confidence set to 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from hawiya.identity import national_id as nid

_DROP = dict.fromkeys(map(ord, "\u200e\u200f\u200b\u200c\u200d\u2066\u2067\u2068\u2069\u0640"))
_FORMS = str.maketrans({"ی": "ي", "ک": "ك", "ہ": "ه", "ۀ": "ة", "–": "-", "—": "-", "−": "-"})
_EDGES = " .,'\"`،؛:;-_|!?()[]{}<>«»"
_SPACES = re.compile(r"\s+")
_DASH = re.compile(r"\s*-\s*")
# a dash between two words that the line recogniser took for the Arabic zero (a short mark at
# mid-height, like ٠): a lone zero is never a word of a name, a job or an address
_ZERO_DASH = re.compile("(?<=[\u0621-\u064a]) \u0660 (?=[\u0621-\u064a])")

GOVERNORATES_AR = tuple(arabic for _, arabic in nid.GOVERNORATES.values())
GENDERS = {nid.MALE: "ذكر", nid.FEMALE: "أنثى"}
RELIGIONS = {nid.MALE: ("مسلم", "مسيحي"), nid.FEMALE: ("مسلمة", "مسيحية")}
MARITAL = {
    nid.MALE: ("أعزب", "متزوج", "مطلق", "أرمل"),
    nid.FEMALE: ("آنسة", "متزوجة", "مطلقة", "أرملة"),
}
SNAP_RATIO = 1 / 3


def clean(text: str) -> str:
    """A field's text with OCR noise that cannot be on a card removed."""
    value = unicodedata.normalize("NFC", text.translate(_DROP).translate(_FORMS))
    value = "".join(ch for ch in value if not ("\u064b" <= ch <= "\u065f" or ch == "\u0670"))
    value = _SPACES.sub(" ", value).strip(_EDGES)
    return _DASH.sub(" - ", _ZERO_DASH.sub(" - ", value))


def distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass(frozen=True, slots=True)
class Snapped:
    value: str  # the known value, or the text as read when none is close enough
    known: bool
    similarity: float  # 1 - distance / length


def snap(text: str, vocabulary: Iterable[str]) -> Snapped:
    best, best_distance = "", 1 << 30
    for word in vocabulary:
        d = distance(text, word)
        if d < best_distance:
            best, best_distance = word, d
    if best and best_distance <= max(1, int(len(best) * SNAP_RATIO)):
        return Snapped(best, True, 1 - best_distance / max(len(best), 1))
    return Snapped(text, False, 0.0)


def split_governorate(address_2: str) -> tuple[str, Snapped]:
    """The second address line with its governorate snapped ("الدقي - الجيزة"), and the
    governorate. The governorate is the part after the last dash, or failing a dash the words at
    the end that best match a governorate."""
    text = clean(address_2)
    if " - " in text:
        district, _, tail = text.rpartition(" - ")
        found = snap(tail, GOVERNORATES_AR)
        return (f"{district} - {found.value}" if found.known else text), found
    words = text.split(" ")
    best: tuple[float, int, Snapped] | None = None
    for n in (1, 2, 3):  # governorates have one to three words
        if n <= len(words):
            found = snap(" ".join(words[-n:]), GOVERNORATES_AR)
            if found.known and (best is None or found.similarity > best[0]):
                best = (found.similarity, n, found)
    if best is None:
        return text, Snapped("", False, 0.0)
    _, n, found = best
    return " ".join([*words[:-n], found.value]), found


@dataclass(frozen=True, slots=True)
class Status:
    gender: str  # nid.MALE | nid.FEMALE | ""
    religion: str
    marital_status: str
    similarity: float  # 0 when the line matched nothing close enough


def read_status(line: str) -> Status:
    """The back's status line ("أنثى مسلمة أرملة") as gender, religion and marital status: the
    nearest of the lines the card can print, the words agreeing in gender."""
    text = clean(line)
    lines = [
        (distance(text, f"{word} {religion} {marital}"), gender, religion, marital)
        for gender, word in GENDERS.items()
        for religion in RELIGIONS[gender]
        for marital in MARITAL[gender]
    ]
    d, gender, religion, marital = min(lines)
    expected = len(f"{GENDERS[gender]} {religion} {marital}")
    if d > expected * SNAP_RATIO:
        return Status("", "", "", 0.0)
    return Status(gender, religion, marital, 1 - d / expected)


HUSBAND_LABEL = "اسم الزوج"


def strip_label(text: str, label: str) -> str:
    """A field printed after a label ("اسم الزوج: ..."): the text after the colon, or after as
    many words as the label has when the colon was not read."""
    value = clean(text)
    if ":" in value:
        return clean(value.split(":", 1)[1])
    words = value.split(" ")
    n = len(label.split(" "))
    if len(words) > n and distance(" ".join(words[:n]), label) <= len(label) * SNAP_RATIO:
        return " ".join(words[n:])
    return value
