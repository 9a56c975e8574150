"""Synthetic cards are made once per session (about a second each); the glyph classifiers are
trained once per process, on first use (about 3 s)."""

from __future__ import annotations

import pytest

from hawiya.identity.synthetic.dataset import Sample, make_sample
from tests.identity.ocr.support import TODAY

# 0: a widow (female forms), no husband; 4: a man without an employer line; 5: a married woman,
# so the husband's line is printed.
SEEDS = (0, 4, 5)


@pytest.fixture(scope="session")
def samples() -> dict[int, Sample]:
    return {seed: make_sample(seed, today=TODAY) for seed in SEEDS}
