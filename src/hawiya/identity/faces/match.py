"""Face match: two embeddings → a distance, a 0–100 score and a decision (checklist BIO-1).

The distance is the Euclidean distance between dlib ResNet embeddings (the "dissimilarity" the
old Vlens docs mention). dlib documents 0.6 as the operating point of this model: two faces of
one person are closer than 0.6, giving 99.38 % on the LFW benchmark. That is the default
threshold; a tenant may make it stricter (lower) or looser, per `MatchPolicy`.

The score is a fixed logistic mapping of the distance, centred on that operating point:

    score = 100 / (1 + exp((distance − 0.6) / 0.1))

so 0.6 reads as 50, 0.4 as 88, 0.3 as 95, 0.8 as 12 and 0.9 as 5. The mapping does not move
with a tenant's threshold, so one score always means one distance; the threshold is reported in
both units, and `distance <= threshold` exactly when `score >= threshold_score`. A logistic,
rather than a straight line, keeps the scores of clear matches high and of clear non-matches low,
and bounds both ends without clipping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from hawiya.identity.faces.embedder import Embedding, Source, embed
from hawiya.identity.faces.models import embedding_model_version

DEFAULT_THRESHOLD = 0.6  # dlib's documented operating point for this model
SCORE_CENTRE = 0.6
SCORE_SLOPE = 0.1


def score_of(distance: float) -> float:
    """The 0–100 similarity score of a distance (higher is more alike)."""
    z = (distance - SCORE_CENTRE) / SCORE_SLOPE
    if z > 700:  # exp overflow; the score is 0 to any precision anyway
        return 0.0
    return round(100.0 / (1.0 + math.exp(z)), 2)


def distance_of(score: float) -> float:
    """The distance a score stands for: the inverse of `score_of` (0 < score < 100)."""
    if not 0.0 < score < 100.0:
        raise ValueError("score must be strictly between 0 and 100")
    return SCORE_CENTRE + SCORE_SLOPE * math.log(100.0 / score - 1.0)


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    threshold: float = DEFAULT_THRESHOLD  # largest distance still called the same person

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 2.0:  # distances of unit-length embeddings lie in [0, 2]
            raise ValueError("threshold must be a distance between 0 and 2")

    @classmethod
    def from_score(cls, score: float) -> MatchPolicy:
        """A policy from a threshold stated as a score, e.g. 60 → distance 0.559."""
        return cls(distance_of(score))


DEFAULT_POLICY = MatchPolicy()


@dataclass(frozen=True, slots=True)
class MatchResult:
    matched: bool
    distance: float
    score: float  # 0–100
    threshold: float  # distance
    threshold_score: float  # the same threshold on the score scale
    model: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "distance": self.distance,
            "score": self.score,
            "threshold": self.threshold,
            "threshold_score": self.threshold_score,
            "model": self.model,
        }


def distance(a: Embedding, b: Embedding) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def compare(a: Embedding, b: Embedding, policy: MatchPolicy = DEFAULT_POLICY) -> MatchResult:
    d = distance(a, b)
    return MatchResult(
        matched=d <= policy.threshold,
        distance=round(d, 4),
        score=score_of(d),
        threshold=policy.threshold,
        threshold_score=score_of(policy.threshold),
        model=embedding_model_version(),
    )


def match_images(
    probe: Image.Image,
    reference: Image.Image,
    *,
    reference_source: Source = "id_card",
    policy: MatchPolicy = DEFAULT_POLICY,
) -> MatchResult:
    """A selfie against a reference (the ID photo by default, or another selfie for
    face/compare). FaceError (4206–4209, 3014) when either picture has no usable face."""
    return compare(
        embed(probe).embedding, embed(reference, source=reference_source).embedding, policy
    )
