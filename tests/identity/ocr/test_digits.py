"""The glyph classifier and the digit readers, on lines rendered with the card fonts and degraded
as photos are (glyphs.render_line); the lines are drawn from seeds the classifier was not
trained on."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from hawiya.identity.ocr import glyphs
from hawiya.identity.ocr.digits import read_date, read_end_number, read_key, read_number
from hawiya.identity.ocr.glyphs import (
    EASTERN,
    OTHER,
    PAIR,
    classifier,
    line_of,
    render_line,
    segment,
)

_TO_EASTERN = str.maketrans("0123456789", EASTERN)


def test_held_out_glyphs_are_classified() -> None:
    for alphabet, floor in (("eastern", 0.97), ("latin", 0.97)):
        model = classifier(alphabet)
        rows, targets = glyphs.training_set(alphabet, seed=424242)
        predicted = model.probabilities(rows).argmax(1)
        assert (predicted == targets).mean() >= floor, alphabet
        # digits alone, the figures the ID number and dates are made of
        digits = np.array([model.classes[t].isdigit() for t in targets])
        assert (predicted[digits] == targets[digits]).mean() >= 0.985, alphabet
        assert {OTHER, PAIR} & set(model.classes)


def test_training_is_deterministic_and_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained = classifier("latin", data_dir=tmp_path)
    (cached,) = tmp_path.glob("ocr-glyphs-latin-*.npz")
    monkeypatch.setattr(glyphs, "_models", {})  # a new process: loaded, not trained
    loaded = classifier("latin", data_dir=tmp_path)
    assert loaded is not trained and np.array_equal(loaded.weights, trained.weights)
    again = glyphs.fit(*glyphs.training_set("latin"), glyphs.ALPHABETS["latin"])
    assert np.allclose(again.weights, trained.weights) and cached.stat().st_size > 0


def _lines(texts: list[str], font: str, size: int, seed: int, alphabet: str = "eastern"
           ) -> list[glyphs.Segmented]:  # fmt: skip
    rng = random.Random(seed)
    return [segment(line_of(render_line(t, font, size, rng), alphabet)) for t in texts]


def test_id_numbers_are_read_whole() -> None:
    rng = random.Random(1)
    numbers = ["".join(rng.choice("0123456789") for _ in range(14)) for _ in range(12)]
    for font, size in (("sans-bold", 52), ("sans-bold", 44)):
        lines = _lines([n.translate(_TO_EASTERN) for n in numbers], font, size, 2)
        read = [read_number(line, length=14).text for line in lines]
        assert sum(r == n for r, n in zip(read, numbers, strict=True)) >= 11, (font, size, read)


def test_dates_are_read_beside_their_label() -> None:
    days = ["2024/11/01", "2031/03/23", "2019/06/30", "2030/12/09", "2027/08/15", "2022/10/22"]
    texts = [f"صدرت في {d.translate(_TO_EASTERN)}" for d in days]
    texts += [f"البطاقة سارية حتى {d.translate(_TO_EASTERN)}" for d in days]
    lines = _lines(texts, "amiri-bold", 30, 3)
    read = [r.text if (r := read_date(line)) else None for line in lines]
    assert sum(r == d for r, d in zip(read, days + days, strict=True)) >= 11, read
    assert read_date(_lines(["صدرت في"], "amiri-bold", 30, 4)[0]) is None


def test_street_numbers_are_told_from_the_words() -> None:
    texts = ["150 شارع النيل", "7 شارع الهرم", "42 شارع فيصل", "203 شارع التحرير", "9 شارع المعز"]
    lines = _lines([t.translate(_TO_EASTERN) for t in texts], "sans", 30, 8)
    read = [r.text if (r := read_end_number(line)) else None for line in lines]
    # a line the degradation washed out entirely (glare over light print) is found blank
    legible = [(r, t.split()[0]) for r, t, line in zip(read, texts, lines, strict=True)
               if not line.line.blank]  # fmt: skip
    assert len(legible) >= 4 and all(r == n for r, n in legible), read
    assert read_end_number(_lines(["شارع النيل"], "sans", 30, 6)[0]) is None


def test_the_card_key_is_two_letters_and_seven_digits() -> None:
    keys = ["AB1234567", "WM8385579", "TW2959438", "XQ0000001", "HZ9876543"]
    lines = _lines(keys, "latin", 26, 7, "latin")
    read = [read_key(line) for line in lines]
    assert [r.text for r in read] == keys
    assert all(r.confidence > 0.5 for r in read)
