"""The functions the image worker processes run (identity/workers.py). They take and return
plain, picklable values: bytes in, dictionaries out, FaceError for an unusable face."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from hawiya.identity.images import open_image, reencode

_DATA_DIR: list[Path] = []


def worker_start(data_dir: str | None = None) -> None:
    """Each worker process: one thread for the numeric libraries (the pool is the parallelism),
    then load every model once, before the first request pays for it. The card reader's digit
    classifiers are cached under data_dir (trained from rendered glyphs on first use)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from hawiya.identity import ocr
    from hawiya.identity.faces import warm_up

    if data_dir:
        _DATA_DIR[:] = [Path(data_dir)]
    warm_up()
    ocr.warm_up(_DATA_DIR[0] if _DATA_DIR else None)


def read_card(side: str, data: bytes, today: str) -> dict[str, Any]:
    """One side of a national ID: its fields under the spec's names, the validation errors as
    (code, field), the photo re-encoded without metadata, and on the front the holder's photo
    (None when it shows no face: 3014). OcrError (3011 ...) when no card can be read."""
    from hawiya.identity import ocr
    from hawiya.identity.faces.embedder import embed
    from hawiya.identity.faces.errors import FaceError

    image = open_image(data).image
    data_dir = _DATA_DIR[0] if _DATA_DIR else None
    day = date.fromisoformat(today)
    result: ocr.FrontResult | ocr.BackResult
    photo = None
    if side == "front":
        result = ocr.read_front(image, today=day, data_dir=data_dir)
        try:
            embed(result.photo, source="id_card")
            photo = reencode(result.photo)
            result = ocr.with_face_check(result, True)
        except FaceError:
            result = ocr.with_face_check(result, False)
    else:
        result = ocr.read_back(image, today=day, data_dir=data_dir)
    return {
        "fields": result.data(),
        "errors": [(issue.code, issue.field) for issue in result.errors],
        "image": reencode(image),
        "photo": photo,
    }


def classify_document(data: bytes) -> dict[str, str | None]:
    """What document the photo shows (/v1/ocr/classification)."""
    import numpy as np

    from hawiya.identity.ocr.classify import classify

    found = classify(np.asarray(open_image(data).image.convert("RGB"), dtype=np.uint8))
    return {"doc_type": found.doc_type, "side": found.side}


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


def match_id_photo(face: bytes, id_photo: bytes, threshold: float) -> dict[str, Any]:
    """A face against the holder's photo cut from the ID card (BIO-1), and the face picture
    re-encoded without metadata."""
    from hawiya.identity.faces.match import MatchPolicy, match_images

    picture = open_image(face).image
    result = match_images(
        picture,
        open_image(id_photo).image,
        reference_source="id_card",
        policy=MatchPolicy(threshold),
    ).as_dict()
    return {**result, "image": reencode(picture)}


def check_liveness(frames: list[bytes], id_photo: bytes, threshold: float) -> dict[str, Any]:
    """Liveness on the three frames, then the face of the most frontal frame against the ID
    photo. Returns the liveness explanation (no embeddings) and, when liveness passed, the match;
    FaceError for a frame without one usable face. The tenant's threshold decides both whether
    the three frames show one person and whether that person is the ID photo's."""
    from hawiya.identity.faces.embedder import embed
    from hawiya.identity.faces.liveness import LivenessPolicy
    from hawiya.identity.faces.liveness import check_liveness as liveness
    from hawiya.identity.faces.match import MatchPolicy, compare

    pictures = [open_image(frame).image for frame in frames]
    result = liveness(pictures, raw=frames, policy=LivenessPolicy(same_person_threshold=threshold))
    answer: dict[str, Any] = {"liveness": result.as_dict(), "match": None, "best": None}
    if result.passed and result.reference_frame is not None:
        reference = result.embeddings[result.reference_frame]
        id_face = embed(open_image(id_photo).image, source="id_card")
        answer["match"] = compare(reference, id_face.embedding, MatchPolicy(threshold)).as_dict()
        answer["best"] = reencode(pictures[result.reference_frame])
    answer["frames"] = [reencode(p) for p in pictures]
    return answer
