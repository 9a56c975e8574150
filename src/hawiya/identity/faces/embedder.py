"""Face detection, 5-point alignment and the 128-d dlib embedding of one face in a picture.

Detection is dlib's HOG frontal detector on a copy whose long side is at most `max_side` (800)
pixels: first without upsampling (about 35 ms for 640 × 480 on one core here, faces from about
80 pixels wide), and only when that finds nothing, once more upsampled ×2 (about 4× slower,
faces from about 40 pixels). A selfie or liveness frame has one large face, so the fast pass
nearly always decides.

The face is then cut out of the original picture with a margin and scaled so it is about
`crop_face_px` (200) pixels wide; the 5-point shape predictor and the ResNet embedding (and the
liveness landmarks) all work on that crop, so a small face in a large photo loses no detail and a
huge face costs no more than a normal one.

Before the embedding, two quality gates refuse a face the embedding would not represent
reliably (4209, "face capture unclear, recapture"): a face far too dark or too bright, and a face
with too little real detail (`quality.detail` below `min_detail`: blurred, or a small face
scaled up, whatever its width in pixels). The detail limits, 0.19 for selfies and liveness
frames and 0.17 for the photo cut from an ID card (small and printed), were calibrated on the
BIO-2 synthetic pictures (docs/biometrics.md, "Face quality gate").

Pure and synchronous: a PIL image in, frozen values out; the caller runs it in a process pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from hawiya.identity.faces import errors, quality
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.faces.models import dlib_models

Source = Literal["selfie", "id_card"]
Embedding = npt.NDArray[np.float64]  # shape (128,), unit-free, Euclidean distances


@dataclass(frozen=True, slots=True)
class DetectionPolicy:
    max_side: int = 800  # detection copy; larger pictures are scaled down first
    upsample: tuple[int, ...] = (0, 1)  # tried in order until a face is found
    # A second face counts (4206) when it is at least this wide relative to the largest face and
    # the detector is at least this sure of it. Measured: the mission patch in skimage's astronaut
    # photo is a false face scoring 0.12 at ×2 upsampling; real faces score about 0.5 to 2.5.
    second_face_ratio: float = 0.5
    second_face_min_score: float = 0.3
    min_face_px: int = 60  # narrower (in the original picture's pixels): 4208, move closer
    max_outside: float = 0.2  # share of the box's width allowed beyond the edge, else 4208
    dark: float = 20.0  # mean luminance of the face under this, or over `bright`: 4209
    bright: float = 240.0
    crop_face_px: int = 200  # the face's width in the crop the models work on
    crop_margin: float = 0.6  # margin around the box on each side, as a share of its width
    # Less real detail than this (`quality.detail`): 4209. Calibrated: the portraits' liveness
    # frames 0.276 and up, their selfies 0.173 and up (the 3 % under 0.19 blurred by σ >= 2.2 px
    # at 88 px between the eyes), 25-pixel LFW faces scaled up 0.09-0.20 (frames at most 0.183).
    min_detail: float = 0.19


SELFIE = DetectionPolicy()
# The portrait on a card photo can be small, and it is printed and photographed again: photos
# cut from synthetic card photos measured 0.189-0.33, 25-pixel faces as ID pictures 0.11-0.18.
ID_CARD = DetectionPolicy(min_face_px=40, min_detail=0.17)


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A detection in the original picture's pixels (may extend past the edges)."""

    left: float
    top: float
    right: float
    bottom: float
    score: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True, eq=False)
class FaceCrop:
    """The face cut out with a margin: `pixels` (RGB uint8), the box in crop pixels, and how
    crop pixels map back: original = crop / scale + offset."""

    pixels: npt.NDArray[np.uint8]
    box: FaceBox
    scale: float
    offset: tuple[float, float]


@dataclass(frozen=True, slots=True, eq=False)
class Face:
    box: FaceBox  # in the original picture
    landmarks5: tuple[tuple[float, float], ...]  # eye corners and nose base, crop pixels
    embedding: Embedding
    crop: FaceCrop
    image_size: tuple[int, int]  # (width, height) of the original picture
    detail: float = 0.0  # `quality.detail`: the face's real detail (higher is sharper)


def _rgb(image: Image.Image) -> Image.Image:
    return image if image.mode == "RGB" else image.convert("RGB")


def _detection_copy(image: Image.Image, max_side: int) -> tuple[npt.NDArray[np.uint8], float]:
    """Pixels for the detector and the factor from them back to the original."""
    longest = max(image.size)
    if longest <= max_side:
        return np.asarray(image, dtype=np.uint8), 1.0
    factor = longest / max_side
    size = (max(1, round(image.width / factor)), max(1, round(image.height / factor)))
    small = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(small, dtype=np.uint8), factor


def detect(image: Image.Image, policy: DetectionPolicy = SELFIE) -> list[FaceBox]:
    """Every face the detector reports, widest first, in the original picture's pixels."""
    rgb = _rgb(image)
    pixels, factor = _detection_copy(rgb, policy.max_side)
    models = dlib_models()
    found: list[FaceBox] = []
    for upsample in policy.upsample:
        with models.lock:
            rects, scores, _ = models.detector.run(pixels, upsample, 0.0)
        found = [
            FaceBox(
                r.left() * factor,
                r.top() * factor,
                (r.right() + 1) * factor,
                (r.bottom() + 1) * factor,
                float(s),
            )
            for r, s in zip(rects, scores, strict=True)
        ]
        if found:
            break
    return sorted(found, key=lambda b: b.width, reverse=True)


def locate(
    image: Image.Image, *, source: Source = "selfie", policy: DetectionPolicy | None = None
) -> FaceBox:
    """The one usable face, or FaceError with the spec's code (see `errors`)."""
    policy = policy or (SELFIE if source == "selfie" else ID_CARD)
    faces = detect(image, policy)
    if not faces:
        if source == "id_card":
            raise FaceError(errors.NO_FACE_ON_ID, "no face found in the ID image")
        raise FaceError(errors.NO_FACE, "no face detected")
    main = faces[0]
    if source == "selfie":
        others = [
            f
            for f in faces[1:]
            if f.width >= policy.second_face_ratio * main.width
            and f.score >= policy.second_face_min_score
        ]
        if others:
            raise FaceError(errors.MORE_THAN_ONE_FACE, f"{1 + len(others)} faces")
    width, height = image.size
    if main.width < policy.min_face_px:
        raise FaceError(errors.FACE_NOT_IN_FRAME, f"face too small ({main.width:.0f} px)")
    outside = max(0.0, -main.left, -main.top, main.right - width, main.bottom - height)
    if outside > policy.max_outside * main.width:
        raise FaceError(errors.FACE_NOT_IN_FRAME, "face cut by the picture's edge")
    return main


def crop_face(image: Image.Image, box: FaceBox, policy: DetectionPolicy = SELFIE) -> FaceCrop:
    """The face with a margin, scaled (down only) so the face is about `crop_face_px` wide."""
    rgb = _rgb(image)
    margin = policy.crop_margin * box.width
    left = max(0, int(box.left - margin))
    top = max(0, int(box.top - margin))
    right = min(rgb.width, int(box.right + margin + 1))
    bottom = min(rgb.height, int(box.bottom + margin + 1))
    region = rgb.crop((left, top, right, bottom))
    scale = min(1.0, policy.crop_face_px / box.width)
    if scale < 1.0:
        size = (max(1, round(region.width * scale)), max(1, round(region.height * scale)))
        region = region.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    inner = FaceBox(
        (box.left - left) * scale,
        (box.top - top) * scale,
        (box.right - left) * scale,
        (box.bottom - top) * scale,
        box.score,
    )
    return FaceCrop(
        np.ascontiguousarray(np.asarray(region, dtype=np.uint8)), inner, scale, (left, top)
    )


def _check_exposure(crop: FaceCrop, policy: DetectionPolicy) -> None:
    b = crop.box
    h, w = crop.pixels.shape[:2]
    y0, y1 = max(0, int(b.top)), min(h, int(b.bottom))
    x0, x1 = max(0, int(b.left)), min(w, int(b.right))
    face = crop.pixels[y0:y1, x0:x1].astype(np.float32)
    if face.size == 0:
        raise FaceError(errors.FACE_NOT_IN_FRAME, "face outside the picture")
    luminance = float((face @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).mean())
    if luminance < policy.dark:
        raise FaceError(errors.FACE_UNCLEAR, f"face too dark ({luminance:.0f})")
    if luminance > policy.bright:
        raise FaceError(errors.FACE_UNCLEAR, f"face too bright ({luminance:.0f})")


def _shape(crop: FaceCrop) -> tuple[Any, tuple[tuple[float, float], ...]]:
    """dlib's 5-point shape of the face in a crop, and its points."""
    import dlib  # type: ignore[import-untyped]

    b = crop.box
    rect = dlib.rectangle(round(b.left), round(b.top), round(b.right) - 1, round(b.bottom) - 1)
    models = dlib_models()
    with models.lock:
        shape = models.shape_predictor(crop.pixels, rect)
    return shape, tuple((float(p.x), float(p.y)) for p in shape.parts())


def _descriptor(crop: FaceCrop, shape: Any) -> Embedding:
    models = dlib_models()
    with models.lock:
        vector = models.recognizer.compute_face_descriptor(crop.pixels, shape, 0, 0.25)
    return np.asarray(vector, dtype=np.float64)


def embed_crop(crop: FaceCrop) -> tuple[tuple[tuple[float, float], ...], Embedding]:
    """5-point landmarks and the 128-d embedding of the face in a crop (no quality gate)."""
    shape, points = _shape(crop)
    return points, _descriptor(crop, shape)


def _check_detail(
    crop: FaceCrop, landmarks: tuple[tuple[float, float], ...], policy: DetectionPolicy
) -> float:
    found = quality.detail(crop.pixels, landmarks)
    if found < policy.min_detail:
        raise FaceError(
            errors.FACE_UNCLEAR,
            f"face too blurred or too low in resolution (detail {found:.2f},"
            f" {policy.min_detail:.2f} needed)",
        )
    return found


def embed(
    image: Image.Image, *, source: Source = "selfie", policy: DetectionPolicy | None = None
) -> Face:
    """Detect the one face, check it is usable (exposure, real detail), align it on 5 points
    and embed it. FaceError on an unusable face."""
    policy = policy or (SELFIE if source == "selfie" else ID_CARD)
    box = locate(image, source=source, policy=policy)
    crop = crop_face(image, box, policy)
    _check_exposure(crop, policy)
    shape, landmarks = _shape(crop)
    detail = _check_detail(crop, landmarks, policy)
    return Face(box, landmarks, _descriptor(crop, shape), crop, image.size, detail)
