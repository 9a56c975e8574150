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

Candidate generation, so that a search costs about the same at a million names: an entry is
indexed under each unordered pair of its names' tokens' keys (a one-token alias under its key).
A query looks up its own pairs, then pairs where one key is replaced by a key of the index one
edit away (typos), counts the postings rarest first up to `posting_budget` entries, each
weighted by its information (about log2(entries / its length)), and scores only the
`max_candidates` entries with the most weight, plus every entry of its rarest postings. A pair
of keys is rare even when both names are common, and a one-token query can only match a
one-token alias, so no single common key is ever scanned.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, pairwise
from math import log2
from typing import Literal

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


@lru_cache(maxsize=1 << 18)
def token_similarity(a: str, b: str) -> float:
    """How alike two normalised tokens are, 0..1, across scripts (see the module docstring)."""
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


def _edits1(key: str) -> set[str]:
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _KEY_ALPHABET}
    out |= {a + c + b for a, b in splits for c in _KEY_ALPHABET}
    out.discard(key)
    return out


class NameIndex:
    """Entries by national ID and by pairs of name keys; `search` scores only a few candidates.

    Not thread-safe for `add` during `search`; build it, then share it read-only.
    """

    def __init__(
        self,
        entries: Iterable[ListEntry] = (),
        *,
        threshold: float = DEFAULT_THRESHOLD,
        posting_budget: int = 80_000,
        max_candidates: int = 300,
        common_fraction: float = 0.005,
        common_min: int = 20,
    ) -> None:
        self.threshold = threshold
        self.posting_budget = posting_budget
        self.max_candidates = max_candidates
        self.common_fraction = common_fraction
        self.common_min = common_min
        self._entries: list[ListEntry] = []
        self._tokens: list[tuple[tuple[str, ...], ...]] = []  # per entry, per name
        self._pairs: dict[str, array[int]] = {}
        self._mono: dict[str, array[int]] = {}
        self._whole: dict[str, array[int]] = {}  # the keys of a 2- or 3-token alias -> entries
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
        return profile(token).key

    def add(self, entry: ListEntry) -> None:
        idx = len(self._entries)
        per_name: list[tuple[str, ...]] = []
        keys: set[str] = set()
        pair_keys: set[str] = set()
        mono: set[str] = set()
        whole: set[str] = set()
        for name in entry.names:
            toks = tuple(self._intern.setdefault(t, t) for t in name_tokens(name))
            per_name.append(toks)
            if not toks:
                continue
            self.names_count += 1
            ks = sorted(self._key(t) for t in toks[:_MAX_TOKENS])
            keys.update(ks)
            if len(ks) == 1:
                mono.add(ks[0])
            else:
                pair_keys.update(f"{x} {y}" for x, y in combinations(ks, 2))
                if len(ks) <= 3:
                    whole.add(" ".join(ks))
        self._entries.append(entry)
        self._tokens.append(tuple(per_name))
        for pk in pair_keys:
            posting = self._pairs.get(pk)
            if posting is None:
                self._pairs[pk] = array("I", (idx,))
            else:
                posting.append(idx)
        for index, keys_ in ((self._mono, mono), (self._whole, whole)):
            for k in keys_:
                posting = index.get(k)
                if posting is None:
                    index[k] = array("I", (idx,))
                else:
                    posting.append(idx)
        self._df.update(keys)
        for number in entry.id_numbers:
            key = _id_key(number)
            if key:
                self._by_id.setdefault(key, []).append(idx)

    # --- search --------------------------------------------------------------------------------

    def _postings(self, query: tuple[str, ...]) -> list[tuple[int, array[int]]]:
        """The postings to count, rarest first, each with its weight (see `_candidates`)."""
        qkeys = sorted(self._key(t) for t in query[:_MAX_TOKENS])
        neighbours = {
            k: [v for v in _edits1(k) if v in self._df] if len(k) >= 2 else [] for k in set(qkeys)
        }
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
            for posting in sorted(group.values(), key=len):
                weight = max(1, round(scale * log2(total / len(posting))))
                if spent and spent + weight * len(posting) > self.posting_budget:
                    break
                chosen.append((weight, posting))
                spent += weight * len(posting)
        return chosen

    def _whole_matches(self, query: tuple[str, ...]) -> set[int]:
        """Entries with a 2- or 3-token alias whose keys are all among the query's: on the face
        of it matches, however common their names (they share few pairs, so counting would
        rank them low)."""
        qkeys = sorted(profile(t).key for t in query[:_MAX_TOKENS])
        found: set[int] = set()
        subsets = {" ".join(c) for size in (2, 3) for c in combinations(qkeys, size)}
        for posting in sorted(
            (p for k in subsets if (p := self._whole.get(k)) is not None), key=len
        ):
            if found and len(found) + len(posting) > self.max_candidates // 2:
                break
            found.update(posting)
        return found

    def _candidates(self, query: tuple[str, ...]) -> list[int]:
        """Entries sharing the most (and the rarest) key pairs with the query.

        A posting's weight is about log2(entries / its length), its information: sharing a rare
        pair (two uncommon names) counts more than sharing a common one (Mohamed Ahmed). The
        weights are applied by counting a posting that many times, which keeps the counting in
        C. The entries of the rarest postings are always kept, whatever their counts."""
        postings = self._postings(query)
        rare = self._whole_matches(query)
        cap = len(rare) + self.max_candidates // 3
        for _, posting in postings:
            if len(rare) + len(posting) > cap:
                break
            rare.update(posting)
        counts: Counter[int] = Counter()
        for weight, posting in postings:
            for _ in range(weight):
                counts.update(posting)
        if len(counts) <= self.max_candidates:
            return list(counts)
        top = counts.most_common(self.max_candidates - len(rare))
        return list(rare.union(idx for idx, _ in top))

    def _best_alias(
        self, idx: int, query: tuple[str, ...], rows: dict[str, tuple[float, ...]], floor: float
    ) -> tuple[float, int]:
        """The entry's best alias for the query: (score, index in its names), or (0, -1).

        `rows` caches, for the query, each alias token's similarities to the query tokens and
        (last) the most it can count for; aliases whose bound (each token at its best) is under
        `floor` are not scored."""
        m = len(query)
        best, best_i = 0.0, -1
        for ni, toks in enumerate(self._tokens[idx]):
            if not toks:
                continue
            alias_rows = []
            for t in toks:
                row = rows.get(t)
                if row is None:
                    sims = [token_similarity(t, q) for q in query]
                    top = max(sims)
                    if COMPLETION_MIN <= top < PARTIAL_MIN:
                        top = COMPLETION_CREDIT[-1]  # what it may count for, completing
                    row = rows[t] = (*sims, top)
                alias_rows.append(row)
            if len(toks) <= m:
                bound = sum(r[-1] for r in alias_rows) / len(toks)
            else:
                bound = sum(sorted((r[-1] for r in alias_rows), reverse=True)[:m]) / m
            if 100.0 * bound < max(floor, best):
                continue
            common = len(toks) == 1 and self._is_common(self._key(toks[0]))
            score = _score([r[:-1] for r in alias_rows], m, common)
            if score > best or best_i < 0:
                best, best_i = score, ni
        return best, best_i

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
        rows: dict[str, tuple[float, ...]] = {}
        out: list[Match] = []
        id_hits: dict[int, None] = {}
        if id_number and (key := _id_key(id_number)):
            id_hits = dict.fromkeys(self._by_id.get(key, ()))
        for idx in id_hits:
            alias_i = self._best_alias(idx, query, rows, 0.0)[1] if query else 0
            out.append(self._match(idx, max(alias_i, 0), 100.0, "id_number"))
        if query and len(out) < limit:
            scored: list[tuple[float, int, int]] = []
            for idx in self._candidates(query):
                if idx in id_hits:
                    continue
                score, alias_i = self._best_alias(idx, query, rows, floor)
                if alias_i >= 0 and score >= floor:
                    scored.append((-score, idx, alias_i))
            scored.sort()
            for neg, idx, alias_i in scored[: limit - len(out)]:
                out.append(self._match(idx, alias_i, -neg, "name"))
        return out[:limit]
