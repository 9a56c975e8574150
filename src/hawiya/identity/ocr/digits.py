"""Reading numbers glyph by glyph: the 14-digit national ID, dates (YYYY/MM/DD), the street
number of the address, and the Latin card key.

A line is segmented (glyphs.segment) and each glyph classified. A glyph the classifier reads as
two touching glyphs (PAIR), or, among digits, one much wider than the line is tall, is cut: where
its darkest cores come apart, else where both halves read most surely. A number of known length
that still comes out short or long is repaired the same way (cut a wide glyph, or drop the least
likely one). Every result carries the least confidence of its glyphs, so a caller can tell a
sure read from a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from hawiya.identity.ocr.glyphs import (
    ASCII_DIGITS,
    OTHER,
    PAIR,
    Classifier,
    FloatArray,
    Glyph,
    Segmented,
    band,
    classifier,
    features,
)

WIDE = 1.05  # a glyph wider than this many band heights is two glyphs (the widest digit: 0.9)
ZERO_HEIGHT = 0.6  # ٠ is a dot: a glyph taller than this many band heights is not one
DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # ASCII digits, "/" and letters
    confidence: float  # the least likely glyph's probability
    glyphs: tuple[Glyph, ...]


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity
class _Guess:
    glyph: Glyph
    char: str
    probability: float
    probabilities: FloatArray


def _classify(seg: Segmented, model: Classifier, glyphs: list[Glyph]) -> list[_Guess]:
    if not glyphs:
        return []
    rows = np.stack([features(seg, glyph) for glyph in glyphs])
    table = model.probabilities(rows)
    if "0" in model.classes and "/" in model.classes:  # Eastern digits: ٠ is a small dot
        zero = model.classes.index("0")
        tall = np.array([g.height > ZERO_HEIGHT * seg.band_height for g in glyphs])
        table[tall, zero] = 0.0
        table /= np.maximum(table.sum(1, keepdims=True), 1e-12)
    return [
        _Guess(glyph, model.classes[int(k)], float(row[k]), row)
        for glyph, row, k in zip(glyphs, table, table.argmax(1), strict=True)
    ]


def _natural_cut(seg: Segmented, glyph: Glyph) -> int | None:
    """Where two touching glyphs come apart when only their darkest ink is kept: the join is
    lighter than the strokes. None if they never do."""
    line = seg.line
    own = seg.owner(glyph)[seg.labels[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1]]
    level = line.level[glyph.y0 : glyph.y1, glyph.x0 : glyph.x1]
    for reach in (0.4, 0.3, 0.2):
        core = (own & (level < line.ink + reach * (line.paper - line.ink))).astype(np.uint8)
        count, _, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
        big = [stats[k] for k in range(1, count) if stats[k][4] >= 0.08 * own.sum()]
        if len(big) >= 2:
            big.sort(key=lambda st: int(st[0]))
            # the widest gap between consecutive cores, left to right
            ends = [(int(st[0]), int(st[0] + st[2])) for st in big]
            best = max(range(1, len(ends)), key=lambda k: ends[k][0] - ends[k - 1][1])
            at = (ends[best - 1][1] + ends[best][0]) // 2
            if 2 <= at <= glyph.width - 2:
                return glyph.x0 + at
    return None


def _best_cut(seg: Segmented, model: Classifier, glyph: Glyph) -> tuple[Glyph, Glyph] | None:
    """The cut of a glyph into two: where its cores come apart, else where the classifier
    reads both halves most surely."""
    at = _natural_cut(seg, glyph)
    if at is not None:
        return (
            Glyph(glyph.x0, at, glyph.y0, glyph.y1, glyph.labels),
            Glyph(at, glyph.x1, glyph.y0, glyph.y1, glyph.labels),
        )
    lo, hi = glyph.x0 + glyph.width // 4, glyph.x1 - glyph.width // 4
    if hi - lo < 1:
        return None
    step = max(1, (hi - lo) // 12)
    pairs = [
        (Glyph(glyph.x0, at, glyph.y0, glyph.y1, glyph.labels),
         Glyph(at, glyph.x1, glyph.y0, glyph.y1, glyph.labels))
        for at in range(lo, hi + 1, step)
    ]  # fmt: skip
    guesses = _classify(seg, model, [half for pair in pairs for half in pair])
    best, best_score = None, -1.0
    for i, pair in enumerate(pairs):
        left, right = guesses[2 * i], guesses[2 * i + 1]
        if {left.char, right.char} & {OTHER, PAIR}:
            continue
        score = min(left.probability, right.probability)
        if score > best_score:
            best, best_score = pair, score
    return best


def _resolve(
    seg: Segmented, model: Classifier, glyphs: list[Glyph], *, wide: bool = True, depth: int = 0
) -> list[_Guess]:
    """The glyphs classified, those read as PAIR (or, with `wide`, wider than WIDE band heights)
    cut in two and read again."""
    out: list[_Guess] = []
    for guess in _classify(seg, model, glyphs):
        glyph = guess.glyph
        too_wide = wide and glyph.width > WIDE * seg.band_height
        if (guess.char == PAIR or too_wide) and glyph.width >= 6 and depth < 3:
            cut = _best_cut(seg, model, glyph)
            if cut is not None:
                out.extend(_resolve(seg, model, list(cut), wide=wide, depth=depth + 1))
                continue
        out.append(guess)
    return out


def _speck(seg: Segmented, glyph: Glyph) -> bool:
    """Too small to be anything but a broken-off piece (of a thin slash) or a spot; ٠, as small,
    is read as a digit before this is asked."""
    size = seg.band_height
    return glyph.width * glyph.height < 0.12 * size * size and max(glyph.width, glyph.height) < (
        0.45 * size
    )


def _remnant(seg: Segmented, glyph: Glyph) -> bool:
    """What is left of a thin slash that blur broke (a card photographed small): a narrow
    piece no taller than the band, where a separator goes."""
    size = seg.band_height
    return glyph.width <= 0.4 * size and glyph.height <= 1.2 * size


def _reading(guesses: list[_Guess]) -> Reading:
    return Reading(
        "".join(g.char for g in guesses),
        min((g.probability for g in guesses), default=0.0),
        tuple(g.glyph for g in guesses),
    )


def _restricted(guesses: list[_Guess], classes: str, allowed: str) -> list[_Guess]:
    """Each guess read again with its class limited to `allowed` (digits only in a number)."""
    columns = [k for k, c in enumerate(classes) if c in allowed]
    out = []
    for g in guesses:
        k = max(columns, key=lambda k: g.probabilities[k])
        out.append(_Guess(g.glyph, classes[k], float(g.probabilities[k]), g.probabilities))
    return out


def _read_all(
    seg: Segmented, model: Classifier, length: int | None, *, split: bool = True,
    allowed: str | None = None,
) -> list[_Guess]:  # fmt: skip
    guesses = [g for g in _resolve(seg, model, seg.glyphs, wide=split) if g.char != OTHER]
    if allowed is not None:
        guesses = _restricted(guesses, model.classes, allowed)
    if length is None:
        return guesses
    tried: set[tuple[int, int]] = set()
    while len(guesses) < length:
        # Of the three widest glyphs, cut the one whose halves read most surely compared with
        # the glyph read whole.
        wide = sorted(
            (g for g in guesses if (g.glyph.x0, g.glyph.x1) not in tried
             and g.glyph.width >= 0.6 * seg.band_height),
            key=lambda g: -g.glyph.width,
        )[:3]  # fmt: skip
        cuts = []
        for guess in wide:
            tried.add((guess.glyph.x0, guess.glyph.x1))
            cut = _best_cut(seg, model, guess.glyph)
            if cut is not None:
                halves = _classify(seg, model, list(cut))
                # a sure glyph (a W) is a worse candidate than an unsure one (two digits)
                gain = min(h.probability for h in halves) - guess.probability
                cuts.append((gain, guess, halves))
        if not cuts:
            break
        _, guess, halves = max(cuts, key=lambda c: c[0])
        at = guesses.index(guess)
        guesses[at : at + 1] = (
            halves if allowed is None else _restricted(halves, model.classes, allowed)
        )
    while len(guesses) > length:
        guesses.remove(min(guesses, key=lambda g: g.probability))
    return guesses


def read_number(
    seg: Segmented, *, length: int | None = None, alphabet: str = "eastern",
    data_dir: Path | None = None,
) -> Reading:  # fmt: skip
    """A line that is one number (the ID number): every glyph that is not OTHER, in order.
    With `length`, a short read has its widest glyph cut and a long one loses its least likely
    glyph until the length is right (or nothing more can be done)."""
    model = classifier(alphabet, data_dir=data_dir)
    reading = _reading(_read_all(seg, model, length, allowed=ASCII_DIGITS))
    if length is not None and len(reading.text) != length:
        return replace(reading, confidence=0.0)
    return reading


def _end_word(seg: Segmented, *, from_left: bool, gap: float, limit: int) -> list[Glyph]:
    """The glyphs at one end of the line up to the first gap wider than `gap` band heights (a
    word space), at most `limit` of them, in left-to-right order."""
    ordered = seg.glyphs if from_left else seg.glyphs[::-1]
    word: list[Glyph] = []
    for glyph in ordered:
        if word:
            space = glyph.x0 - word[-1].x1 if from_left else word[-1].x0 - glyph.x1
            if space > gap * seg.band_height or len(word) == limit:
                break
        word.append(glyph)
    return word if from_left else word[::-1]


def _framed(seg: Segmented, glyphs: list[Glyph], *, floor: float = 0.0) -> Segmented:
    """The line with its band taken from these glyphs alone (a number beside words whose
    letters rise and fall further than digits), at least `floor` of the line's band high (a
    number of short digits only, ٥٠, has no tall glyph to measure)."""
    if not glyphs:
        return seg
    top, bottom = band(glyphs)
    top = min(top, bottom - floor * seg.band_height)
    return replace(seg, band=(top, bottom))


def read_date(seg: Segmented, *, data_dir: Path | None = None) -> Reading | None:
    """A YYYY/MM/DD date at either end of a line (its label beside it), read two ways; a date
    of the calendar is kept before one that is not, then the surer. Ten glyphs with a "/" read
    fifth or eighth are taken by position (both separators where they must be, digits
    elsewhere: a slash that caught a speck of guilloche reads as anything); and eight digits
    are taken from that end, "/" skipped where it is read and, where a separator goes, what is
    left of a slash that blur broke or lightened (a card photographed small): a narrow piece
    read as anything. None: no date."""
    model = classifier("eastern", data_dir=data_dir)
    best: Reading | None = None
    for from_left in (True, False):
        ordered = seg.glyphs if from_left else seg.glyphs[::-1]
        framed = _framed(seg, ordered[:8])
        run = ordered[:11] if from_left else ordered[:11][::-1]
        guesses = [
            g for g in _resolve(framed, model, run)
            if not (g.char in (OTHER, PAIR) and _speck(framed, g.glyph))
        ]  # fmt: skip
        candidates: list[list[_Guess]] = []
        ten = guesses[:10] if from_left else guesses[-10:]
        if len(ten) == 10 and "/" in (ten[4].char, ten[7].char):
            candidates.append(
                _restricted(
                    [g for i, g in enumerate(ten) if i not in (4, 7)], model.classes, ASCII_DIGITS
                )
            )
        digits: list[_Guess] = []
        # where a separator goes, counted in digits from this end: YYYY/MM/DD
        separators = (4, 6) if from_left else (2, 4)
        for guess in guesses if from_left else guesses[::-1]:
            if len(digits) == 8:
                break
            if guess.char.isdigit():
                digits.append(guess)
            elif guess.char != "/" and not (
                len(digits) in separators and _remnant(framed, guess.glyph)
            ):
                break
        candidates.append(digits if from_left else digits[::-1])
        for digits in candidates:
            if len(digits) < 8:
                continue
            text = "".join(g.char for g in digits)
            reading = Reading(
                f"{text[:4]}/{text[4:6]}/{text[6:]}",
                min(g.probability for g in digits),
                tuple(g.glyph for g in digits),
            )
            if best is None or _rank(reading) > _rank(best):
                best = reading
    return best


def _rank(reading: Reading) -> tuple[bool, float]:
    """A date of the calendar before one that is not, then the surer."""
    year, month, day = (int(part) for part in reading.text.split("/"))
    try:
        date(year, month, day)
    except ValueError:
        return False, reading.confidence
    return True, reading.confidence


def read_end_number(
    seg: Segmented, *, max_digits: int = 5, data_dir: Path | None = None
) -> Reading | None:
    """The number beside the words of a line ("١٥٠ شارع النيل"): a run of digits at one end of
    the line, followed by a word space. The right end (where a number that starts an Arabic
    line is) is preferred. None: no number."""
    model = classifier("eastern", data_dir=data_dir)
    for from_left in (False, True):
        word = _end_word(seg, from_left=from_left, gap=0.3, limit=max_digits + 2)
        if not word:
            continue
        framed = _framed(seg, word, floor=0.85)
        guesses = _resolve(framed, model, word)
        ordered = guesses if from_left else guesses[::-1]
        run: list[_Guess] = []
        for guess in ordered:
            if not guess.char.isdigit() or guess.probability < 0.5:
                break
            run.append(guess)
        if not run or len(run) > max_digits or len(run) == len(seg.glyphs):
            continue
        rest = [g for g in seg.glyphs if g not in {r.glyph for r in run}]
        if not rest:
            continue
        last = run[-1].glyph
        space = min(abs(g.x0 - last.x1) if from_left else abs(last.x0 - g.x1) for g in rest)
        if space >= 0.25 * framed.band_height:
            return _reading(run if from_left else run[::-1])
    return None


def read_key(
    seg: Segmented, *, letters: int = 2, digits: int = 7, data_dir: Path | None = None
) -> Reading:
    """The card key: `letters` Latin capitals then `digits` Western digits, each glyph read
    with the class restricted to what its position allows."""
    model = classifier("latin", data_dir=data_dir)
    # Latin capitals (W, M) are wider than tall: only the length decides what to cut.
    guesses = _read_all(seg, model, letters + digits, split=False)
    chars, confidence = [], 1.0
    for i, guess in enumerate(guesses):
        allowed = [
            k for k, c in enumerate(model.classes) if (c.isalpha() if i < letters else c.isdigit())
        ]
        k = max(allowed, key=lambda k: guess.probabilities[k])
        chars.append(model.classes[k])
        confidence = min(confidence, float(guess.probabilities[k]))
    if len(guesses) != letters + digits:
        confidence = 0.0
    return Reading("".join(chars), confidence, tuple(g.glyph for g in guesses))
