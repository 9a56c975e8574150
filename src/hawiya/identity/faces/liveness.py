"""Passive liveness on the three frames the SDKs send (`face_1`..`face_3`, spec §1.10, §2.4,
§2.5; vlens-clients.md §3.5): the client asked the person for three different challenges from
{smile, blink, turn head right, turn head left, look straight} and sent one frame of each, in
order, without saying which.

Four checks, all of which must pass:

1. `faces`: exactly one usable face in each frame (4207 none, 4206 more than one, 4208 not
   wholly in the frame or too small, 4209 unreadable, far too dark or bright, or with too little
   real detail: blurred, or a small face scaled up, `quality`). When this fails nothing else is
   run and the result carries that code.
2. `duplicates`: no two frames are the same picture: identical bytes, identical pixels, or a
   near or mirrored copy (`duplicates`).
3. `same_person`: every two frames' embeddings within `same_person_threshold` (the match
   threshold by default), so the three frames are one person.
4. `movement`: every two frames show a different pose or expression: a change in yaw, in how
   open the eyes are (eyelid gap, and how dark the eye region is), in mouth width, mouth
   opening or the lift of the mouth corners beyond what measuring one still face twice gives
   (see `landmarks`; the measures are unchanged by moving or tilting a flat picture), and a
   change the pixels confirm: the region that moved (the eyes for the eye measures, the mouth
   for the mouth measures, either for yaw) must look different once the two frames are
   aligned on the face's rigid points (`landmarks.appearance_change`). One photo sent three
   times, re-encoded, shifted or rescaled copies, or a printed face shown three times, fails
   here even when every pixel differs, and even when the face mesh jitters on a soft face.

Failures of checks 2–4 give `passed=False` with code 4210 (INFERRED, see `errors`) and the
reasons. The spec's `services.liveness` is `passed`. Matching the person against the ID photo is
a separate call (`match.compare` with `result.embeddings[result.reference_frame]`, the most
frontal open-eyed frame).

Defaults, measured on the synthetic sets (`synthetic`, MediaPipe 0.10.21, frames 480 × 640):
the largest change between captures of one still face (moved, rotated, tilted, re-encoded) was
0.035 yaw, 0.135 relative eye opening (behind glasses), 0.02 mouth width, 0.012 mouth opening
and 0.014 corner lift; a 22° head turn changed yaw by 0.36 or more, a blink the eye opening by
0.19 or more (0.43 without glasses), a smile the mouth width by 0.075 or more. The thresholds
sit between. Eye darkness and the appearance change were calibrated for BIO-2 on 240 synthetic
presentations (bona fide, replayed, nudged, refilmed, defocused and printed; sharp portraits,
the portraits blurred by σ 2 and 3 pixels, and 25-pixel LFW faces): still pictures changed the
eye darkness by at most 0.04 relative (0.08 on LFW faces), blinks by 0.14 or more on the
portraits; still pictures changed the appearance of the eyes or mouth by at most 0.011 (0.015
on LFW faces), blinks, smiles and head turns on the portraits, sharp or blurred, by 0.048 or
more (on LFW faces by as little as 0.019: there the check refuses real movement too, but the
quality gate refuses those faces first). Thresholds 0.08 and 0.02.

Limits (BIO-4): three still frames cannot prove a live person against three different photos or
a video of the victim performing the challenges, nor against virtual-camera injection; these
checks stop replayed and static pictures, not a deepfake.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from hawiya.identity.faces import duplicates, errors
from hawiya.identity.faces import landmarks as lm
from hawiya.identity.faces.embedder import SELFIE, DetectionPolicy, Embedding, Face, embed
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.faces.match import DEFAULT_THRESHOLD, distance, score_of
from hawiya.identity.faces.models import liveness_model_version

FACES, DUPLICATES, SAME_PERSON, MOVEMENT = "faces", "duplicates", "same_person", "movement"


@dataclass(frozen=True, slots=True)
class LivenessPolicy:
    same_person_threshold: float = DEFAULT_THRESHOLD  # largest embedding distance between frames
    phash_bits: int = 10  # near copy: perceptual hashes within this many of 64 bits ...
    pixel_p99: float = 6.0  # ... and thumbnails within this many grey levels (99th percentile)
    # A pair of frames shows movement when any measure changes by at least:
    yaw_change: float = 0.12
    eyes_change: float = 0.25  # relative: 1 - smaller / larger eye opening
    eye_dark_change: float = 0.08  # relative, as above
    mouth_width_change: float = 0.045
    mouth_open_change: float = 0.05
    smile_lift_change: float = 0.03
    # ... and the pixels of the region it concerns changed by at least this much (1 - the best
    # normalised correlation once aligned, `landmarks.appearance_change`); 0 switches it off.
    appearance_change: float = 0.02
    min_moving_pairs: int | None = None  # None: every pair of frames must differ
    detection: DetectionPolicy = field(default_factory=lambda: SELFIE)


DEFAULT_POLICY = LivenessPolicy()


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool
    reasons: tuple[str, ...] = ()
    measurements: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "measurements": self.measurements,
        }


@dataclass(frozen=True, slots=True, eq=False)
class LivenessResult:
    passed: bool
    code: int | None  # None when passed
    reasons: tuple[str, ...]
    checks: tuple[Check, ...]
    geometry: tuple[lm.Geometry | None, ...]  # per frame; None where no face was read
    embeddings: tuple[Embedding, ...]  # per frame, empty when the faces check failed
    reference_frame: int | None  # the most frontal open-eyed frame, to match against the ID
    model: str

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        """For the audit record and the response's explanation (no embeddings)."""
        return {
            "passed": self.passed,
            "code": self.code,
            "reasons": list(self.reasons),
            "checks": [c.as_dict() for c in self.checks],
            "frames": [g.as_dict() if g else None for g in self.geometry],
            "reference_frame": self.reference_frame,
            "model": self.model,
        }


def _pair_name(i: int, j: int) -> str:
    return f"face_{i + 1}/face_{j + 1}"


def _faces(
    frames: Sequence[Image.Image], policy: LivenessPolicy
) -> tuple[Check, list[Face], list[lm.Points], list[lm.Geometry], FaceError | None]:
    found: list[Face] = []
    meshes: list[lm.Points] = []
    geometry: list[lm.Geometry] = []
    sizes: dict[str, Any] = {}
    for index, frame in enumerate(frames):
        try:
            face = embed(frame, policy=policy.detection)
            points = lm.mesh_points(face.crop.pixels)
            if points is None:
                raise FaceError(errors.FACE_UNCLEAR, "face landmarks unreadable")
            b = face.crop.box
            centre_x, centre_y = points[:, 0].mean(), points[:, 1].mean()
            if not (b.left <= centre_x <= b.right and b.top <= centre_y <= b.bottom):
                raise FaceError(errors.FACE_UNCLEAR, "landmarks found on another face")
        except FaceError as error:
            failure = FaceError(error.code, error.reason, frame=index)
            check = Check(FACES, False, (str(failure),), sizes)
            return check, found, meshes, geometry, failure
        found.append(face)
        meshes.append(points)
        geometry.append(lm.measure(points, face.crop.pixels))
        sizes[f"face_{index + 1}"] = {
            "box": [
                round(v) for v in (face.box.left, face.box.top, face.box.right, face.box.bottom)
            ],
            "detection_score": round(face.box.score, 3),
            "detail": round(face.detail, 4),
        }
    return Check(FACES, True, (), sizes), found, meshes, geometry, None


def _duplicates(
    frames: Sequence[Image.Image], raw: Sequence[bytes] | None, policy: LivenessPolicy
) -> Check:
    signatures = [
        duplicates.signature(frame, raw[i] if raw is not None else None)
        for i, frame in enumerate(frames)
    ]
    reasons: list[str] = []
    measurements: dict[str, Any] = {}
    for (i, a), (j, b) in itertools.combinations(enumerate(signatures), 2):
        result = duplicates.compare(a, b, phash_bits=policy.phash_bits, pixel_p99=policy.pixel_p99)
        measurements[_pair_name(i, j)] = result.as_dict()
        if result.kind is not None:
            reasons.append(f"{_pair_name(i, j)}: {result.kind.replace('_', ' ')}")
    return Check(DUPLICATES, not reasons, tuple(reasons), measurements)


def _same_person(faces: Sequence[Face], policy: LivenessPolicy) -> Check:
    reasons: list[str] = []
    measurements: dict[str, Any] = {"threshold": policy.same_person_threshold}
    for (i, a), (j, b) in itertools.combinations(enumerate(faces), 2):
        d = distance(a.embedding, b.embedding)
        measurements[_pair_name(i, j)] = {"distance": round(d, 4), "score": score_of(d)}
        if d > policy.same_person_threshold:
            reasons.append(f"{_pair_name(i, j)}: different people (distance {d:.2f})")
    return Check(SAME_PERSON, not reasons, tuple(reasons), measurements)


def _changes(a: lm.Geometry, b: lm.Geometry) -> dict[str, float]:
    def relative(x: float, y: float) -> float:
        larger = max(x, y)
        return max(0.0, 1.0 - min(x, y) / larger) if larger > 1e-6 else 0.0

    return {
        "yaw": abs(a.yaw - b.yaw),
        "eyes_open": relative(a.eyes_open, b.eyes_open),
        "eye_dark": relative(a.eye_dark, b.eye_dark),
        "mouth_width": abs(a.mouth_width - b.mouth_width),
        "mouth_open": abs(a.mouth_open - b.mouth_open),
        "smile_lift": abs(a.smile_lift - b.smile_lift),
    }


# Which region's pixels must confirm a change of each measure ("face": the eyes or the mouth).
_REGION_OF = {
    "yaw": "face",
    "eyes_open": "eyes",
    "eye_dark": "eyes",
    "mouth_width": "mouth",
    "mouth_open": "mouth",
    "smile_lift": "mouth",
}


def _appearance(
    faces: Sequence[Face], meshes: Sequence[lm.Points], i: int, j: int
) -> dict[str, float]:
    found = lm.appearance_change(faces[i].crop.pixels, meshes[i], faces[j].crop.pixels, meshes[j])
    found["face"] = max(found["eyes"], found["mouth"])
    return found


def _movement(
    faces: Sequence[Face],
    meshes: Sequence[lm.Points],
    geometry: Sequence[lm.Geometry],
    policy: LivenessPolicy,
) -> Check:
    limits = {
        "yaw": policy.yaw_change,
        "eyes_open": policy.eyes_change,
        "eye_dark": policy.eye_dark_change,
        "mouth_width": policy.mouth_width_change,
        "mouth_open": policy.mouth_open_change,
        "smile_lift": policy.smile_lift_change,
    }
    measurements: dict[str, Any] = {
        "thresholds": {**limits, "appearance": policy.appearance_change}
    }
    still: list[str] = []
    moving = 0
    for (i, a), (j, b) in itertools.combinations(enumerate(geometry), 2):
        changes = _changes(a, b)
        measured = [name for name, value in changes.items() if value >= limits[name]]
        seen = _appearance(faces, meshes, i, j) if policy.appearance_change > 0 else {}
        moved = [
            name for name in measured if seen.get(_REGION_OF[name], 1.0) >= policy.appearance_change
        ]
        measurements[_pair_name(i, j)] = {
            "changes": {k: round(v, 4) for k, v in changes.items()},
            "appearance": {k: round(seen[k], 4) for k in ("eyes", "mouth") if k in seen},
            "moved": moved,
            # changes the mesh measured but the pixels did not show (landmark jitter)
            "unconfirmed": [name for name in measured if name not in moved],
        }
        if moved:
            moving += 1
        else:
            still.append(_pair_name(i, j))
    pairs = len(geometry) * (len(geometry) - 1) // 2
    needed = pairs if policy.min_moving_pairs is None else policy.min_moving_pairs
    measurements["moving_pairs"] = moving
    passed = moving >= needed
    reasons = () if passed else tuple(f"{p}: same pose and expression" for p in still)
    return Check(MOVEMENT, passed, reasons, measurements)


def _reference_frame(geometry: Sequence[lm.Geometry]) -> int:
    """The most frontal frame among those whose eyes are open (by both eye measures)."""
    widest = max(g.eyes_open for g in geometry)
    darkest = max(g.eye_dark for g in geometry)
    open_eyed = [
        i
        for i, g in enumerate(geometry)
        if g.eyes_open >= 0.75 * widest and g.eye_dark >= 0.85 * darkest
    ] or list(range(len(geometry)))
    return min(open_eyed, key=lambda i: abs(geometry[i].yaw))


def check_liveness(
    frames: Sequence[Image.Image],
    *,
    raw: Sequence[bytes] | None = None,
    policy: LivenessPolicy = DEFAULT_POLICY,
) -> LivenessResult:
    """Liveness of `frames` (decoded face_1..face_3, `images.decode_image`). `raw`, the bytes
    each frame arrived as, lets identical uploads be named as such."""
    if len(frames) < 2:
        raise ValueError("liveness needs at least two frames")
    if raw is not None and len(raw) != len(frames):
        raise ValueError("raw must hold one entry per frame")
    model = liveness_model_version()
    faces_check, faces, meshes, geometry, failure = _faces(frames, policy)
    if failure is not None:
        padded: list[lm.Geometry | None] = [*geometry, *([None] * (len(frames) - len(geometry)))]
        return LivenessResult(
            passed=False,
            code=failure.code,
            reasons=faces_check.reasons,
            checks=(faces_check,),
            geometry=tuple(padded),
            embeddings=(),
            reference_frame=None,
            model=model,
        )
    checks = (
        faces_check,
        _duplicates(frames, raw, policy),
        _same_person(faces, policy),
        _movement(faces, meshes, geometry, policy),
    )
    passed = all(c.passed for c in checks)
    return LivenessResult(
        passed=passed,
        code=None if passed else errors.LIVENESS_FAILED,
        reasons=tuple(r for c in checks for r in c.reasons),
        checks=checks,
        geometry=tuple(geometry),
        embeddings=tuple(f.embedding for f in faces),
        reference_frame=_reference_frame(geometry),
        model=model,
    )
