"""Screening a customer against sanction and watch lists: an in-memory index of list entries,
and the name score behind it.

Token similarity (0..1, `token_similarity`), on normalised tokens (`normalize.name_tokens`):

- 1.0 for the same token; 0.96 for the same phonetic key (`normalize.profile`: محمد, Mohamed,
  Muhammad), less a penalty for each gap between consonants where the vowels disagree: strong
  (0.7) when a long vowel or a w/y glide in one is absent or of another quality in the other
  (محمود / Mohamed, Hussein / Hassan, Hosni / Hassan, Samira / Samir), weaker for what Egyptian
  spelling blurs (Moustafa / مصطفى, Amr / عمرو, Omar / Amr in Latin). That keeps distinct names
  with the same consonants apart without a dictionary of names.
- Otherwise typo credit (`_typo_credit`): one edit in the text (same script) or in the key
  (across scripts) is 0.8 / 0.75 for a long name but only 0.65 / 0.5 for a short one, where one
  letter more often makes another name (Rami / Sami, Ahmed / Hamed); a confusable sound
  (Osman / عثمان, قاضي / قاذي) 0.85; a Latin -ah for ة (Sarah / سارة) 0.9.

Name score (0..100, `name_score`, `token_score`):

- Tokens are paired best first (ties: the nearer position). A pair of at least `PAIR_MIN` is
  strong, one of at least `PARTIAL_MIN` counts with its similarity, and once two strong pairs
  exist one weaker likeness (from `COMPLETION_MIN`) may complete the match for a fixed credit:
  that is how a typo in a short name, which alone is worth little, still matches in context.
- The score is the mean over the *shorter* name's tokens: lists hold 2-4 of the 4+ names on an
  Egyptian ID, so missing middle names cost only `EXTRA_TOKEN_PENALTY` each.
- Order: names in another order cost `ORDER_PENALTY`; first names that do not pair cost
  `FIRST_PENALTY` (in Egyptian names the first is the person and the rest the father's line, so
  this is what keeps siblings and cousins apart), a weakly paired first name
  `FIRST_TYPO_PENALTY`. A name written family-first ("HASSAN Mohamed Ali", on either side) is
  also read rotated.
- One token is never enough: with fewer than two pairs the score is capped at `ONE_TOKEN_CAP`,
  and so is a one-token query against a one-token alias (a mononym) when that token is common in
  the index ("Mohamed" alone is nobody).

`DEFAULT_THRESHOLD` (85) is the decision threshold. A full name against the listed 3- or
4-name form in the other script scores 92-96 (89-93 with a middle name missing); a typo in a
long name or a weak likeness completing three good pairs stays above 85, as does a two-name
listing (first and family name) against a four-name customer (90); two shared names out of
three or four, another first name (a sibling), or the same consonants with other long vowels
(Mahmoud for Mohamed) fall below. On the synthetic variants of `variants` it gives about 98 %
recall at 95-97 % precision (bench/aml.py prints the figures, by kind of variant).

Candidate generation, so that a search costs about the same at a million names. A match pairs
every name of the shorter side, all but at most one of them strongly, so the keys of the shorter
name are, but for at most one, among the other's (`_index_key`, a coarser key: ث read as s, a
final h dropped). Each name of an entry is therefore indexed under its sorted keys (its
signature) and, with 4-6 tokens, under each signature less one key. A query looks up, in tiers:
its own signature; its subsets (a list showing fewer names) and its signature in the less-one
index (the customer dropping a name); the same with one query key replaced by a key of the index
one edit away (a typo; a query key that no one has is taken for a typo); then names with one
other key (a weak likeness completing a match), and the typo neighbours of the commonest names
(Ahmed is one edit from Mohamed, but a typo seldom makes one of them). Entries are taken tier
by tier, each tier's postings rarest first, up to `max_signature_candidates` (the last tier to
`max_candidates / 2` more). Ranking by shared key pairs alone, as before, lost 5 % of the
variants at a million names: with common names thousands of entries share as many pairs as the
listed person.

The pair index stays as a fallback for other shapes (a two-token query, a typo that changes two
key codes): each unordered pair of keys (a one-token alias under its key), looked up with the
same typo neighbours, counted rarest first up to `posting_budget` entries, each weighted by its
information (about log2(entries / its length)); the `max_candidates` entries with the most
weight are scored too, and every entry of the rarest postings.

Scoring thousands of candidates (`_Scorer`) is affordable because names repeat: an alias is
scored as the tuple of its tokens' similarity rows (equal rows share an id), so the spellings of
the same names, or middle names unlike any in the query, cost one dictionary look-up; and an
alias whose bound (its tokens and the query's each paired at their best, the unpaired ones
penalised) is under the threshold, or whose first name could not pair with the query's first
name in any reading `_score` tries, is not scored at all. Token similarity itself first rejects,
by their letters, pairs of tokens too far apart for typo credit, which most pairs are.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, pairwise
from math import log2
from typing import Literal, TypeAlias

from hawiya.identity.aml.normalize import (
    GI,
    GU,
    GX,
    LONG,
    VA,
    VI,
    VU,
    WILD,
    Profile,
    name_tokens,
    profile,
)
from hawiya.identity.national_id import ascii_digits

DEFAULT_THRESHOLD = 85.0

SAME_KEY = 0.96
STRONG, MEDIUM, SHORT, WEAK = 0.7, 0.12, 0.1, 0.04
PAIR_MIN = 0.7
PARTIAL_MIN = 0.55
COMPLETION_MIN = 0.25
FIRST_COMPLETION_MIN = 0.5  # a key one edit from another of 4+ codes
COMPLETION_CREDIT = (0.0, 0.0, 0.6, 0.75)  # by the number of strong pairs
ONE_CONSONANT_CAP = 0.9
FINAL_H = 0.9
CONFUSABLE = 0.85
EXTRA_TOKEN_PENALTY = 3.0
ORDER_PENALTY = 3.0
FIRST_PENALTY = 15.0
FIRST_TYPO_PENALTY = 4.0
ONE_TOKEN_CAP = 50.0

_CLASSES = VA | VI | VU
_SIMILAR = frozenset({"sz", "zs", "dz", "zd", "jg", "gj", "hx", "xh", "sc", "cs", "td", "dt"})
_KEY_ALPHABET = "abcdfghjklmnrstwxyz"
_VOWEL_LETTERS = frozenset("aeiouywاوي")
_MAX_TOKENS = 8  # tokens of one name used for keys; longer strings are not names
_SUB_MIN, _SUB_MAX = 4, 6  # names of so many keys are also indexed without each one
_SUBSET_DROP = 3  # a query's names looked up without at most this many of its keys
_COMMON_KEY = 0.05  # a key of at least this share of the entries is a common name
_FIRST_MIN = min(FIRST_COMPLETION_MIN, PARTIAL_MIN)  # the least a first name pairs with
# The most a name of 2+ tokens scores when no reading pairs the first names: FIRST_PENALTY, and
# with it an order or an extra-token penalty (the alias's first name pairs later, or not at all).
_FIRST_GATE = 100.0 - FIRST_PENALTY - min(ORDER_PENALTY, EXTRA_TOKEN_PENALTY)

Kind = Literal["id_number", "name"]


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed person: names and aliases in any script, national ID numbers if known."""

    entry_id: str
    names: tuple[str, ...]
    id_numbers: tuple[str, ...] = ()
    source: str = ""
    metadata: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    entry_id: str
    alias: str  # the entry's name or alias that matched best
    score: float  # 0..100; 100 for a national ID hit
    kind: Kind
    source: str
    metadata: Mapping[str, object]


# --- token similarity --------------------------------------------------------------------------


def _gap_conflict(ga: int, a_arabic: bool, gb: int, b_arabic: bool, idx: int, final: bool) -> float:
    if (ga | gb) & WILD:
        return 0.0
    if _glides_differ(ga, gb):
        return STRONG  # Hennawy (-awy) vs Hany (-y)
    ca, cb = ga & _CLASSES, gb & _CLASSES
    if ca and cb:
        if ca & cb:
            return 0.0
        if final:
            return STRONG if ga & gb & LONG else MEDIUM
        if (ga | gb) & LONG:
            return STRONG
        return SHORT if not (a_arabic or b_arabic) else 0.0  # Omar vs Amr, Ammar vs Omar
    if not ca and not cb:
        return 0.0
    present, empty_is_arabic = (gb, a_arabic) if not ca else (ga, b_arabic)
    if final:
        if present & LONG:
            return WEAK if present & _CLASSES == VU else STRONG  # Amr / عمرو; Hosni / Hassan
        return STRONG if present & _CLASSES == VA else 0.0  # Samira / Samir; Yasmine / ياسمين
    if not present & LONG:
        return 0.0
    if empty_is_arabic:
        return WEAK if idx == 0 else STRONG  # Moustafa / مصطفى, Yousry / يسري; Mahmoud / محمد
    return MEDIUM


def _glides_differ(ga: int, gb: int) -> bool:
    """Whether two gaps that both have a w or y glide cannot have the same ones: Hennawy (-awy)
    and Hany (-y) cannot; Darwish (-wi-) and درويش (-وي-) can, a Latin i being able to write ي
    (and o or u, و), and so can a final ي, which may have been ى, and none."""
    need_a, need_b = ga & (GU | GI), gb & (GU | GI)
    if not need_a or not need_b:
        return False
    can_a = need_a | (GU if ga & VU else 0) | (GI if ga & (VI | GX) else 0)
    can_b = need_b | (GU if gb & VU else 0) | (GI if gb & (VI | GX) else 0)
    return bool((need_a | need_b) & ~(can_a & can_b))


def _osa(a: str, b: str, limit: int = 2) -> int:
    """The optimal string alignment distance (Levenshtein plus adjacent transpositions) when it
    is at most `limit`, else `limit + 1`. Only small distances matter here, and checking them
    by slicing (in C) is far cheaper than a dynamic programme in Python."""
    if a == b:
        return 0
    if limit <= 0 or abs(len(a) - len(b)) > limit:
        return limit + 1
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    a, b = a[i:], b[i:]
    j = 0
    while j < len(a) and j < len(b) and a[-1 - j] == b[-1 - j]:
        j += 1
    if j:
        a, b = a[:-j], b[:-j]
    if limit == 1 and max(len(a), len(b)) > 2:
        return 2  # one edit leaves at most two letters between a common prefix and suffix
    best = limit + 1
    for x, y in ((a[1:], b[1:]), (a[1:], b), (a, b[1:])):
        best = min(best, 1 + _osa(x, y, limit - 1))
        if best == 1:
            return 1
    if len(a) > 1 and len(b) > 1 and a[0] == b[1] and a[1] == b[0]:
        best = min(best, 1 + _osa(a[2:], b[2:], limit - 1))
    return best


def _limit(a: str, b: str) -> int:
    """The largest distance `_typo_credit` gives credit for at these lengths."""
    return 2 if max(len(a), len(b)) >= 7 else 1


def _key_distance(a: str, b: str) -> float:
    """The distance of two phonetic keys when it is 2 or less (else 3): edits cost 1, but a
    confusable sound (s/z, d/z, h/x, j/g, s/c, t/d) costs half."""
    if len(a) == len(b):
        diff = [x + y for x, y in zip(a, b, strict=True) if x != y]
        if len(diff) == 1 and diff[0] in _SIMILAR:
            return 0.5
    return float(_osa(a, b, _limit(a, b)))


def _final_h(with_h: str, without: str) -> bool:
    return with_h == without + "h" and len(without) >= 1


def _vowel_indel(a: str, b: str) -> bool:
    """Whether one token is the other with one vowel letter more: محمود / محمد, not a typo."""
    if abs(len(a) - len(b)) != 1:
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return any(
        longer[i] in _VOWEL_LETTERS and longer[:i] + longer[i + 1 :] == shorter
        for i in range(len(longer))
    )


def _typo_credit(distance: float, length: int, *, text: bool) -> float:
    """Credit for two tokens `distance` edits apart, `length` letters (or key codes) long. In
    the text of one script an edit in a long name is most likely a typo; a short name one edit
    from another is often a different name (Rami / Sami), and so is a phonetic key one edit
    from another (Hamdi / محمد), so those get less."""
    if distance <= 0.5:
        return CONFUSABLE if length >= 3 else 0.5  # a confusable sound: قاضي / قاذي
    if distance <= 1.0:
        if text:
            return 0.8 if length >= 5 else 0.65 if length == 4 else 0.0
        return 0.75 if length >= 5 else 0.52 if length == 4 else 0.45 if length == 3 else 0.0
    if distance <= 2.0 and length >= 7:
        return 0.6
    return 0.0


def _same_key(pa: Profile, pb: Profile) -> float:
    last = len(pa.gaps) - 1
    penalty = sum(
        _gap_conflict(ga, pa.arabic, gb, pb.arabic, idx, idx == last)
        for idx, (ga, gb) in enumerate(zip(pa.gaps, pb.gaps, strict=True))
    )
    sim = max(0.0, SAME_KEY - penalty)
    if len(pa.key.lstrip("a")) <= 1:
        sim = min(sim, ONE_CONSONANT_CAP)  # Diaa / Doaa, Ola / Ali: little to go on
    return sim


def _th_as_s(p: Profile) -> Profile:
    """The profile with ث (key "th") read as s, as Egyptians often write it."""
    key, gaps = p.key, list(p.gaps)
    while (at := key.find("th")) >= 0:
        key = key[:at] + "s" + key[at + 2 :]
        gaps[at : at + 2] = [gaps[at] | gaps[at + 1]]
    return Profile(key, tuple(gaps), p.arabic)


@lru_cache(maxsize=1 << 16)
def _letters(text: str) -> int:
    """The letters of `text` as bits (by code point modulo 64: a collision only merges two)."""
    mask = 0
    for ch in text:
        mask |= 1 << (ord(ch) & 63)
    return mask


def _near(a: str, b: str) -> bool:
    """Whether `a` and `b` may be within `_limit` edits (the most `_typo_credit` gives credit
    for); when False they are not. k edits leave at most k letters of either that the other
    lacks, and the lengths at most k apart. Costs a fraction of `_osa`, and most pairs of
    names fail it."""
    limit = _limit(a, b)
    if abs(len(a) - len(b)) > limit:
        return False
    la, lb = _letters(a), _letters(b)
    return (la & ~lb).bit_count() <= limit and (lb & ~la).bit_count() <= limit


# token_similarity's cache. Its keys are strings, which the garbage collector does not track:
# functools.lru_cache keys two arguments by a tuple, and a quarter of a million tuples left in
# the youngest generation made the occasional collection take a tenth of a second mid-search.
_SIMILARITIES: dict[str, float] = {}
_SIMILARITIES_MAX = 1 << 18  # then it starts again


def token_similarity(a: str, b: str) -> float:
    """How alike two normalised tokens are, 0..1, across scripts (see the module docstring)."""
    key = f"{len(a)}:{a}{b}"
    sim = _SIMILARITIES.get(key)
    if sim is None:
        if len(_SIMILARITIES) >= _SIMILARITIES_MAX:
            _SIMILARITIES.clear()
        sim = _SIMILARITIES[key] = _token_similarity(a, b)
    return sim


def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    pa, pb = profile(a), profile(b)
    if pa.key == pb.key:
        sim = _same_key(pa, pb)
        if pa.arabic == pb.arabic and sim < PAIR_MIN and not _vowel_indel(a, b):
            sim = max(sim, _typo_credit(_osa(a, b, _limit(a, b)), max(len(a), len(b)), text=True))
        return sim
    if "th" in pa.key or "th" in pb.key:
        sa, sb = _th_as_s(pa), _th_as_s(pb)
        if sa.key == sb.key:
            return min(CONFUSABLE, _same_key(sa, sb))  # ث as s: Osman / عثمان, Sarwat / ثروت
    if not _near(pa.key, pb.key) and (pa.arabic != pb.arabic or not _near(a, b)):
        return 0.0  # most pairs of names: more than two edits apart, so no credit below
    if _final_h(pa.key, pb.key) or _final_h(pb.key, pa.key):
        return FINAL_H  # Sarah / سارة, Ayah / Aya, Atiyah / Attia: ة written -ah
    length = max(len(pa.key), len(pb.key))
    credit = _typo_credit(_key_distance(pa.key, pb.key), length, text=False)
    if pa.arabic == pb.arabic:
        credit = max(credit, _typo_credit(_osa(a, b, _limit(a, b)), max(len(a), len(b)), text=True))
    return credit


# --- name score --------------------------------------------------------------------------------


def _score(rows: Sequence[Sequence[float]], m: int, common: bool = False) -> float:
    """`rows[j][i]`: similarity of alias token j to query token i; `m` query tokens; `common`:
    whether a one-token alias is a common name in the index.

    Names are compared as written and, when their first names do not line up, with the query's
    family name moved from first to last or from last to first (one of the two was written
    family-first); the best reading counts."""
    score, first_ok, _ = _score_order(rows, list(range(m)), common)
    if first_ok or m < 2:
        return score
    # The query family-first (its second token is the first name), if its first token pairs
    # too; or the alias family-first (the query's last token pairs with the alias's first).
    rotated, first_ok, paired = _score_order(rows, [(i - 1) % m for i in range(m)], common)
    if first_ok and paired.get(0) == len(rows) - 1:
        score = max(score, rotated)
    rotated, first_ok, _ = _score_order(rows, [(i + 1) % m for i in range(m)], common)
    if first_ok:
        score = max(score, rotated)
    return score


def _score_order(
    rows: Sequence[Sequence[float]], positions: list[int], common: bool
) -> tuple[float, bool, dict[int, int]]:
    """The score with query token i read at `positions[i]`, whether the first names (at
    position 0 of both) were paired, and the pairing (query token -> alias token)."""
    m, n = len(positions), len(rows)
    pairs = [
        (s, i, j) for j, row in enumerate(rows) for i, s in enumerate(row) if s >= COMPLETION_MIN
    ]
    if not pairs:
        return 0.0, False, {}
    # Best first; among near-equal ones (Mohamed, Mohammed, ...), the nearer position.
    pairs.sort(key=lambda p: (-round(p[0], 1), abs(positions[p[1]] - p[2]), -p[0]))
    used_i = used_j = 0
    total = 0.0
    alias_of: dict[int, tuple[int, float]] = {}  # query position -> (alias token, similarity)
    paired: dict[int, int] = {}
    strong = 0
    for s, i, j in pairs:
        if used_i >> i & 1 or used_j >> j & 1:
            continue
        credit = s
        if s < PARTIAL_MIN:
            if strong < 2 or len(alias_of) > strong:
                continue  # weak likeness completes, once, a match that other names make
            if (j == 0 or positions[i] == 0) and s < FIRST_COMPLETION_MIN:
                continue  # first names: Marwa and Tamer Mohamed Sorour are siblings
            credit = COMPLETION_CREDIT[min(strong, 3)]
        used_i |= 1 << i
        used_j |= 1 << j
        total += credit
        alias_of[positions[i]] = (j, s)
        paired[i] = j
        strong += s >= PAIR_MIN
    short, long_ = min(m, n), max(m, n)
    score = 100.0 * total / short - EXTRA_TOKEN_PENALTY * (long_ - len(alias_of))
    if len(alias_of) < 2:
        cap = ONE_TOKEN_CAP if long_ > 1 or common else 100.0
        return max(0.0, min(score, cap)), False, paired
    js = [j for _, (j, _) in sorted(alias_of.items())]
    if any(y < x for x, y in pairwise(js)):
        score -= ORDER_PENALTY
    first, first_sim = alias_of.get(0, (-1, 0.0))
    if first != 0:
        score -= FIRST_PENALTY  # another first name: a sibling, or a namesake's relative
    elif first_sim < PAIR_MIN:
        score -= FIRST_TYPO_PENALTY
    return max(0.0, min(100.0, score)), first == 0, paired


def token_score(query: Sequence[str], alias: Sequence[str], *, common: bool = False) -> float:
    """The score of two names given as normalised tokens; `common`: whether a one-token alias
    is a common name."""
    if not query or not alias:
        return 0.0
    rows = [[token_similarity(t, q) for q in query] for t in alias]
    return _score(rows, len(query), common)


def name_score(query: str, alias: str) -> float:
    """The score, 0..100, of two names as typed (no index, so no name counts as common)."""
    return token_score(name_tokens(query), name_tokens(alias))


def _id_key(number: str) -> str:
    return "".join(ch for ch in ascii_digits(number) if ch.isdigit() and ch.isascii())


@lru_cache(maxsize=1 << 12)
def _edits1(key: str) -> tuple[str, ...]:
    """The keys one edit from `key`, sorted (so that searches do not depend on hash order)."""
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _KEY_ALPHABET}
    out |= {a + c + b for a, b in splits for c in _KEY_ALPHABET}
    out.discard(key)
    return tuple(sorted(out))


@lru_cache(maxsize=1 << 16)
def _index_key(token: str) -> str:
    """The key a token is indexed under: its phonetic key with ث read as s and a final h
    dropped, so that Tharwat / Sarwat and Sarah / سارة, which score as the same name, share
    one. Coarser than the key, so it only ever adds candidates."""
    key = profile(token).key.replace("th", "s")
    return key[:-1] if len(key) > 1 and key.endswith("h") else key


def _add_posting(index: dict[str, array[int]], key: str, idx: int) -> None:
    posting = index.get(key)
    if posting is None:
        index[key] = array("I", (idx,))
    else:
        posting.append(idx)


# Most full-name signatures belong to one entry: a posting of one is kept as the bare index,
# which takes a third of the memory of an array.
_Posting: TypeAlias = "int | array[int]"


def _add_signature(index: dict[str, _Posting], key: str, idx: int) -> None:
    posting = index.get(key)
    if posting is None:
        index[key] = idx
    elif isinstance(posting, int):
        index[key] = array("I", (posting, idx))
    else:
        posting.append(idx)


def _rarest_first(posting: _Posting) -> tuple[int, int]:
    return (1, posting) if isinstance(posting, int) else (len(posting), posting[0])


class NameIndex:
    """Entries by national ID, by the keys of each name, and by pairs of name keys; `search`
    scores only a few candidates.

    Not thread-safe for `add` during `search`; build it, then share it read-only.
    """

    def __init__(
        self,
        entries: Iterable[ListEntry] = (),
        *,
        threshold: float = DEFAULT_THRESHOLD,
        posting_budget: int = 20_000,
        max_candidates: int = 300,
        common_fraction: float = 0.005,
        common_min: int = 20,
        max_signature_candidates: int = 4000,
    ) -> None:
        self.threshold = threshold
        self.posting_budget = posting_budget
        self.max_candidates = max_candidates
        self.max_signature_candidates = max_signature_candidates
        self.common_fraction = common_fraction
        self.common_min = common_min
        self._entries: list[ListEntry] = []
        self._tokens: list[tuple[tuple[str, ...], ...]] = []  # per entry, per name
        self._pairs: dict[str, array[int]] = {}
        self._mono: dict[str, array[int]] = {}
        self._full: dict[str, _Posting] = {}  # all the keys of a name of 2+ tokens -> entries
        self._sub: dict[str, _Posting] = {}  # all but one key of a name of 4-6 tokens
        self._df: Counter[str] = Counter()  # entries per key
        self._by_id: dict[str, list[int]] = {}
        self._intern: dict[str, str] = {}  # one string object per distinct token
        self.names_count = 0
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _key(token: str) -> str:
        return _index_key(token)

    def add(self, entry: ListEntry) -> None:
        idx = len(self._entries)
        per_name: list[tuple[str, ...]] = []
        keys: set[str] = set()
        pair_keys: set[str] = set()
        mono: set[str] = set()
        full: set[str] = set()
        sub: set[str] = set()
        for name in entry.names:
            toks = tuple(self._intern.setdefault(t, t) for t in name_tokens(name))
            per_name.append(toks)
            if not toks:
                continue
            self.names_count += 1
            ks = sorted(_index_key(t) for t in toks[:_MAX_TOKENS])
            keys.update(ks)
            if len(ks) == 1:
                mono.add(ks[0])
                continue
            pair_keys.update(f"{x} {y}" for x, y in combinations(ks, 2))
            full.add(" ".join(ks))
            if _SUB_MIN <= len(ks) <= _SUB_MAX:
                sub.update(" ".join(c) for c in combinations(ks, len(ks) - 1))
        self._entries.append(entry)
        self._tokens.append(tuple(per_name))
        for index, keys_ in ((self._pairs, pair_keys), (self._mono, mono)):
            for k in keys_:
                _add_posting(index, k, idx)
        for signatures, sigs in ((self._full, full), (self._sub, sub)):
            for k in sigs:
                _add_signature(signatures, k, idx)
        self._df.update(keys)
        for number in entry.id_numbers:
            key = _id_key(number)
            if key:
                self._by_id.setdefault(key, []).append(idx)

    # --- search --------------------------------------------------------------------------------

    def _neighbours(self, qkeys: Sequence[str]) -> dict[str, list[str]]:
        """For each query key of 2+ codes, the keys of the index one edit away (typos)."""
        return {
            k: [v for v in _edits1(k) if v in self._df] if len(k) >= 2 else []
            for k in sorted(set(qkeys))
        }

    def _signature_postings(
        self, qkeys: list[str], neighbours: Mapping[str, list[str]]
    ) -> list[list[_Posting]]:
        """The postings of names that the query's keys (`qkeys`, sorted) make possible matches,
        by tier, each tier rarest first.

        A match pairs every name of the shorter side, at most one of them weakly (see
        `_score_order`), so the shorter name's keys are, but for at most one, among the
        other's. Tier 0: names with the query's keys; 1: names with some of them (a list
        showing fewer names) or with one more (the customer dropping one); 2: the same with
        one query key replaced by a typo neighbour (but for the commonest names'); 3: names
        with one key other than the query's (a weak likeness completing the match), without or
        with a typo, and the commonest names' typo neighbours."""
        m = len(qkeys)
        tiers: list[list[_Posting]] = [[], [], [], []]
        looked: set[tuple[bool, str]] = set()

        def look(tier: int, index: dict[str, _Posting], keys: Sequence[str]) -> None:
            sig = " ".join(keys)
            at = (index is self._sub, sig)
            if at in looked:
                return
            looked.add(at)
            posting = index.get(sig)
            if posting is not None:
                tiers[tier].append(posting)

        def related(keys: Sequence[str], must: str | None, near: int) -> None:
            """Names that are `keys` less some keys, or with one more (tier `near`), or with one
            other (if given, keeping `must`, the typo's neighbour)."""
            n = len(keys)
            # with a typo as well, fewer names left out (the lookups multiply)
            fewest = n - (_SUBSET_DROP if must is None or n <= 5 else 1)
            for size in range(max(2, fewest), n):
                for c in combinations(keys, size):
                    if must is None or must in c:
                        look(near, self._full, c)
            if _SUB_MIN - 1 <= n <= _SUB_MAX - 1:
                look(near, self._sub, keys)
            if _SUB_MIN <= n <= _SUB_MAX:
                for drop, c in zip(reversed(keys), combinations(keys, n - 1), strict=True):
                    if must is None or must in c:
                        # A key that no name in the index has is a typo (or a name no one
                        # listed has): the names with the query's other keys come first.
                        look(2 if must is None and drop not in self._df else 3, self._sub, c)

        if m < 2:
            return []
        look(0, self._full, qkeys)
        related(qkeys, None, 1)
        common = _COMMON_KEY * len(self._entries)
        for i, k in enumerate(qkeys):
            if i and k == qkeys[i - 1]:
                continue
            # A typo seldom makes one of the commonest names (Ahmed is one edit from Mohamed):
            # those are taken as written, and their neighbours come last.
            tier = 3 if self._df.get(k, 0) >= common else 2
            rest = qkeys[:i] + qkeys[i + 1 :]
            for v in neighbours.get(k, ()):
                alt = sorted([*rest, v])
                look(tier, self._full, alt)
                related(alt, v, tier)
        return [sorted(t, key=_rarest_first) for t in tiers]

    def _postings(
        self, qkeys: Sequence[str], neighbours: Mapping[str, list[str]]
    ) -> list[tuple[int, array[int]]]:
        """The pair postings to count, rarest first, each with its weight (see
        `_candidates`)."""
        exact: dict[str, array[int]] = {}
        fuzzy: dict[str, array[int]] = {}
        if len(qkeys) == 1:
            k = qkeys[0]
            if k in self._mono:
                exact[k] = self._mono[k]
            for v in neighbours[k]:
                if v in self._mono:
                    fuzzy[v] = self._mono[v]
        else:
            for x, y in combinations(qkeys, 2):
                pk = f"{x} {y}"
                if pk in self._pairs:
                    exact[pk] = self._pairs[pk]
                for a, b in ((x, y), (y, x)):
                    for v in neighbours[a]:
                        pk = f"{v} {b}" if v <= b else f"{b} {v}"
                        if pk not in exact and pk in self._pairs:
                            fuzzy[pk] = self._pairs[pk]
        total = max(len(self._entries), 2)
        chosen: list[tuple[int, array[int]]] = []
        spent = 0
        for group, scale in ((exact, 1.0), (fuzzy, 0.5)):
            for _, posting in sorted(group.items(), key=lambda kv: (len(kv[1]), kv[0])):
                weight = max(1, round(scale * log2(total / len(posting))))
                if spent and spent + weight * len(posting) > self.posting_budget:
                    break
                chosen.append((weight, posting))
                spent += weight * len(posting)
        return chosen

    def _candidates(self, query: tuple[str, ...]) -> list[int]:
        """The entries to score: those that the keys of one of their names make possible
        matches (`_signature_postings`, rarest first, up to `max_signature_candidates`), and
        the entries sharing the most (and the rarest) key pairs with the query.

        A pair posting's weight is about log2(entries / its length), its information: sharing
        a rare pair (two uncommon names) counts more than sharing a common one (Mohamed
        Ahmed). The weights are applied by counting a posting that many times, which keeps the
        counting in C. The entries of the rarest postings are always kept, whatever their
        counts."""
        qkeys = sorted(_index_key(t) for t in query[:_MAX_TOKENS])
        neighbours = self._neighbours(qkeys)
        chosen: dict[int, None] = {}
        tiers = self._signature_postings(qkeys, neighbours)
        for t, tier in enumerate(tiers):
            cap = self.max_signature_candidates
            if t == len(tiers) - 1:
                cap = min(cap, len(chosen) + self.max_candidates // 2)
            for posting in tier:
                if isinstance(posting, int):
                    chosen[posting] = None
                    continue
                if chosen and len(chosen) + len(posting) > cap:
                    break
                chosen.update(dict.fromkeys(posting))
        postings = self._postings(qkeys, neighbours)
        base = len(chosen)
        for _, posting in postings:
            if len(chosen) + len(posting) > base + self.max_candidates // 3:
                break
            chosen.update(dict.fromkeys(posting))
        counts: Counter[int] = Counter()
        for weight, posting in postings:
            for _ in range(weight):
                counts.update(posting)
        room = max(0, self.max_candidates - (len(chosen) - base))
        if len(counts) <= room:
            chosen.update(dict.fromkeys(counts))
        else:
            chosen.update(dict.fromkeys(idx for idx, _ in counts.most_common(room)))
        return list(chosen)

    def _best_alias(
        self, idx: int, query: tuple[str, ...], scorer: _Scorer | None = None, floor: float = 0.0
    ) -> tuple[float, int]:
        """The entry's best alias for the query: (score, index in its names), or (0, -1) when
        none can reach the scorer's floor."""
        return (scorer or _Scorer(self, query, floor)).best(self._tokens[idx])

    def _is_common(self, key: str) -> bool:
        limit = max(self.common_min, self.common_fraction * len(self._entries))
        return self._df.get(key, 0) >= limit

    def _match(self, idx: int, alias_i: int, score: float, kind: Kind) -> Match:
        entry = self._entries[idx]
        alias = entry.names[alias_i] if 0 <= alias_i < len(entry.names) else ""
        return Match(entry.entry_id, alias, round(score, 2), kind, entry.source, entry.metadata)

    def search(
        self,
        name: str,
        id_number: str | None = None,
        limit: int = 10,
        *,
        min_score: float | None = None,
    ) -> list[Match]:
        """Entries matching a customer: national ID hits first (score 100), then names scoring
        at least `min_score` (default: the index's threshold), best first."""
        floor = self.threshold if min_score is None else min_score
        query = name_tokens(name)[:_MAX_TOKENS] if name else ()
        out: list[Match] = []
        id_hits: dict[int, None] = {}
        if id_number and (key := _id_key(id_number)):
            id_hits = dict.fromkeys(self._by_id.get(key, ()))
        if id_hits:
            any_alias = _Scorer(self, query, 0.0)
            for idx in id_hits:
                alias_i = any_alias.best(self._tokens[idx])[1] if query else 0
                out.append(self._match(idx, max(alias_i, 0), 100.0, "id_number"))
        if query and len(out) < limit:
            scorer = _Scorer(self, query, floor)
            scored: list[tuple[float, int, int]] = []
            for idx in self._candidates(query):
                if idx in id_hits:
                    continue
                score, alias_i = scorer.best(self._tokens[idx])
                if alias_i >= 0 and score >= floor:
                    scored.append((-score, idx, alias_i))
            scored.sort()
            for neg, idx, alias_i in scored[: limit - len(out)]:
                out.append(self._match(idx, alias_i, -neg, "name"))
        return out[:limit]


def _most_credit(sim: float) -> float:
    """The most a pair of this similarity can count for in `_score_order`."""
    if sim >= PARTIAL_MIN:
        return sim
    return COMPLETION_CREDIT[-1] if sim >= COMPLETION_MIN else 0.0


class _Scorer:
    """Scores the aliases of candidate entries for one query, at most once per distinct alias.

    Each alias token's similarities to the query tokens (its row) are computed once, and rows
    that are equal get one id: an alias is then a tuple of row ids, and aliases with the same
    tuple (Mohamed or Muhammad Ahmed Ali El-Sayed, or any middle name like none in the query)
    have the same score, which `memo` keeps. Thousands of candidates with common names cost
    a few dictionary look-ups each."""

    def __init__(self, index: NameIndex, query: tuple[str, ...], floor: float) -> None:
        self.index = index
        self.query = query
        self.m = len(query)
        self.floor = floor
        self.gate = floor > _FIRST_GATE and self.m >= 2
        self.rows: list[tuple[float, ...]] = []  # by row id: similarities, then the most it
        # can count for
        self.credits: list[tuple[float, ...]] = []  # by row id: the most each pair can count
        self.row_ids: dict[tuple[float, ...], int] = {}
        self.row_of: dict[str, int] = {}  # token -> row id
        self.memo: dict[tuple[int, ...], float] = {}

    def _row_id(self, token: str) -> int:
        rid = self.row_of.get(token)
        if rid is None:
            sims = [token_similarity(token, q) for q in self.query]
            top = max(sims)
            if COMPLETION_MIN <= top < PARTIAL_MIN:
                top = COMPLETION_CREDIT[-1]  # what it may count for, completing
            row = (*sims, top)
            rid = self.row_ids.get(row)
            if rid is None:
                rid = self.row_ids[row] = len(self.rows)
                self.rows.append(row)
                self.credits.append(tuple(_most_credit(s) for s in sims))
            self.row_of[token] = rid
        return rid

    def best(self, names: tuple[tuple[str, ...], ...]) -> tuple[float, int]:
        """The best of these aliases: (score, index), or (0, -1) when none reaches the floor."""
        best, best_i = 0.0, -1
        row_id, memo = self.row_of.__getitem__, self.memo
        for ni, toks in enumerate(names):
            if len(toks) < 2:
                if not toks:
                    continue
                score = self._score_one(toks[0])
            else:
                try:
                    key = tuple(map(row_id, toks))
                except KeyError:
                    if self.gate and not self._first_may_pair(toks):
                        continue  # without working out the rows of its other tokens
                    key = tuple(map(self._row_id, toks))
                score = memo.get(key, -2.0)
                if score == -2.0:
                    score = memo[key] = self._score_rows(key)
            if score >= 0.0 and (score > best or best_i < 0):
                best, best_i = score, ni
        return best, best_i

    def _first_may_pair(self, toks: tuple[str, ...]) -> bool:
        """Whether the first name of an alias of 2+ tokens may pair in a reading that pairs the
        first names (see `_score_rows`)."""
        m = self.m
        first = self.rows[self._row_id(toks[0])]
        return (
            first[0] >= _FIRST_MIN
            or first[m - 1] >= _FIRST_MIN
            or (first[1] >= _FIRST_MIN and self.rows[self._row_id(toks[-1])][0] >= COMPLETION_MIN)
        )

    def _score_one(self, token: str) -> float:
        row = self.rows[self._row_id(token)]
        if 100.0 * row[-1] < self.floor:
            return -1.0
        common = self.index._is_common(_index_key(token))
        return _score([row[:-1]], self.m, common)

    def _score_rows(self, key: tuple[int, ...]) -> float:
        """The score of an alias of 2+ tokens (as row ids), or -1 when it cannot reach the
        floor: when its bound (each token at its best) is under it, or (a floor above
        `_FIRST_GATE`) when its first name pairs with no query token that could be the first
        name: as written, read family-first (then the query's first token is the alias's
        last) or the alias read family-first (see `_score`), since without that pairing the
        score is at most `_FIRST_GATE`."""
        m, n = self.m, len(key)
        alias_rows = [self.rows[r] for r in key]
        if self.gate:
            first = alias_rows[0]
            if not (
                first[0] >= _FIRST_MIN
                or first[m - 1] >= _FIRST_MIN
                or (first[1] >= _FIRST_MIN and alias_rows[-1][0] >= COMPLETION_MIN)
            ):
                return -1.0  # as `_first_may_pair`, for an alias whose rows were all known
        if n <= m:
            bound = sum(r[-1] for r in alias_rows) / n
        else:
            bound = sum(sorted((r[-1] for r in alias_rows), reverse=True)[:m]) / m
        if 100.0 * bound < self.floor:
            return -1.0
        # A tighter bound: each query token, too, pairs once, and every token of the longer
        # name left unpaired costs EXTRA_TOKEN_PENALTY.
        credits = [self.credits[r] for r in key]
        columns = [max(col) for col in zip(*credits, strict=True)]
        by_row = sorted((max(c) for c in credits), reverse=True)
        paired = min(sum(c > 0.0 for c in columns), sum(c > 0.0 for c in by_row))
        short, long_ = min(m, n), max(m, n)
        total = min(sum(columns), sum(by_row[:short]))
        most = 100.0 * total / short - EXTRA_TOKEN_PENALTY * (long_ - paired)
        if paired < 2 or most < self.floor:
            return -1.0
        return _score([r[:-1] for r in alias_rows], m)
