"""Arabic names from the ID card in Latin letters (`name_english`, `first_name_english`,
`last_names_english`, spec §6.1), spelled the way Egyptian documents usually spell them.

Known names (and compounds such as عبد الرحمن) take their most common Egyptian spelling from the
project's name lexicon (`aml.variants`, the same table the AML variants are generated from);
a family name with the article gets "El" (الشافعي -> El Shafei). Any other word is spelled
letter by letter with Egyptian values (ج -> g, ق -> k, ث -> th) and an "a" between consonants,
which reads acceptably but is only a fallback: the lexicon is what makes names right.
"""

from __future__ import annotations

from functools import cache

from hawiya.identity.aml.variants import FAMILY, FEMALE, MALE

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ـ": None})
_DIACRITICS = {chr(c) for c in range(0x064B, 0x0653)} | {"\u0670"}

_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "g", "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ء": "", "ؤ": "", "ئ": "",
}  # fmt: skip


def _key(word: str) -> str:
    return "".join(c for c in word.translate(_FOLD) if c not in _DIACRITICS).replace("ة", "ه")


@cache
def _lexicon() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in (*MALE, *FEMALE, *FAMILY):
        out.setdefault(_key(name.arabic), name.latin[0])
    return out


def _spell(word: str) -> str:
    """Letter by letter, for a word the lexicon does not know."""
    out: list[str] = []
    last_consonant = False
    letters = word.translate(_FOLD)
    for i, c in enumerate(letters):
        if c in _DIACRITICS:
            continue
        final = i == len(letters) - 1
        if c in ("ا", "ع", "ة", "ى"):
            out.append("a")
            last_consonant = False
        elif c == "و":
            out.append("w" if i == 0 else ("ou" if last_consonant or final else "w"))
            last_consonant = i == 0
        elif c == "ي":
            out.append("y" if i == 0 else ("y" if final and not last_consonant else "i"))
            last_consonant = i == 0
        elif c in _CONSONANTS:
            if last_consonant and not final:
                out.append("a")
            out.append(_CONSONANTS[c])
            last_consonant = True
        else:
            out.append(c)
            last_consonant = False
    return "".join(out).capitalize()


def _word(word: str) -> str:
    key = _key(word)
    known = _lexicon().get(key)
    if known is not None:
        if key.startswith("ال") and not known.lower().startswith("el"):
            return f"El {known}"
        return known
    if key.startswith("ال") and len(key) > 3:
        return f"El {_spell(key[2:])}"
    return _spell(word)


def transliterate(arabic: str | None) -> str | None:
    """The name in Latin letters; None for None or an empty name."""
    if not arabic or not arabic.strip():
        return None
    words = arabic.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = f"{words[i]} {words[i + 1]}" if i + 1 < len(words) else None
        if pair is not None and _key(pair) in _lexicon():
            out.append(_word(pair))
            i += 2
            continue
        out.append(_word(words[i]))
        i += 1
    return " ".join(out)


def english_names(fields: dict[str, str | None]) -> dict[str, str | None]:
    """The three `*_english` fields of a front reading."""
    return {
        "name_english": transliterate(fields.get("name")),
        "first_name_english": transliterate(fields.get("first_name")),
        "last_names_english": transliterate(fields.get("last_names")),
    }
