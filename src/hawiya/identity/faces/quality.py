"""How much real detail a face has: the quality gate `embedder.embed` applies before embedding.

The detector only says how many pixels wide a face is. A face can be 200 pixels wide and still
carry the detail of a 25-pixel one: a thumbnail scaled up, a picture zoomed digitally, a
defocused camera. The embedding of such a face is unreliable: in the BIO-2 set, faces from
scikit-image's 25 × 25 `lfw_subset()` scaled up ×8 (7.5 to 9.4 pixels between the eyes in the
original) were within 0.6 of Grace Hopper in 106 of 5,840 trials (docs/biometrics.md), and their
face meshes jittered enough to fool the liveness movement check.

`detail` measures the face's real resolution, independently of its size in pixels:

1. The face is resampled onto a canonical patch: the eye line level, `CANONICAL_IED` (40)
   pixels between the eye centres (from the 5-point landmarks), spanning one eye distance either
   side of the eyes' midpoint and from 0.6 eye distance above the eyes to 1.4 below (brows,
   eyes, nose and mouth). A larger face is first scaled down by area averaging; a smaller one is
   scaled up (bicubic), which adds no detail.
2. Two bands of detail are taken as differences of Gaussian blurs: a fine band (σ 0.6 minus σ 1.2
   canonical pixels, peaking at about 10 cycles per eye distance) and the octave below it (σ 1.2
   minus 2.4, about 5 cycles per eye distance), each squared and averaged over a 4-pixel window.
3. Where the face has structure (the half of the patch with the most energy in the lower band:
   eyes, brows, nostrils, lips, face outline), the ratio of fine to lower-band energy is taken at
   each pixel, and `detail` is its 25th percentile.

The ratio is unchanged by a change of exposure or contrast (gain and offset: both bands scale
alike and carry no mean). A face with N real
pixels between the eyes has almost no energy above N/2 cycles per eye distance: a face scaled
up from 8 pixels between the eyes has next to nothing in the fine band, a sharp face much. The
25th percentile over the structured half keeps a few sharp artefacts (a crease where a
synthetic warp folds the face, a catchlight, a JPEG block edge) from lending a soft face the
detail it lacks.

Calibration (docs/biometrics.md, "The face quality gate"; the BIO-2 harness's synthetic pictures
with another seed than the benchmark's, and ID photos cut by the card reader from synthetic card
photos):

| pictures | n | min | median | max |
|---|---:|---:|---:|---:|
| the two portraits' liveness frames | 240 | 0.276 | 0.332 | 0.354 |
| the portraits' selfies (a) | 238 | 0.173 | 0.305 | 0.359 |
| ID photos cut from card photos (the `NORMAL` scene) (b) | 120 | 0.189 | 0.266 | 0.325 |
| 25-pixel LFW faces scaled up: liveness frames | 275 | 0.097 | 0.139 | 0.183 |
| the same: selfies | 274 | 0.092 | 0.137 | 0.200 |
| the same: as ID pictures | 94 | 0.107 | 0.139 | 0.178 |

(a) one or two of: exposure or side light, blur σ 1-2.5 pixels, JPEG 15-40, half size, noise.
(b) `identity.synthetic.scene.NORMAL`: blur up to σ 1.2, noise up to 9 levels, JPEG 55-92.

The portraits, 88 pixels between the eyes, scaled down to N pixels between the eyes and back up
measure 0.105 / 0.138 (astronaut / Hopper) at N = 8, 0.160 / 0.182 at 12, 0.200 / 0.226 at 16,
0.291 / 0.301 at 32, 0.339 / 0.338 unchanged; blurred by σ = 2.5 pixels 0.184 / 0.215. The
selfie limit 0.19 (`embedder.SELFIE.min_detail`) thus asks for the detail of about 12 to 15 real
pixels between the eyes; the ID limit 0.17 for about 10 to 13.

Limits: superimposed fine patterns lend a soft face detail it lacks (a screen's moiré, heavy
sensor noise, strong JPEG blocking: the few LFW pictures above 0.19 are such); the gate protects
the matcher from unusable pictures, it is not an attack detector. The measure depends on the
face by about ±10 %; the calibration has two real faces.

Pure and cheap: about 1 ms per face.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

CANONICAL_IED = 40.0  # pixels between the eye centres on the canonical patch
PATCH_SPAN_X = (-1.0, 1.0)  # eye distances, from the eyes' midpoint along the eye line
PATCH_SPAN_Y = (-0.6, 1.4)  # eye distances, from the eye line towards the chin
FINE_SIGMA = 0.6  # the fine band: G(0.6) - G(1.2); the lower band: G(1.2) - G(2.4)
ENERGY_WINDOW = 4.0  # σ of the local energy average
BORDER = 8  # canonical pixels left out at the patch's edges (the blurs' reach)
STRUCTURE_SHARE = 0.5  # the share of the patch, by lower-band energy, where detail is read
PERCENTILE = 25.0

Points = Sequence[tuple[float, float]]


def eye_centres(landmarks5: Points) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The two eye centres (image-left first) from dlib's 5 points: two corners per eye, then the
    base of the nose."""
    p = np.asarray(landmarks5, dtype=np.float64)
    first, second = p[0:2].mean(axis=0), p[2:4].mean(axis=0)
    return (first, second) if first[0] <= second[0] else (second, first)


def canonical_patch(pixels: npt.NDArray[np.uint8], landmarks5: Points) -> npt.NDArray[np.float32]:
    """The face's grey levels on the canonical patch (see the module's docstring)."""
    grey: npt.NDArray[np.float32] = np.asarray(
        cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2GRAY), dtype=np.float32
    )
    left, right = eye_centres(landmarks5)
    ied = max(float(np.linalg.norm(right - left)), 1e-6)
    scale = CANONICAL_IED / ied  # canonical pixels per picture pixel
    if scale < 1.0:  # shrink by area first, so the patch keeps no detail the face lacks
        size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
        grey = np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), dtype=np.float32)
        left, right, step, interpolation = left * scale, right * scale, 1.0, cv2.INTER_LINEAR
    else:
        step, interpolation = 1.0 / scale, cv2.INTER_CUBIC
    across = (right - left) / float(np.linalg.norm(right - left))
    down = np.array([-across[1], across[0]])
    middle = (left + right) / 2
    width = round(CANONICAL_IED * (PATCH_SPAN_X[1] - PATCH_SPAN_X[0]))
    height = round(CANONICAL_IED * (PATCH_SPAN_Y[1] - PATCH_SPAN_Y[0]))
    ox, oy = -PATCH_SPAN_X[0] * CANONICAL_IED, -PATCH_SPAN_Y[0] * CANONICAL_IED
    # patch pixel (x, y) -> source: middle + step * ((x - ox) * across + (y - oy) * down)
    matrix = np.empty((2, 3), dtype=np.float64)
    matrix[:, 0] = step * across
    matrix[:, 1] = step * down
    matrix[:, 2] = middle - matrix[:, 0] * ox - matrix[:, 1] * oy
    patch = cv2.warpAffine(
        grey,
        matrix,
        (width, height),
        flags=interpolation | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REFLECT,
    )
    return np.asarray(patch, dtype=np.float32)


def _blur(x: npt.NDArray[np.float32], sigma: float) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.GaussianBlur(x, (0, 0), sigma), dtype=np.float32)


def detail_of_patch(patch: npt.NDArray[np.float32]) -> float:
    """The fine-to-lower band energy ratio of a canonical patch (module docstring, steps 2-3)."""
    fine, mid, coarse = (_blur(patch, FINE_SIGMA * k) for k in (1.0, 2.0, 4.0))
    high, low = fine - mid, mid - coarse
    inner = (slice(BORDER, -BORDER), slice(BORDER, -BORDER))
    high_energy = _blur(high * high, ENERGY_WINDOW)[inner]
    low_energy = _blur(low * low, ENERGY_WINDOW)[inner]
    structured = low_energy >= np.percentile(low_energy, 100.0 * (1.0 - STRUCTURE_SHARE))
    if not structured.any() or float(low_energy[structured].max()) <= 1e-6:
        return 0.0  # a flat patch: no detail at all
    ratio = high_energy[structured] / np.maximum(low_energy[structured], 1e-6)
    return float(np.percentile(ratio, PERCENTILE))


def detail(pixels: npt.NDArray[np.uint8], landmarks5: Points) -> float:
    """The face's real detail (higher is sharper; see the module's docstring for the scale)."""
    return detail_of_patch(canonical_patch(pixels, landmarks5))
