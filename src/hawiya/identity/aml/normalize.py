"""Name normalisation and the cross-script phonetic key used by AML screening.

A customer's name comes from the national ID in Arabic ("محمد عبد الله أحمد") or is typed in
Latin letters; sanction lists (UN, OFAC, EU) hold mostly Latin renderings, some with Arabic
aliases. Two steps make them comparable, both pure functions:

1. `normalize_name` folds spelling noise *within* a script, so that equal names give equal text:

   - Unicode NFKD, then every combining mark goes: Arabic harakat, tanwin, shadda and sukun
     (U+064B..U+065F), the dagger alef (U+0670), Quranic marks, and Latin accents; hamza on a
     carrier decomposes here too, so أ إ آ become ا, ؤ becomes و and ئ becomes ي. ٱ (wasla) is
     mapped to ا, ى to ي, ة to ه; a standalone ء, tatweel, zero-width and bidi marks, and
     apostrophes (ʿ ʾ ' ’, which in transliteration mark an ain or a hamza *inside* a word:
     "Sa'id" is "Said") are dropped. Persian/Urdu letter forms become their Arabic twins
     (ی ک ھ پ ڤ گ چ ژ) and Eastern-Arabic / Persian digits become ASCII.
   - Latin is lower-cased (casefold); hyphens and all other punctuation become spaces; runs of
     whitespace collapse; Arabic and non-Arabic letters glued together are split.
   - Compound names are joined into one token, in both scripts, so that spacing never matters:
     a token عبد / ابو (Latin: abd, abdel, abdul, abdal, abdur, ..., abu, abou, abo, aboul) is
     joined to the token after it (in Latin, with an article between: "Abd al-Rahman" ->
     "abdalrahman"), and a token الدين / الله (Latin: din, deen, eldin, eddine, ..., allah,
     alla, ullah) is joined to the token before it. So "عبد الله" == "عبدالله", "عبد الرحمن" ==
     "عبدالرحمن", "ابو بكر" == "أبوبكر", "Abdel Rahman" == "Abdelrahman", "Nour El Din" ==
     "Noureldin". "Abdo"/"Abdou" (عبده) are names of their own and are never joined.
   - Particles go: Arabic بن ابن بنت and Latin al, el, ul, bin, ben, ibn, bint, binti, ould
     ("son/daughter of" and the detached article carry no identity: "Mohamed El Sayed" is
     "mohamed sayed"). "Abu"/"ابو" is *kept* (it is part of the name: Abu Bakr, Abou Zeid).
     Honorifics (Mr, Dr, Eng, Sheikh, Hajj, الحاج, الشيخ, د, م, ...) go only at the start of a
     name, since several are also family names ("Mohamed El Sheikh"). A name made only of
     particles is kept as it is.

   The result is idempotent (normalising twice changes nothing) and never raises.

2. `profile` (and `skeleton`, its string part) maps one normalised token, from either script, to
   a consonant key plus what is known of the vowels between the consonants; see its docstring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# --- character level ---------------------------------------------------------------------------

_CHAR_MAP: dict[int, str | None] = {
    0x0671: "\u0627",  # ٱ alef wasla -> ا (أ إ آ come out of NFKD as ا + a combining hamza/madda)
    0x0622: "\u0627",
    0x0623: "\u0627",
    0x0625: "\u0627",
    0x0649: "\u064a",  # ى -> ي
    0x0629: "\u0647",  # ة -> ه
    0x0624: "\u0648",  # ؤ -> و
    0x0626: "\u064a",  # ئ -> ي
    0x0621: None,  # standalone ء
    0x0640: None,  # tatweel
    0x06CC: "\u064a",  # Persian ی
    0x06A9: "\u0643",  # keheh ک
    0x06BE: "\u0647",  # ھ
    0x06C1: "\u0647",
    0x06C0: "\u0647",
    0x06D5: "\u0647",
    0x067E: "\u0628",  # پ -> ب
    0x06A4: "\u0641",  # ڤ -> ف
    0x06AF: "\u062c",  # گ -> ج (Egyptian g)
    0x0686: "\u062c",  # چ
    0x0698: "\u0632",  # ژ -> ز
    0x00DF: "ss",
    0x00E6: "ae",
    0x0153: "oe",
    0x00F8: "o",
    0x0142: "l",
    0x0111: "d",
    0x00F0: "d",
    0x00FE: "th",
    0x0131: "i",
}
for _i in range(10):
    _CHAR_MAP[0x0660 + _i] = str(_i)  # Eastern-Arabic digits
    _CHAR_MAP[0x06F0 + _i] = str(_i)  # Persian digits
for _cp in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF, 0xAD):
    _CHAR_MAP[_cp] = None  # zero-width and bidi controls, soft hyphen
for _ch in "'`\u00b4\u2018\u2019\u02bc\u02be\u02bf\u02b9\u2032":
    _CHAR_MAP[ord(_ch)] = None  # ain / hamza marks inside a transliterated word
_TRANSLATE = str.maketrans(_CHAR_MAP)

_NON_WORD = re.compile(r"[\W_]+")
_ARABIC_BLOCK = "\u0600-\u06ff"
_SCRIPT_EDGE = re.compile(
    rf"(?<=[{_ARABIC_BLOCK}])(?=[^{_ARABIC_BLOCK}\s])|(?<=[^{_ARABIC_BLOCK}\s])(?=[{_ARABIC_BLOCK}])"
)
_ARABIC_CHAR = re.compile(rf"[{_ARABIC_BLOCK}]")


def _fold_chars(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_TRANSLATE)


def _clean(text: str) -> str:
    # Folding can expose characters that fold again (a casefold that yields a decomposable
    # letter), so it runs to a fixed point; in practice once or twice.
    folded = _fold_chars(text)
    for _ in range(4):
        again = _fold_chars(folded)
        if again == folded:
            break
        folded = again
    spaced = _NON_WORD.sub(" ", folded)
    return _SCRIPT_EDGE.sub(" ", spaced)


def is_arabic(token: str) -> bool:
    return _ARABIC_CHAR.search(token) is not None


# --- token level -------------------------------------------------------------------------------

_AR_PREFIXES = frozenset({"عبد", "ابو"})
_AR_SUFFIXES = frozenset({"الدين", "الله"})
_AR_PARTICLES = frozenset({"بن", "ابن", "بنت"})
_AR_HONORIFICS = frozenset(
    {
        "السيده",  # Mrs (السيد alone is a common name and stays)
        "الحاج",
        "الحاجه",
        "الشيخ",
        "الدكتور",
        "الدكتوره",
        "المهندس",
        "المهندسه",
        "الاستاذ",
        "الاستاذه",
        "د",
        "م",
        "ا",
    }
)

_LA_ABD = frozenset(
    {"abd", "abdel", "abdul", "abdal", "abdol", "abdoul", "abdil", "abdur", "abder", "abdar"}
)
_LA_ABU = frozenset({"abu", "abou", "abo", "aboul", "abul", "abol", "abuel", "abouel"})
_LA_ARTICLES = frozenset(
    {
        "al", "el", "ul", "il", "ar", "er", "ur", "as", "es", "us", "ad", "ed", "an", "en",
        "un", "az", "ez", "at", "et", "ash", "esh", "ath", "adh",
    }
)  # fmt: skip
_LA_SUFFIXES = frozenset(
    {
        "din", "deen", "dine", "eddin", "eddine", "eldin", "eldine", "aldin", "uddin", "addin",
        "eddeen", "eldeen", "allah", "alla", "ullah", "ulla", "illah",
    }
)  # fmt: skip
_LA_PARTICLES = frozenset({"al", "el", "ul", "bin", "ben", "ibn", "bint", "binti", "ould"})
_LA_HONORIFICS = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "eng", "engineer", "prof",
        "professor", "sheikh", "shaikh", "shaykh", "sheik", "cheikh", "haj", "hajj", "hadj",
        "hajji", "sir", "madam", "mme", "mlle",
    }
)  # fmt: skip


def _same_script(a: str, b: str) -> bool:
    return is_arabic(a) == is_arabic(b)


def _is_prefix(token: str) -> bool:
    return token in _AR_PREFIXES or token in _LA_ABD or token in _LA_ABU


def _is_suffix(token: str) -> bool:
    return token in _AR_SUFFIXES or token in _LA_SUFFIXES


def _join_compounds(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _is_prefix(tok) and i + 1 < len(tokens) and _same_script(tok, tokens[i + 1]):
            nxt = tokens[i + 1]
            if tok.isascii() and nxt in _LA_ARTICLES and i + 2 < len(tokens):
                out.append(tok + nxt + tokens[i + 2])
                i += 3
            else:
                out.append(tok + nxt)
                i += 2
            continue
        if _is_suffix(tok) and out and _same_script(tok, out[-1]):
            if tok.isascii() and out[-1] in _LA_ARTICLES and len(out) >= 2:
                article = out.pop()
                out[-1] += article + tok
            else:
                out[-1] += tok
            i += 1
            continue
        if tok == "ال" and i + 1 < len(tokens) and _same_script(tok, tokens[i + 1]):
            out.append(tok + tokens[i + 1])  # a detached Arabic article: "ال سيد"
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def _drop_particles(tokens: list[str]) -> list[str]:
    kept = [t for t in tokens if t not in _AR_PARTICLES and t not in _LA_PARTICLES]
    if not kept:
        return tokens
    start = 0
    while start < len(kept) - 1 and (
        kept[start] in _AR_HONORIFICS or kept[start] in _LA_HONORIFICS
    ):
        start += 1
    return kept[start:]


def name_tokens(text: str) -> tuple[str, ...]:
    """The normalised tokens of a name (see the module docstring), in their original order,
    except that a list's "FAMILY, Given Names" (one comma) is read as "Given Names FAMILY"."""
    text = text or ""
    if text.count(",") == 1 and not text.rstrip().endswith(","):
        family, given = text.split(",")
        text = f"{given} {family}"
    tokens = _clean(text).split()
    while True:
        joined = _join_compounds(tokens)
        tokens = _drop_particles(joined)
        if len(tokens) == len(joined):
            return tuple(tokens)
        # A dropped particle may have stood between a compound's parts ("عبد bin X"): join
        # again, so that normalising is idempotent.


def normalize_name(text: str) -> str:
    """A name, in any script or a mix, as normalised text: tokens joined by single spaces."""
    return " ".join(name_tokens(text))


def normalize_arabic(text: str) -> str:
    """`normalize_name`, named for the Arabic rules (the function handles every script)."""
    return normalize_name(text)


def normalize_latin(text: str) -> str:
    """`normalize_name`, named for the Latin rules (the function handles every script)."""
    return normalize_name(text)


# --- phonetic profile --------------------------------------------------------------------------

# Vowel classes in a gap between two consonants: bit flags.
VA, VI, VU = 1, 2, 4
LONG = 8  # a long vowel (Arabic ا و ي; Latin a digraph such as ou, ee, ei, aa, or w/y)
WILD = 16  # unknown (ain, a final ta marbuta, a compound's junction): never conflicts
GU = 32  # a w glide or long u: و, w, ou, oo
GI = 64  # a y glide or long i: ي, y, ee, ei, ie, ai
GX = 128  # a final Arabic ي, which may have been ى (a long a): a y glide or none

_AR_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "z", "ر": "r",
    "ز": "z", "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
}  # fmt: skip
_AR_VOWELS = {"ا": VA | LONG, "و": VU | LONG | GU, "ي": VI | LONG | GI, "ع": WILD}

_LA_DIGRAPHS = {"kh": "x", "gh": "g", "sh": "c", "ch": "c", "ph": "f", "dj": "j", "ck": "k"}
_LA_SINGLES = {
    "b": "b", "c": "k", "d": "d", "f": "f", "g": "j", "h": "h", "j": "j", "k": "k", "l": "l",
    "m": "m", "n": "n", "p": "b", "q": "k", "r": "r", "s": "s", "t": "t", "v": "f", "x": "ks",
    "z": "z",
}  # fmt: skip
_LA_VOWELS = {"a": VA, "e": VA | VI, "i": VI, "o": VU, "u": VU, "y": VI, "w": VU}
_LA_GAP_CHARS = frozenset("aeiouyw")

_LA_ABD_RE = re.compile(r"^abd(?=[a-z]{2})")
_LA_ABDO = frozenset({"abdo", "abdou", "abdu", "abduh", "abdoh", "abdoo", "abdouh", "abdoun"})
_LA_ABU_RE = re.compile(r"^ab(?:ou|oo|u|o)(?=[a-z]{3})")
_LA_ARTICLE_RE = re.compile(r"^(?:[aeiou]?l(?=[a-z]{2})|[aeiou](?=([b-df-hj-np-tv-z])\1))")
_LA_DIN_RE = re.compile(r"^([a-z]{3,}?)(?:[aeiou]?l|[aeiou]?d|[aeiou])?d(?:i|ee|ea|ii|e)ne?$")
_LA_ALLAH_RE = re.compile(r"^([a-z]{2,}?)(?:[aeiu]?llah|[au]lla)$")
_LA_LEAD_ARTICLE_RE = re.compile(r"^(?:el|al|il)(?=[b-df-hj-np-tv-xz][a-z]{2})")


@dataclass(frozen=True, slots=True)
class Profile:
    """`key`: consonant codes (one ASCII letter each; 'a' marks an initial vowel); `gaps[i]`:
    the vowel flags after consonant i (the last one is the word's ending)."""

    key: str
    gaps: tuple[int, ...]
    arabic: bool


_Parts = tuple[list[str], list[int]]


def _junction(codes: str) -> _Parts:
    return list(codes), [0] * (len(codes) - 1) + [WILD]


def _arabic_core(core: str) -> _Parts:
    codes: list[str] = []
    gaps: list[int] = []
    i = 0
    if core and core[0] in "اع":
        codes.append("a")
        gaps.append(0)
        i = 1
        while i < len(core) and core[i] in "اويع":
            gaps[0] |= _AR_VOWELS[core[i]]  # أيمن, إيمان, عوض: the vowel after the first
            i += 1
    elif core and core[0] in "وي":
        codes.append("w" if core[0] == "و" else "y")
        gaps.append(0)
        i = 1
    last = len(core) - 1
    for j in range(i, len(core)):
        ch = core[j]
        flags = _AR_VOWELS.get(ch)
        if ch == "ه" and j == last and len(core) >= 3:
            flags = WILD  # a ta marbuta (folded into ه) or a silent final h
        if flags is not None:
            if gaps:
                if j == last and ch == "ي":
                    flags = VI | VA | LONG | GX  # ى and ي were folded: Mostafa, Hoda, Hosni
                gaps[-1] |= flags
            continue
        for code in _AR_CONSONANTS.get(ch, ch):
            codes.append(code)
            gaps.append(0)
    if core and core[-1] == "ه" and len(core) < 3:
        gaps[-1] |= WILD  # طه is Taha: the vowel after a final h is not written
    return codes, gaps


def _latin_gap(letters: str) -> int:
    flags = 0
    for ch in letters:
        flags |= _LA_VOWELS[ch]
    if flags & VA and any(ch in "iyuwo" for ch in letters):
        flags &= ~VA  # a diphthong's onset: "ai", "ay", "ei", "aw" are ي / و
    if len(letters) >= 2 or "y" in letters or "w" in letters:
        flags |= LONG
    if "w" in letters or any(d in letters for d in ("ou", "oo", "uu")):
        flags |= GU
    if "y" in letters or any(d in letters for d in ("ee", "ei", "ie", "ai", "ii")):
        flags |= GI
    return flags


def _latin_core(core: str) -> _Parts:
    codes: list[str] = []
    gaps: list[int] = []
    i = 0
    n = len(core)
    if core and core[0] in "aeiou":
        i = 1
        while i < n and core[i] in _LA_GAP_CHARS:
            i += 1
        codes.append("a")
        gaps.append(_latin_gap(core[:i]))  # Ayman vs Amin, Omar vs Amr
    elif core and core[0] in "yw":
        codes.append(core[0])
        gaps.append(0)
        i = 1
    while i < n:
        if core[i] in _LA_GAP_CHARS:
            j = i
            while j < n and core[j] in _LA_GAP_CHARS:
                j += 1
            flags = _latin_gap(core[i:j])
            if j == n and core[j - 1] in "iy":
                flags |= VI | LONG | GI  # a final -i/-y is the nisba ending ي: Hosni, Fathy, Zaki
            if gaps:
                gaps[-1] |= flags
            i = j
            continue
        pair = core[i : i + 2]
        if pair in _LA_DIGRAPHS:
            mapped = _LA_DIGRAPHS[pair]
            i += 2
        else:
            mapped = _LA_SINGLES.get(core[i], core[i])
            i += 1
        for code in mapped:
            if codes and codes[-1] == code and not gaps[-1]:
                continue  # a doubled letter is the shadda, which Arabic does not write: "mm"
            codes.append(code)
            gaps.append(0)
    return codes, gaps


def _strip_latin_article(rest: str) -> str:
    """After abd/abu: "elrahman", "urrahman", "allah" -> "rahman", "rahman", "lah"."""
    m = _LA_ARTICLE_RE.match(rest)
    if m:
        rest = rest[m.end() :]
        if len(rest) >= 3 and rest[0] == rest[1] and rest[0] not in _LA_GAP_CHARS:
            rest = rest[1:]  # assimilated article: "ar-rahman", "as-salam"
    return "lah" if rest in ("la", "lla") else rest


def _arabic_parts(token: str) -> _Parts:
    for prefix, code in (("عبد", "abd"), ("ابو", "ab")):
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 2:
            if rest.startswith("ال") and len(rest) >= 4:
                rest = rest[2:]
            head = _junction(code)
            core = _arabic_core(rest)
            return head[0] + core[0], head[1] + core[1]
    for suffix, code in (("الدين", "dn"), ("الله", "lh")):
        stem = token[: -len(suffix)]
        if token.endswith(suffix) and len(stem) >= 2:
            core = _arabic_core(stem)
            return core[0] + list(code), core[1] + [WILD, WILD]
    if token.startswith("ال") and len(token) >= 5:
        token = token[2:]  # not from الفي (ألفي, Alfy), which is no article
    return _arabic_core(token)


def _latin_parts(token: str) -> _Parts:
    for regex, code in ((_LA_ABD_RE, "abd"), (_LA_ABU_RE, "ab")):
        m = regex.match(token)
        if m and token not in _LA_ABDO:
            rest = _strip_latin_article(token[m.end() :])
            if rest and any(ch not in _LA_GAP_CHARS for ch in rest):
                head = _junction(code)
                core = _latin_core(rest)
                return head[0] + core[0], head[1] + core[1]
    for regex, code in ((_LA_DIN_RE, "dn"), (_LA_ALLAH_RE, "lh")):
        m = regex.match(token)
        if m:
            core = _latin_core(m.group(1))
            return core[0] + list(code), core[1] + [WILD, WILD]
    m = _LA_LEAD_ARTICLE_RE.match(token)
    if m:
        token = token[m.end() :]
    return _latin_core(token)


@lru_cache(maxsize=1 << 16)
def profile(token: str) -> Profile:
    """The phonetic profile of one normalised token, from either script.

    The key keeps consonants only, mapped to one code per sound so that the usual renderings of
    an Arabic letter agree: ج/g/j -> j, ق/ك/q/k/c -> k, خ/kh -> x, ش/sh/ch -> c, غ/gh -> g,
    ث/th -> "th" (so Haitham and هيثم, Fathy and فتحي agree), ذ ظ z -> z (Egyptian Zaki), ض -> d,
    ص -> s, ط -> t, ح ه h -> h, p -> b, v -> f. Vowels are not in the key, since Arabic does not
    write short vowels and Latin renderings disagree on them (Mohamed, Muhammad, Mohammed); a
    word-initial vowel (ا ع, a e i o u with what follows it) becomes the single code 'a'; initial
    و ي w y stay consonants. A doubled Latin letter ("mm", "ss") is the shadda, which Arabic text
    does not write, and counts once; letters repeated across a vowel (Haddad, حداد) do not merge.
    The article is left out: ال when three or more letters follow (السيد, not الفي = Alfy), and
    el/al/il glued to a consonant and two more letters (Elsayed, Elham, not Elwy or Alaa).
    Compounds key as prefix + core (+ suffix) with the inner article left out: عبد الرحمن,
    Abdelrahman, Abd al-Rahman and Abdurrahman all give "abdrhmn"; الدين/-eldin/-eddine and
    الله/-allah give fixed codes. A final ه (ta marbuta, or a silent h) is left out of the key;
    the Latin -ah for ة is matched in `matcher`.

    Since a consonant key alone would make Mahmoud (محمود) and Mohamed (محمد), or Hussein and
    Hassan, the same, `gaps` keeps the vowels after each consonant as bit flags: their classes
    (VA, VI, VU), LONG (Arabic ا و ي; a Latin digraph such as ou, ee, ei, aa, or a w/y), the
    glides GU (و, w, ou) and GI (ي, y, ee, ei, a final -i), GX for a final ي that may have been
    ى, and WILD where nothing is known (ع, a final ة, a compound's junction). `matcher` uses them
    to tell names with the same key apart.
    """
    arabic = is_arabic(token)
    codes, gaps = _arabic_parts(token) if arabic else _latin_parts(token)
    if not codes:
        return Profile(token, (WILD,) * max(len(token), 1), arabic)
    return Profile("".join(codes), tuple(gaps), arabic)


def skeleton(token: str) -> str:
    """The cross-script phonetic key of one normalised token (see `profile`)."""
    return profile(token).key
