"""Liveness frame sets made from one real face photo, for the tests and the benchmark (no face
photo is ever downloaded or committed).

The photos come from installed packages and are public domain: `skimage.data.astronaut()`
(scikit-image; NASA photo of Eileen Collins) and matplotlib's `sample_data/grace_hopper.jpg` (US
Navy photo of Grace Hopper). `astronaut()` and `grace_hopper()` load them; both packages are test
dependencies only.

A photo is first framed like a selfie (`prepare`: a portrait frame with the face about 38 % of
its width), and its MediaPipe face mesh is read. Each challenge then moves mesh points and warps
the picture piecewise-affinely over a Delaunay triangulation of the moved points (plus fixed
points around the face and along the border, so the background stays put):

- `turn_left` / `turn_right`: the mesh (with MediaPipe's depth) rotated about the vertical axis by
  `yaw_deg` (22°, over the SDKs' 13°) and projected back;
- `blink`: each upper eyelid pulled onto the lower one, the skin above following part way, so
  the lid's own skin covers the eye;
- `smile`: the mouth corners pulled outward and up, the lips and cheeks around them following
  with a Gaussian fall-off;
- `straight`: no change.

Every frame is then "captured" like a hand-held phone frame: a small random shift, rotation and
scale, a change of exposure, sensor noise and JPEG compression. The attack sets
(`same_photo_three_times`, `reencoded_copies`, `printed_copies`) and `mixed_identities` build the
negative cases.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from hawiya.identity.faces import landmarks as lm
from hawiya.identity.faces.embedder import detect

Challenge = Literal["straight", "blink", "smile", "turn_left", "turn_right"]
CHALLENGES: tuple[Challenge, ...] = ("straight", "blink", "smile", "turn_left", "turn_right")
Pixels = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float64]

FRAME_SIZE = (480, 640)  # width, height: a portrait phone frame
MESH_POINTS = 468  # the warp uses the face mesh without the iris points

# MediaPipe annotation rings above each upper eyelid (the crease and the brow-side skin).
RIGHT_UPPER_1 = (247, 30, 29, 27, 28, 56, 190)
RIGHT_UPPER_2 = (113, 225, 224, 223, 222, 221, 189)
LEFT_UPPER_1 = (467, 260, 259, 257, 258, 286, 414)
LEFT_UPPER_2 = (342, 445, 444, 443, 442, 441, 413)
MOUTH_CORNERS = (lm.MOUTH_RIGHT, 78, lm.MOUTH_LEFT, 308)  # outer and inner corners
FACE_OVAL: tuple[int, ...] = (
    10,
    21,
    54,
    58,
    67,
    93,
    103,
    109,
    127,
    132,
    136,
    148,
    149,
    150,
    152,
    162,
    172,
    176,
)
FACE_OVAL += (234, 251, 284, 288, 297, 323, 332, 338, 356, 361, 365, 377, 378, 379, 389, 397)
FACE_OVAL += (400, 454)


def astronaut() -> Image.Image:
    """NASA's photo of Eileen Collins from scikit-image (public domain). Its mission patch is a
    false face for dlib at ×2 upsampling: `prepare` crops it out."""
    from skimage import data

    return Image.fromarray(data.astronaut()).convert("RGB")  # type: ignore[no-untyped-call]


def grace_hopper() -> Image.Image:
    """The US Navy's photo of Grace Hopper from matplotlib's sample data (public domain)."""
    from matplotlib import cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(str(path)) as photo:
        return photo.convert("RGB")


@dataclass(frozen=True, slots=True, eq=False)
class Portrait:
    """A selfie-framed face photo and its face mesh (pixels; z in x's units)."""

    pixels: Pixels
    points: Floats

    @property
    def image(self) -> Image.Image:
        return Image.fromarray(self.pixels)


def prepare(photo: Image.Image, size: tuple[int, int] = FRAME_SIZE) -> Portrait:
    """Frame the largest face of a photo like a selfie and read its mesh."""
    faces = detect(photo)
    if not faces:
        raise ValueError("no face in the photo")
    face = faces[0]
    width, height = size
    # Region of the photo (in its pixels) that becomes the frame: the face ~38 % of the width.
    region_w = min(face.width / 0.38, photo.width, photo.height * width / height)
    region_h = region_w * height / width
    cx = (face.left + face.right) / 2
    cy = (face.top + face.bottom) / 2 + 0.05 * region_h
    left = min(max(cx - region_w / 2, 0.0), photo.width - region_w)
    top = min(max(cy - region_h / 2, 0.0), photo.height - region_h)
    framed = photo.convert("RGB").resize(
        size, Image.Resampling.LANCZOS, box=(left, top, left + region_w, top + region_h)
    )
    pixels = np.asarray(framed, dtype=np.uint8).copy()
    points = lm.mesh_points(pixels)
    if points is None:
        raise ValueError("no face mesh in the photo")
    return Portrait(pixels, points)


def _anchors(points: Floats, shape: tuple[int, ...]) -> Floats:
    """Fixed points: two rings around the face oval and the picture's border."""
    oval = points[list(FACE_OVAL), :2]
    centre = oval.mean(axis=0)
    rings = [centre + (oval - centre) * k for k in (1.45, 1.9)]
    h, w = shape[:2]
    border = []
    for t in np.linspace(0.0, 1.0, 9):
        border += [(t * (w - 1), 0.0), (t * (w - 1), h - 1.0)]
        border += [(0.0, t * (h - 1)), (w - 1.0, t * (h - 1))]
    inside = np.concatenate(rings)
    inside = inside[
        (inside[:, 0] > 1) & (inside[:, 0] < w - 2) & (inside[:, 1] > 1) & (inside[:, 1] < h - 2)
    ]
    return np.concatenate([inside, np.array(border)])


def _delaunay(points: Floats, shape: tuple[int, ...]) -> list[tuple[int, int, int]]:
    h, w = shape[:2]
    subdiv = cv2.Subdiv2D((-2, -2, w + 4, h + 4))
    index: dict[tuple[float, float], int] = {}
    for i, (x, y) in enumerate(points.astype(np.float32)):
        key = (float(x), float(y))
        if key not in index:
            index[key] = i
            subdiv.insert(key)
    triangles = []
    for x1, y1, x2, y2, x3, y3 in subdiv.getTriangleList():
        corners = ((float(x1), float(y1)), (float(x2), float(y2)), (float(x3), float(y3)))
        if all(c in index for c in corners):
            a, b, c = (index[k] for k in corners)
            triangles.append((a, b, c))
    return triangles


def _fan(ring: Sequence[int]) -> list[tuple[int, int, int]]:
    return [(ring[0], ring[i], ring[i + 1]) for i in range(1, len(ring) - 1)]


@functools.cache
def face_triangles() -> tuple[tuple[int, int, int], ...]:
    """The face mesh's triangles (from MediaPipe's tessellation edges), with the eye and mouth
    openings filled so that they move with the lids and lips."""
    from mediapipe.python.solutions import (  # type: ignore[import-untyped]
        face_mesh_connections,
    )

    neighbours: dict[int, set[int]] = {}
    for a, b in face_mesh_connections.FACEMESH_TESSELATION:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    found: set[tuple[int, int, int]] = set()
    for a, near in neighbours.items():
        for b in near:
            for c in near & neighbours[b]:
                x, y, z = sorted((a, b, c))
                found.add((x, y, z))
    right_eye: tuple[int, ...] = (lm.RIGHT_EYE_OUTER, *lm.RIGHT_LOWER_LID, lm.RIGHT_EYE_INNER)
    right_eye += tuple(reversed(lm.RIGHT_UPPER_LID))
    left_eye: tuple[int, ...] = (lm.LEFT_EYE_OUTER, *lm.LEFT_LOWER_LID, lm.LEFT_EYE_INNER)
    left_eye += tuple(reversed(lm.LEFT_UPPER_LID))
    mouth: tuple[int, ...] = (
        78,
        95,
        88,
        178,
        87,
        14,
        317,
        402,
        318,
        324,
        308,
        415,
        310,
        311,
        312,
        13,
        82,
        81,
    )
    mouth += (80, 191)
    return (*sorted(found), *_fan(right_eye), *_fan(left_eye), *_fan(mouth))


def warp(
    pixels: Pixels, source: Floats, target: Floats, triangles: Sequence[tuple[int, int, int]]
) -> Pixels:
    """Move the picture so each `source` point lands on its `target`: piecewise affine over
    `triangles` (indices into both), later triangles drawn over earlier ones; backward mapping
    with bilinear sampling. Pixels under no triangle stay where they are."""
    h, w = pixels.shape[:2]
    labels = np.zeros((h, w), dtype=np.int32)
    inverse = np.zeros((len(triangles) + 1, 2, 3), dtype=np.float64)
    inverse[0] = [[1, 0, 0], [0, 1, 0]]
    for n, tri in enumerate(triangles, start=1):
        dst = target[list(tri), :2].astype(np.float32)
        src = source[list(tri), :2].astype(np.float32)
        edge1, edge2 = dst[1] - dst[0], dst[2] - dst[0]
        if abs(float(edge1[0] * edge2[1] - edge1[1] * edge2[0])) < 1e-2:
            continue  # collapsed (a shut eyelid): covers no pixel
        inverse[n] = cv2.getAffineTransform(dst, src)
        cv2.fillConvexPoly(labels, np.round(dst).astype(np.int32), (n,))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    a = inverse[labels]
    map_x = (a[..., 0, 0] * xs + a[..., 0, 1] * ys + a[..., 0, 2]).astype(np.float32)
    map_y = (a[..., 1, 0] * xs + a[..., 1, 1] * ys + a[..., 1, 2]).astype(np.float32)
    out = cv2.remap(pixels, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return np.asarray(out, dtype=np.uint8)


def warp_face(pixels: Pixels, points: Floats, moved: Floats) -> Pixels:
    """Warp a face from its mesh `points` to `moved` (both (468, 3)); the background between the
    face outline and fixed points around it stretches to follow. Face triangles are drawn far
    to near (MediaPipe's z grows away from the camera), so a turned-away cheek is hidden behind
    the nose as a real one would be."""
    anchors = _anchors(points, pixels.shape)
    n = len(points)
    oval = list(FACE_OVAL)
    outline = np.concatenate([moved[oval, :2], anchors])
    background = [
        tuple(oval[i] if i < len(oval) else n + i - len(oval) for i in tri)
        for tri in _delaunay(outline, pixels.shape)
    ]
    face = sorted(face_triangles(), key=lambda t: -float(moved[list(t), 2].mean()))
    source = np.concatenate([points[:, :2], anchors])
    target = np.concatenate([moved[:, :2], anchors])
    triangles: list[tuple[int, int, int]] = [(a, b, c) for a, b, c in background]
    return warp(pixels, source, target, triangles + face)


def _face_axes(points: Floats) -> tuple[Floats, Floats, float]:
    p = points[:, :2]
    right = (p[lm.RIGHT_EYE_OUTER] + p[lm.RIGHT_EYE_INNER]) / 2
    left = (p[lm.LEFT_EYE_OUTER] + p[lm.LEFT_EYE_INNER]) / 2
    across = (left - right) / np.linalg.norm(left - right)
    down = np.array([-across[1], across[0]])
    mouth = float(np.linalg.norm(p[lm.MOUTH_LEFT] - p[lm.MOUTH_RIGHT]))
    return across, down, mouth


def turned(points: Floats, degrees: float) -> Floats:
    """The mesh turned about the vertical axis; positive turns the nose to the image's right."""
    theta = np.radians(degrees)
    oval = points[list(FACE_OVAL)]
    cx, cz = float(oval[:, 0].mean()), float(points[:, 2].mean())
    out = points.copy()
    x, z = points[:, 0] - cx, points[:, 2] - cz
    out[:, 0] = cx + x * np.cos(theta) - z * np.sin(theta)
    out[:, 2] = cz + x * np.sin(theta) + z * np.cos(theta)
    return out


def blinked(points: Floats, closed: float = 0.92) -> Floats:
    """Upper eyelids lowered onto the lower ones (`closed` = 1 shuts the gap completely)."""
    out = points.copy()
    eyes = (
        (lm.RIGHT_UPPER_LID, lm.RIGHT_LOWER_LID, RIGHT_UPPER_1, RIGHT_UPPER_2),
        (lm.LEFT_UPPER_LID, lm.LEFT_LOWER_LID, LEFT_UPPER_1, LEFT_UPPER_2),
    )
    for upper, lower, ring1, ring2 in eyes:
        for u, lo, r1, r2 in zip(upper, lower, ring1, ring2, strict=True):
            move = closed * (points[lo, :2] - points[u, :2])
            out[u, :2] = points[u, :2] + move
            out[r1, :2] = points[r1, :2] + 0.45 * move
            out[r2, :2] = points[r2, :2] + 0.15 * move
    return out


def smiled(points: Floats, amount: float = 1.0) -> Floats:
    """Mouth corners out and up, the lips and cheeks around them following."""
    across, down, mouth = _face_axes(points)
    p = points[:, :2]
    sigma = 0.35 * mouth
    shift = np.zeros_like(p)
    for corner, side in ((lm.MOUTH_RIGHT, -1.0), (lm.MOUTH_LEFT, 1.0)):
        move = amount * mouth * (0.11 * side * across - 0.09 * down)
        weight = np.exp(-np.sum((p - p[corner]) ** 2, axis=1) / (2 * sigma**2))
        shift += weight[:, None] * move
    out = points.copy()
    out[:, :2] = p + shift
    for corner, side in ((lm.MOUTH_RIGHT, -1.0), (lm.MOUTH_LEFT, 1.0), (78, -1.0), (308, 1.0)):
        out[corner, :2] = p[corner] + amount * mouth * (0.11 * side * across - 0.09 * down)
    return out


def pose(portrait: Portrait, challenge: Challenge, *, yaw_deg: float = 22.0) -> Pixels:
    """The portrait's face doing one challenge (before capture effects)."""
    points = portrait.points[:MESH_POINTS]
    if challenge == "straight":
        return portrait.pixels.copy()
    if challenge == "blink":
        moved = blinked(points)
    elif challenge == "smile":
        moved = smiled(points)
    elif challenge == "turn_left":  # the person's left: the nose goes to the image's right
        moved = turned(points, yaw_deg)
    else:
        moved = turned(points, -yaw_deg)
    return warp_face(portrait.pixels, points, moved)


def capture(
    pixels: Pixels,
    rng: random.Random,
    *,
    shake: float = 1.0,
    quality: int = 85,
    tilt: float = 0.0,
) -> Image.Image:
    """A hand-held camera frame of `pixels`: small shift, rotation and scale (`shake` scales them),
    an optional perspective `tilt` (a sheet of paper turned away), exposure, noise, JPEG."""
    h, w = pixels.shape[:2]
    angle = rng.uniform(-3.0, 3.0) * shake
    scale = 1.0 + rng.uniform(-0.04, 0.04) * shake
    matrix = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale), dtype=np.float64)
    matrix[:, 2] += (rng.uniform(-0.02, 0.02) * w * shake, rng.uniform(-0.02, 0.02) * h * shake)
    moved = cv2.warpAffine(
        pixels, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    if tilt:
        squeeze = tilt * w
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        tilted = np.array(
            [[0, squeeze * 0.3], [w, 0], [w, h], [0, h - squeeze * 0.3]]
            if rng.random() < 0.5
            else [[0, 0], [w, squeeze * 0.3], [w, h - squeeze * 0.3], [0, h]],
            dtype=np.float32,
        )
        moved = cv2.warpPerspective(
            moved,
            cv2.getPerspectiveTransform(corners, tilted),
            (w, h),
            borderMode=cv2.BORDER_REFLECT,
        )
    gain = 1.0 + rng.uniform(-0.06, 0.06)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, 2.0, moved.shape)
    out = np.clip(np.asarray(moved, dtype=np.float64) * gain + noise, 0, 255).astype(np.uint8)
    return reencode(Image.fromarray(out), quality=quality)


def reencode(image: Image.Image, *, quality: int = 85) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def jpeg(image: Image.Image, *, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def challenge_frames(
    portrait: Portrait,
    challenges: Sequence[Challenge] = ("blink", "turn_right", "smile"),
    *,
    seed: int = 0,
) -> list[Image.Image]:
    """What a real person following the SDK's challenges would send: one frame per challenge."""
    rng = random.Random(seed)  # noqa: S311 (test pictures, not secrets)
    return [capture(pose(portrait, c), rng) for c in challenges]


def same_photo_three_times(portrait: Portrait, *, quality: int = 90) -> list[bytes]:
    """One JPEG sent three times: identical bytes."""
    data = jpeg(portrait.image, quality=quality)
    return [data, data, data]


def reencoded_copies(portrait: Portrait) -> list[Image.Image]:
    """One photo re-saved at three JPEG qualities, one copy also resized down and back up."""
    base = portrait.image
    w, h = base.size
    shrunk = base.resize((w * 3 // 4, h * 3 // 4), Image.Resampling.BILINEAR).resize((w, h))
    return [reencode(base, quality=95), reencode(base, quality=70), reencode(shrunk, quality=50)]


def printed_copies(portrait: Portrait, *, seed: int = 0) -> list[Image.Image]:
    """A printed face held before the camera three times: the same face geometry each time,
    moved, turned in the image plane, tilted in perspective, with new noise and exposure."""
    rng = random.Random(seed)  # noqa: S311 (test pictures, not secrets)
    return [capture(portrait.pixels, rng, shake=2.0, tilt=rng.uniform(0.0, 0.12)) for _ in range(3)]


def mixed_identities(
    portraits: Sequence[Portrait],
    challenges: Sequence[Challenge] = ("blink", "turn_right", "smile"),
    *,
    seed: int = 0,
) -> list[Image.Image]:
    """Each challenge frame from the next person in turn."""
    rng = random.Random(seed)  # noqa: S311 (test pictures, not secrets)
    return [capture(pose(portraits[i % len(portraits)], c), rng) for i, c in enumerate(challenges)]
