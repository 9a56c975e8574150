"""AML (anti-money-laundering) screening: a customer's name, as read from the national ID in
Arabic or typed in Latin letters, and optionally the national ID number, against sanction and
watch lists (UN, OFAC, EU, tenant blacklists).

`normalize` folds spelling noise and gives each name token a cross-script phonetic key;
`matcher` scores names and searches an in-memory index; `variants` makes synthetic lists and
labelled queries for tests and bench/aml.py.
"""

from __future__ import annotations

from hawiya.identity.aml.matcher import (
    DEFAULT_THRESHOLD,
    ListEntry,
    Match,
    NameIndex,
    name_score,
    token_similarity,
)
from hawiya.identity.aml.normalize import name_tokens, normalize_name, skeleton

__all__ = [
    "DEFAULT_THRESHOLD",
    "ListEntry",
    "Match",
    "NameIndex",
    "name_score",
    "name_tokens",
    "normalize_name",
    "skeleton",
    "token_similarity",
]
