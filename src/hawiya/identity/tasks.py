"""The functions the image worker processes run (identity/workers.py). They take and return
plain, picklable values: bytes in, dictionaries out, FaceError for an unusable face."""

from __future__ import annotations

import os
from typing import Any

from hawiya.identity.images import open_image


def worker_start() -> None:
    """Each worker process: one thread for the numeric libraries (the pool is the parallelism),
    then load every model once, before the first request pays for it."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from hawiya.identity.faces import warm_up

    warm_up()


def compare_faces(first: bytes, second: bytes, threshold: float) -> dict[str, Any]:
    """Two selfies (or a selfie and another face picture): the match decision (BIO-1)."""
    from hawiya.identity.faces.match import MatchPolicy, match_images

    result = match_images(
        open_image(first).image,
        open_image(second).image,
        reference_source="selfie",
        policy=MatchPolicy(threshold),
    )
    return result.as_dict()
