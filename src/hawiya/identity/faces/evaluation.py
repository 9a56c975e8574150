"""The biometric evaluation harness of checklist BIO-2: a labelled set in, APCER per attack species,
BPCER, FMR, FNMR (and failures to acquire) at the deployed threshold out, each with its counts and
a 95 % upper bound; and a comparison against a stored baseline, so a change to the face engine
that makes any of them worse is seen (docs/biometrics.md, `bench/biometrics.py`).

The labelled set (`LabelledSet`) has two parts:

- presentations for liveness (presentation attack detection, PAD): two or more frames as the
  SDK would upload them (JPEG or PNG bytes), labelled `bona_fide` or with an attack species;
- face pictures of identities for face match: every two pictures of one identity are a mated
  pair, every two pictures of two identities known to be different people a non-mated pair.

It comes either from `generate` (synthetic, below) or from a directory an operator fills with
their own labelled captures (`load_directory`; `save_directory` writes a set in that layout).

Each presentation runs through what the server runs (`tasks.check_liveness`): the bytes decoded
by `images.open_image`, then `liveness.check_liveness` with the bytes and the deployed policy,
whose same-person check between frames uses the run's threshold (the tenant's
`faceMatchThreshold`, as the server does). Each face picture is embedded once (`embedder.embed`,
as a selfie, or as an ID-card picture when its file name starts with "id"), and pairs are
decided by `distance <= threshold`.

Metrics (ISO/IEC 30107-3 and 19795-1 names):

- `APCER/<species>`: attack presentations of that species accepted as bona fide.
- `BPCER`: bona fide presentations rejected, for any reason (a frame without a usable face too).
- `FMR`: non-mated pairs whose distance is within the threshold.
- `FNMR`: mated pairs whose distance is above it, among pairs where both faces were acquired.
- `FTA`: face pictures in which no usable face was found (4206-4209); their pairs are left out
  of FMR and FNMR, as 19795-1 does. A user would see such a failure as a rejection.

The 95 % upper bound is one-sided. With no error in N trials it is the "rule of 3", 3/N (BIO-2),
capped at 1; otherwise the exact Clopper-Pearson bound: the p at which k or fewer errors in N
trials have probability 5 % (with zero errors that gives 1 - 0.05^(1/N), which 3/N approximates
from above, so the two agree). Both assume independent trials: N comparisons drawn from a few
people are not N independent trials, and the report says how many distinct people and pairs of
people stand behind each figure.

Synthetic set (`generate`, `SetConfig`). Identities are the two public-domain portraits of
`synthetic` (NASA's Eileen Collins, the US Navy's Grace Hopper) and, optionally, faces from the
100 of scikit-image's `lfw_subset()`: 25 × 25 grey crops from Labeled Faces in the Wild, upscaled
×8 and framed like a selfie (labelled `source=lfw-25px`; 94 of the 100 have a face dlib finds
at that size, and any that cannot be framed is skipped). LFW repeats people and the
subset has no names, so two LFW faces are never used as a non-mated pair or as two people in a
mixed-identity attack; nor is an LFW face paired with the astronaut (Eileen Collins was in the news
when LFW was collected). Grace Hopper died in 1992, before LFW's news photos, so Hopper × LFW pairs
are certain non-mated pairs.

- bona fide: the person doing three different SDK challenges (head turn of 13-25°, a blink
  closing the lids 80-95 %, a smile at 70-100 % of `synthetic.smiled`, or looking straight),
  each captured hand-held (shift, rotation, exposure, noise, JPEG 70-92).
- `print`: a photo of the person instead of the person (the same still three times): the same
  file three times (`same_file`), re-encoded at three JPEG qualities (`recompressed`), a
  printed photo filmed held still (`held_still`) or hand-held and tilted (`handheld`).
- `replay`: a still picture of the person shown on a screen and filmed (a cooler colour cast, a
  raised black level, slight blur, a moiré grating): filmed three times (`refilmed`), the same but
  out of focus (`defocused`, Gaussian blur of 3-6 pixels), or one frame shifted, scaled and
  brightened a little for the other two (`nudged`); near-duplicate frames.
- `video_replay`: a recording of the person doing three challenges, played on a screen and
  filmed. Three stills cannot tell this from a live person (`liveness`, BIO-4): the species is
  there to measure that limit, not as a target the checks can meet.
- `mixed_identity`: the three challenge frames taken from two different people.
- face pictures: per identity one ID-card picture (the portrait at 0.525 scale, JPEG 75) and
  selfies under one challenge (pose or expression) and one or two of: lighting (exposure, gamma
  or light from one side), blur, strong JPEG compression, a smaller picture, sensor noise.

Presentations alternate between the two portraits and the LFW faces (about half each), and the
mixed-identity attacks between astronaut + hopper and hopper + an LFW face.

Every item is drawn from its own `random.Random(f"{seed}:{kind}:{index}")`, so a set is the same
on every run, and adding presentations or pictures leaves the existing ones as they were (for the
same identities). Only installed packages are read; nothing is downloaded.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from hawiya.identity.faces import errors, synthetic
from hawiya.identity.faces.embedder import Embedding, Source, embed
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.faces.liveness import LivenessPolicy, check_liveness
from hawiya.identity.faces.match import DEFAULT_THRESHOLD
from hawiya.identity.faces.models import liveness_model_version
from hawiya.identity.images import ImageRejected, open_image

HARNESS_VERSION = 1
CONFIDENCE = 0.95

BONA_FIDE = "bona_fide"
PRINT, REPLAY, VIDEO_REPLAY, MIXED_IDENTITY = "print", "replay", "video_replay", "mixed_identity"
SPECIES: tuple[str, ...] = (PRINT, REPLAY, VIDEO_REPLAY, MIXED_IDENTITY)
BPCER, FMR, FNMR, FTA = "BPCER", "FMR", "FNMR", "FTA"

PORTRAIT_SOURCE, LFW_SOURCE = "portrait", "lfw-25px"
LFW_FACES = 100  # lfw_subset(): the first 100 of its 200 crops are faces
LFW_SCALE = 8

Pixels = npt.NDArray[np.uint8]
Labels = Mapping[str, str]


def apcer(species: str) -> str:
    """The metric name of one attack species' APCER."""
    return f"APCER/{species}"


# --------------------------------------------------------------------------------------------
# Rates and their upper bounds


def rule_of_three(trials: int) -> float:
    """The 95 % upper bound of a rate with no error in `trials` trials: 3/N, at most 1."""
    if trials <= 0:
        return 1.0
    return min(1.0, 3.0 / trials)


def _binomial_cdf(errors: int, trials: int, p: float) -> float:
    """P(X <= errors) for X ~ Binomial(trials, p), summed in log space."""
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 1.0 if errors >= trials else 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    base = math.lgamma(trials + 1)
    terms = [
        base - math.lgamma(i + 1) - math.lgamma(trials - i + 1) + i * log_p + (trials - i) * log_q
        for i in range(errors + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def clopper_pearson_upper(errors: int, trials: int, confidence: float = CONFIDENCE) -> float:
    """The exact one-sided upper confidence bound of a binomial rate: the p at which `errors` or
    fewer errors have probability 1 - confidence (the 95 % quantile of Beta(k + 1, n - k))."""
    if trials <= 0:
        return 1.0
    if not 0 <= errors <= trials:
        raise ValueError("errors must lie between 0 and trials")
    if errors == trials:
        return 1.0
    alpha = 1.0 - confidence
    low, high = errors / trials, 1.0
    for _ in range(100):  # bisection: the CDF falls as p rises
        mid = (low + high) / 2
        if _binomial_cdf(errors, trials, mid) > alpha:
            low = mid
        else:
            high = mid
    return high


@dataclass(frozen=True, slots=True)
class Rate:
    """`errors` out of `trials`, the observed rate and its 95 % upper bound."""

    errors: int
    trials: int

    def __post_init__(self) -> None:
        if self.trials < 0 or not 0 <= self.errors <= max(self.trials, 0):
            raise ValueError(f"bad counts {self.errors}/{self.trials}")

    @property
    def rate(self) -> float | None:
        return self.errors / self.trials if self.trials else None

    @property
    def method(self) -> str:
        if self.trials == 0:
            return "no trials"
        return "rule of 3" if self.errors == 0 else "Clopper-Pearson"

    @property
    def upper(self) -> float:
        if self.errors == 0:
            return rule_of_three(self.trials)
        return clopper_pearson_upper(self.errors, self.trials)

    def as_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "errors": self.errors,
            "trials": self.trials,
            "rate": None if rate is None else round(rate, 6),
            "upper95": round(self.upper, 6),
            "bound": self.method,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rate:
        return cls(int(data["errors"]), int(data["trials"]))


def trials_needed(target: float) -> int:
    """Error-free trials needed before the rule-of-3 bound reaches `target`."""
    return math.ceil(3.0 / target - 1e-9)


def people_needed(pairs: int) -> int:
    """The fewest people whose every two form at least `pairs` distinct pairs."""
    n = 2
    while n * (n - 1) // 2 < pairs:
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class Target:
    limit: float
    text: str
    strict: bool = False  # "<" rather than "<="

    def within(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit


# BIO-2's targets: FMR <= 1:10,000 with FNMR <= 1 % (63A-4); APCER < 15 % (NIST minimum), aiming
# at 0 % on print and replay (iBeta level 1 style); BPCER <= 15 % (iBeta ceiling), aiming at 5 %.
TARGETS: dict[str, Target] = {
    FMR: Target(1e-4, "<= 1:10,000"),
    FNMR: Target(0.01, "<= 1 %"),
    BPCER: Target(0.15, "<= 15 % (aim 5 %)"),
    **{apcer(s): Target(0.15, "< 15 %", strict=True) for s in SPECIES},
}
TARGETS[apcer(PRINT)] = Target(0.15, "< 15 % (aim 0 %)", strict=True)
TARGETS[apcer(REPLAY)] = Target(0.15, "< 15 % (aim 0 %)", strict=True)


def verdict(metric: str, rate: Rate) -> str:
    """`demonstrated` when the 95 % upper bound meets the metric's target, `not demonstrated`
    when the observed rate does but there are too few trials to show it, `missed` when the
    observed rate does not; "" without a target or trials."""
    target = TARGETS.get(metric)
    if target is None or rate.rate is None:
        return ""
    if target.within(rate.upper):
        return "demonstrated"
    if target.within(rate.rate):
        return "not demonstrated"
    return "missed"


# --------------------------------------------------------------------------------------------
# The labelled set


@dataclass(frozen=True, slots=True, eq=False)
class Presentation:
    """Frames as uploaded (JPEG or PNG bytes, in order), bona fide or one attack species."""

    id: str
    species: str  # BONA_FIDE or an attack species
    frames: tuple[bytes, ...]
    identities: tuple[str, ...] = ()
    labels: Labels = field(default_factory=dict)
    variant: str = ""  # how a synthetic presentation was made, e.g. "handheld"

    @property
    def attack(self) -> bool:
        return self.species != BONA_FIDE


@dataclass(frozen=True, slots=True, eq=False)
class Sample:
    """One face picture of one identity, for face match."""

    id: str
    identity: str
    data: bytes
    source: Source = "selfie"  # "id_card": embedded as a picture cut from an ID card
    labels: Labels = field(default_factory=dict)
    variant: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class LabelledSet:
    presentations: tuple[Presentation, ...]
    samples: tuple[Sample, ...]
    # Pairs of identities known to be different people: the only non-mated pairs (and the only
    # people a synthetic mixed-identity attack combines). None: every two identities are.
    unrelated: frozenset[frozenset[str]] | None = None
    description: Mapping[str, Any] = field(default_factory=dict)

    def is_unrelated(self, a: str, b: str) -> bool:
        if a == b:
            return False
        return self.unrelated is None or frozenset((a, b)) in self.unrelated


# --------------------------------------------------------------------------------------------
# The synthetic set


@dataclass(frozen=True, slots=True)
class SetConfig:
    seed: int = 20261122
    bona_fide: int = 100
    per_species: int = 50  # presentations of each attack species
    samples_per_identity: int = 10  # face pictures per identity, one of them an ID-card picture
    lfw_faces: int = 60  # low-resolution identities from lfw_subset(), besides the 2 portraits

    def __post_init__(self) -> None:
        if min(self.bona_fide, self.per_species, self.lfw_faces) < 0:
            raise ValueError("counts must not be negative")
        if self.samples_per_identity < 2:
            raise ValueError("at least two face pictures per identity make a mated pair")

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def key(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.as_dict().items())


# The set the test suite runs (tests/identity/faces/test_evaluation.py) and the default of
# bench/biometrics.py; both are in bench/baselines/biometrics.json.
CI_CONFIG = SetConfig(bona_fide=8, per_species=6, samples_per_identity=5, lfw_faces=2)
FULL_CONFIG = SetConfig()


@dataclass(frozen=True, slots=True, eq=False)
class Person:
    name: str
    portrait: synthetic.Portrait
    labels: Labels


def lfw_photo(index: int) -> Image.Image:
    """Face `index` (0-99) of scikit-image's lfw_subset(): 25 × 25 grey, upscaled ×8 (bicubic)
    onto a plain background three times its size, so it can be framed like a selfie."""
    from skimage import data

    faces = data.lfw_subset()  # type: ignore[no-untyped-call]
    if not 0 <= index < LFW_FACES:
        raise ValueError(f"lfw_subset() has {LFW_FACES} faces")
    grey = np.clip(np.asarray(faces[index], dtype=np.float64) * 255.0, 0, 255).astype(np.uint8)
    side = grey.shape[0] * LFW_SCALE
    face = Image.fromarray(grey).resize((side, side), Image.Resampling.BICUBIC)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    canvas = Image.new("L", (side * 3, side * 3), int(np.median(border)))
    canvas.paste(face, (side, side))
    return canvas.convert("RGB")


def people(lfw_faces: int = 0) -> list[Person]:
    """The two portraits, then the first `lfw_faces` LFW faces that can be framed."""
    found = [
        Person("astronaut", synthetic.prepare(synthetic.astronaut()), {"source": PORTRAIT_SOURCE}),
        Person("hopper", synthetic.prepare(synthetic.grace_hopper()), {"source": PORTRAIT_SOURCE}),
    ]
    index = 0
    while len(found) < 2 + lfw_faces and index < LFW_FACES:
        try:
            portrait = synthetic.prepare(lfw_photo(index))
        except ValueError:  # no face or no mesh in this crop
            portrait = None
        if portrait is not None:
            found.append(Person(f"lfw-{index:03d}", portrait, {"source": LFW_SOURCE}))
        index += 1
    if len(found) < 2 + lfw_faces:
        raise ValueError(f"only {len(found) - 2} LFW faces could be framed")
    return found


def unrelated_pairs(names: Sequence[str]) -> list[tuple[str, str]]:
    """Identity pairs certainly of different people: astronaut × hopper, hopper × every LFW
    face (see the module's docstring for why no others)."""
    pairs = [("astronaut", "hopper")] if {"astronaut", "hopper"} <= set(names) else []
    if "hopper" in names:
        pairs += [("hopper", n) for n in names if n.startswith("lfw-")]
    return pairs


def _rng(seed: int, kind: str, index: int) -> random.Random:
    return random.Random(f"{seed}:{kind}:{index}")  # noqa: S311 (test pictures, not secrets)


def _u8(x: npt.NDArray[Any]) -> Pixels:
    return np.clip(np.asarray(x, dtype=np.float64), 0, 255).astype(np.uint8)


def posed(
    portrait: synthetic.Portrait, challenge: synthetic.Challenge, rng: random.Random
) -> Pixels:
    """The face doing one challenge, with a strength drawn from what people do when asked."""
    points = portrait.points[: synthetic.MESH_POINTS]
    if challenge == "straight":
        return portrait.pixels.copy()
    if challenge == "blink":
        moved = synthetic.blinked(points, closed=rng.uniform(0.8, 0.95))
    elif challenge == "smile":
        moved = synthetic.smiled(points, amount=rng.uniform(0.7, 1.0))
    else:
        degrees = rng.uniform(13.0, 25.0)
        moved = synthetic.turned(points, degrees if challenge == "turn_left" else -degrees)
    return synthetic.warp_face(portrait.pixels, points, moved)


def _challenges(rng: random.Random) -> list[synthetic.Challenge]:
    return rng.sample(list(synthetic.CHALLENGES), 3)


def _file(image: Image.Image, quality: int = 95) -> bytes:
    return synthetic.jpeg(image, quality=quality)


def _paper(pixels: Pixels, rng: random.Random) -> Pixels:
    """A photo printed on paper: less contrast, a warm paper white, slightly soft."""
    x = pixels.astype(np.float64)
    x = 128.0 + (x - 128.0) * rng.uniform(0.75, 0.92) + rng.uniform(-8.0, 8.0)
    x = x * np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 0.97)])
    return _u8(cv2.GaussianBlur(x, (0, 0), rng.uniform(0.4, 1.0)))


@dataclass(frozen=True, slots=True)
class Screen:
    """How one screen shows a picture, drawn once per replay."""

    gain: float
    black: float
    cast: tuple[float, float, float]
    moire_angle: float
    moire_period: float
    moire_amplitude: float
    blur: float

    @classmethod
    def draw(cls, rng: random.Random) -> Screen:
        return cls(
            gain=rng.uniform(0.85, 1.0),
            black=rng.uniform(8.0, 18.0),
            cast=(rng.uniform(0.92, 0.98), 1.0, rng.uniform(1.02, 1.08)),
            moire_angle=rng.uniform(0.0, math.pi),
            moire_period=rng.uniform(3.0, 7.0),
            moire_amplitude=rng.uniform(3.0, 8.0),
            blur=rng.uniform(0.5, 0.9),
        )

    def show(self, pixels: Pixels) -> Pixels:
        h, w = pixels.shape[:2]
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
        phase = (
            xs * math.cos(self.moire_angle) + ys * math.sin(self.moire_angle)
        ) / self.moire_period
        moire = self.moire_amplitude * np.sin(2 * math.pi * phase)
        x = self.black + pixels.astype(np.float64) * self.gain
        x = x * np.array(self.cast) + moire[..., None]
        return _u8(cv2.GaussianBlur(x, (0, 0), self.blur))


def _nudge(image: Image.Image, rng: random.Random) -> Image.Image:
    """The same frame a few pixels over, 1-3 % larger or smaller, a little brighter or darker."""
    pixels = np.asarray(image, dtype=np.uint8)
    h, w = pixels.shape[:2]
    scale = 1.0 + rng.choice((-1, 1)) * rng.uniform(0.01, 0.03)
    matrix = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, scale), dtype=np.float64)
    matrix[:, 2] += (rng.uniform(-6, 6), rng.uniform(-6, 6))
    moved = cv2.warpAffine(pixels, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
    return Image.fromarray(_u8(np.asarray(moved, dtype=np.float64) * rng.uniform(0.94, 1.06)))


def bona_fide(person: Person, rng: random.Random) -> tuple[tuple[bytes, ...], str]:
    challenges = _challenges(rng)
    frames = [
        synthetic.capture(posed(person.portrait, c, rng), rng, quality=rng.randint(70, 92))
        for c in challenges
    ]
    return tuple(_file(f) for f in frames), "+".join(challenges)


def print_attack(person: Person, rng: random.Random) -> tuple[tuple[bytes, ...], str]:
    still = posed(person.portrait, rng.choice(synthetic.CHALLENGES), rng)
    variant = rng.choice(("same_file", "recompressed", "held_still", "handheld"))
    if variant == "same_file":
        data = _file(Image.fromarray(still), rng.randint(80, 95))
        return (data, data, data), variant
    if variant == "recompressed":
        photo = Image.fromarray(still)
        qualities = rng.sample(range(45, 96, 5), 3)
        return tuple(_file(synthetic.reencode(photo, quality=q)) for q in qualities), variant
    paper = _paper(still, rng)
    if variant == "held_still":
        frames = [synthetic.capture(paper, rng, shake=rng.uniform(0.1, 0.4)) for _ in range(3)]
    else:
        frames = [
            synthetic.capture(paper, rng, shake=2.0, tilt=rng.uniform(0.0, 0.12)) for _ in range(3)
        ]
    return tuple(_file(f) for f in frames), variant


def replay_attack(person: Person, rng: random.Random) -> tuple[tuple[bytes, ...], str]:
    still = posed(person.portrait, rng.choice(synthetic.CHALLENGES), rng)
    shown = Screen.draw(rng).show(still)
    variant = rng.choice(("refilmed", "nudged", "defocused"))
    if variant == "nudged":
        first = synthetic.capture(shown, rng, shake=0.5)
        frames = [first, _nudge(first, rng), _nudge(first, rng)]
    else:
        if variant == "defocused":  # filmed out of focus: the face's details are gone
            blur = rng.uniform(3.0, 6.0)
            shown = _u8(cv2.GaussianBlur(shown.astype(np.float64), (0, 0), blur))
        frames = [synthetic.capture(shown, rng, shake=rng.uniform(0.1, 0.5)) for _ in range(3)]
    return tuple(_file(f) for f in frames), variant


def video_replay_attack(person: Person, rng: random.Random) -> tuple[tuple[bytes, ...], str]:
    challenges = _challenges(rng)
    screen = Screen.draw(rng)
    frames = [
        synthetic.capture(screen.show(posed(person.portrait, c, rng)), rng, shake=0.5)
        for c in challenges
    ]
    return tuple(_file(f) for f in frames), ""


def mixed_identity_attack(
    first: Person, second: Person, rng: random.Random
) -> tuple[tuple[bytes, ...], str]:
    who = rng.choice(((0, 0, 1), (0, 1, 0), (1, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)))
    challenges = _challenges(rng)
    pair = (first, second)
    frames = [
        synthetic.capture(posed(pair[w].portrait, c, rng), rng, quality=rng.randint(70, 92))
        for w, c in zip(who, challenges, strict=True)
    ]
    return tuple(_file(f) for f in frames), "".join("AB"[w] for w in who)


def face_sample(person: Person, index: int, rng: random.Random) -> Sample:
    """Picture `index` of a person for face match: 0 is an ID-card picture, the rest selfies."""
    if index == 0:
        card = person.portrait.image.resize((252, 336), Image.Resampling.LANCZOS)
        data = _file(card, 75)
        return Sample(f"{person.name}/id-00", person.name, data, "id_card", person.labels, "id")
    challenge = rng.choice(synthetic.CHALLENGES)
    pixels = posed(person.portrait, challenge, rng).astype(np.float64)
    effects = rng.sample(("lighting", "blur", "jpeg", "small", "noise"), rng.randint(1, 2))
    parts: list[str] = [challenge]
    quality = 92
    for effect in effects:
        if effect == "lighting":
            if rng.random() < 0.5:
                gain, gamma = rng.uniform(0.6, 1.35), rng.uniform(0.75, 1.35)
                pixels = 255.0 * (np.clip(pixels * gain, 0, 255) / 255.0) ** gamma
                parts.append(f"exposure({gain:.2f},γ{gamma:.2f})")
            else:
                low, high = rng.uniform(0.55, 0.8), rng.uniform(1.0, 1.2)
                ramp = np.linspace(low, high, pixels.shape[1])
                pixels = pixels * (ramp if rng.random() < 0.5 else ramp[::-1])[None, :, None]
                parts.append(f"side_light({low:.2f}-{high:.2f})")
        elif effect == "blur":
            sigma = rng.uniform(1.0, 2.5)
            pixels = np.asarray(cv2.GaussianBlur(pixels, (0, 0), sigma), dtype=np.float64)
            parts.append(f"blur({sigma:.1f})")
        elif effect == "noise":
            sigma = rng.uniform(4.0, 8.0)
            pixels = pixels + np.random.default_rng(rng.getrandbits(32)).normal(
                0, sigma, pixels.shape
            )
            parts.append(f"noise({sigma:.1f})")
        elif effect == "jpeg":
            quality = rng.randint(15, 40)
            parts.append(f"jpeg({quality})")
    image = synthetic.capture(_u8(pixels), rng)
    if "small" in effects:
        factor = rng.uniform(0.5, 0.65)
        size = (round(image.width * factor), round(image.height * factor))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        parts.append(f"small({factor:.2f})")
    return Sample(
        f"{person.name}/{index:02d}",
        person.name,
        _file(image, quality),
        "selfie",
        person.labels,
        "+".join(parts),
    )


def _who(everyone: Sequence[Person], index: int) -> Person:
    """Presentation `index`'s person: even ones from the two portraits in turn, odd ones from the
    LFW faces in turn (all from the portraits without LFW faces), so both groups are measured."""
    portraits, others = everyone[:2], everyone[2:]
    if not others:
        return portraits[index % len(portraits)]
    if index % 2 == 0:
        return portraits[(index // 2) % len(portraits)]
    return others[(index // 2) % len(others)]


def _which_pair(pairs: Sequence[tuple[str, str]], index: int) -> tuple[str, str]:
    """Even mixed-identity attacks combine the first pair (the two portraits), odd ones the
    others in turn."""
    if len(pairs) == 1 or index % 2 == 0:
        return pairs[0]
    return pairs[1 + (index // 2) % (len(pairs) - 1)]


def generate(
    config: SetConfig = CI_CONFIG,
    *,
    persons: Sequence[Person] | None = None,
    progress: Callable[[str], None] | None = None,
) -> LabelledSet:
    """The synthetic labelled set of `config` (see the module's docstring)."""
    everyone = list(persons) if persons is not None else people(config.lfw_faces)
    names = [p.name for p in everyone]
    by_name = {p.name: p for p in everyone}
    pairs = unrelated_pairs(names)
    seed = config.seed
    presentations: list[Presentation] = []

    def add(
        species: str, index: int, who: Sequence[Person], made: tuple[tuple[bytes, ...], str]
    ) -> None:
        labels = _merged_labels([p.labels for p in who])
        presentations.append(
            Presentation(
                f"{species}/{index:03d}",
                species,
                made[0],
                tuple(p.name for p in who),
                labels,
                made[1],
            )
        )

    for i in range(config.bona_fide):
        person = _who(everyone, i)
        add(BONA_FIDE, i, [person], bona_fide(person, _rng(seed, BONA_FIDE, i)))
    makers = {PRINT: print_attack, REPLAY: replay_attack, VIDEO_REPLAY: video_replay_attack}
    for species, make in makers.items():
        for i in range(config.per_species):
            person = _who(everyone, i)
            add(species, i, [person], make(person, _rng(seed, species, i)))
    if pairs:
        for i in range(config.per_species):
            first, second = (by_name[n] for n in _which_pair(pairs, i))
            made = mixed_identity_attack(first, second, _rng(seed, MIXED_IDENTITY, i))
            add(MIXED_IDENTITY, i, [first, second], made)
    if progress:
        progress(f"{len(presentations)} presentations made")
    samples = [
        face_sample(person, k, _rng(seed, f"face:{person.name}", k))
        for person in everyone
        for k in range(config.samples_per_identity)
    ]
    if progress:
        progress(f"{len(samples)} face pictures made")
    return LabelledSet(
        tuple(presentations),
        tuple(samples),
        frozenset(frozenset(p) for p in pairs),
        {
            "kind": "synthetic",
            "config": config.as_dict(),
            "identities": names,
            "unrelated_pairs": [list(p) for p in pairs],
        },
    )


# --------------------------------------------------------------------------------------------
# A labelled set in a directory (docs/biometrics.md)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _folders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _read_labels(path: Path) -> dict[str, dict[str, str]]:
    """labels.csv: a `path` column (relative to the set's root, a folder or a file), then one
    column per label (e.g. age_group, gender, skin_tone); empty cells are no label."""
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "path" not in reader.fieldnames:
            raise ValueError(f"{path}: the first row must name the columns, one of them `path`")
        out: dict[str, dict[str, str]] = {}
        for row in reader:
            where = (row.get("path") or "").strip().strip("/")
            out[where] = {
                k: v.strip() for k, v in row.items() if k and k != "path" and v and v.strip()
            }
        return out


def load_directory(root: Path) -> LabelledSet:
    """A labelled set laid out as

        presentations/<species>/<presentation>/<frames>   species "bona_fide" or any attack name
        identities/<person>/<pictures>                    "id*" files are ID-card pictures
        labels.csv       optional: path,<label>,<label>... for folders or files
        unrelated.csv    optional: person_a,person_b per row, the only pairs known to be two
                         different people (without it, every two person folders are)

    Frames are taken in file-name order; pictures are JPEG or PNG files (.jpg, .jpeg, .png)."""
    labels = _read_labels(root / "labels.csv")
    presentations: list[Presentation] = []
    for species_dir in _folders(root / "presentations"):
        species = species_dir.name
        if not _NAME.match(species):
            raise ValueError(f"{species_dir}: a species is letters, digits, '_', '-' or '.'")
        for folder in _folders(species_dir):
            frames = _images(folder)
            if len(frames) < 2:
                raise ValueError(f"{folder}: a presentation needs at least two frames")
            where = f"presentations/{species}/{folder.name}"
            presentations.append(
                Presentation(
                    f"{species}/{folder.name}",
                    species,
                    tuple(f.read_bytes() for f in frames),
                    (),
                    labels.get(where, {}),
                )
            )
    samples: list[Sample] = []
    for person in _folders(root / "identities"):
        for picture in _images(person):
            where = f"identities/{person.name}"
            source: Source = "id_card" if picture.name.lower().startswith("id") else "selfie"
            samples.append(
                Sample(
                    f"{person.name}/{picture.stem}",
                    person.name,
                    picture.read_bytes(),
                    source,
                    {**labels.get(where, {}), **labels.get(f"{where}/{picture.name}", {})},
                )
            )
    unrelated: frozenset[frozenset[str]] | None = None
    listed = root / "unrelated.csv"
    if listed.is_file():
        with listed.open(newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
        unrelated = frozenset(frozenset((r[0].strip(), r[1].strip())) for r in rows if len(r) >= 2)
    if not presentations and not samples:
        raise ValueError(f"{root}: no presentations/ or identities/ found")
    return LabelledSet(
        tuple(presentations),
        tuple(samples),
        unrelated,
        {"kind": "directory", "path": str(root)},
    )


def _suffix(data: bytes) -> str:
    return ".png" if data.startswith(b"\x89PNG") else ".jpg"


def save_directory(data: LabelledSet, root: Path) -> None:
    """Write a set in `load_directory`'s layout (the synthetic set, as an example to follow)."""
    rows: dict[str, Labels] = {}
    for p in data.presentations:
        species, _, name = p.id.partition("/")
        folder = root / "presentations" / species / (name or p.id)
        folder.mkdir(parents=True, exist_ok=True)
        for n, frame in enumerate(p.frames, start=1):
            (folder / f"frame-{n}{_suffix(frame)}").write_bytes(frame)
        if p.labels:
            rows[f"presentations/{species}/{name}"] = p.labels
    for s in data.samples:
        stem = s.id.rpartition("/")[2]
        if s.source == "id_card" and not stem.lower().startswith("id"):
            stem = f"id-{stem}"
        folder = root / "identities" / s.identity
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{stem}{_suffix(s.data)}"
        (folder / name).write_bytes(s.data)
        if s.labels:
            rows[f"identities/{s.identity}/{name}"] = s.labels
    if rows:
        columns = sorted({k for labels in rows.values() for k in labels})
        with (root / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["path", *columns])
            for where, labels in sorted(rows.items()):
                writer.writerow([where, *(labels.get(c, "") for c in columns)])
    if data.unrelated is not None:
        with (root / "unrelated.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for pair in sorted(sorted(p) for p in data.unrelated):
                writer.writerow(pair)


# --------------------------------------------------------------------------------------------
# Running the engine


def _merged_labels(all_labels: Iterable[Labels]) -> dict[str, str]:
    """Labels shared by several people: one value when they agree, else "a|b"."""
    listed = list(all_labels)
    keys = set.intersection(*(set(labels) for labels in listed)) if listed else set()
    return {k: "|".join(sorted({labels[k] for labels in listed})) for k in sorted(keys)}


@dataclass(frozen=True, slots=True)
class PadOutcome:
    id: str
    species: str
    accepted: bool
    reason: str  # "" when accepted: the failed checks ("movement", ...) or "faces:<code>"
    labels: Labels = field(default_factory=dict)
    variant: str = ""


def run_presentation(
    presentation: Presentation, *, threshold: float = DEFAULT_THRESHOLD
) -> PadOutcome:
    """The server's liveness decision on one presentation (`tasks.check_liveness`), with the
    tenant's face-match threshold for the same-person check between frames."""
    try:
        pictures = [open_image(frame).image for frame in presentation.frames]
    except ImageRejected as error:
        accepted, reason = False, f"image:{error.code}"
    else:
        policy = LivenessPolicy(same_person_threshold=threshold)
        result = check_liveness(pictures, raw=list(presentation.frames), policy=policy)
        accepted = result.passed
        if result.passed:
            reason = ""
        elif result.code == errors.LIVENESS_FAILED:
            reason = "+".join(c.name for c in result.checks if not c.passed)
        else:
            reason = f"faces:{result.code}"
    return PadOutcome(
        presentation.id,
        presentation.species,
        accepted,
        reason,
        presentation.labels,
        presentation.variant,
    )


@dataclass(frozen=True, slots=True, eq=False)
class Acquired:
    id: str
    identity: str
    embedding: Embedding | None  # None: no usable face (`code`)
    code: int | None = None
    labels: Labels = field(default_factory=dict)


def acquire(sample: Sample) -> Acquired:
    try:
        picture = open_image(sample.data).image
        vector: Embedding | None = embed(picture, source=sample.source).embedding
        code = None
    except (FaceError, ImageRejected) as error:
        vector, code = None, error.code
    return Acquired(sample.id, sample.identity, vector, code, sample.labels)


# --------------------------------------------------------------------------------------------
# Metrics


def _label_keys(labels: Labels) -> list[str]:
    return [f"{k}={v}" for k, v in sorted(labels.items())]


class _Tally:
    """Counts per metric, overall and per label value."""

    def __init__(self) -> None:
        self.metrics: dict[str, list[int]] = {}
        self.by_label: dict[str, dict[str, list[int]]] = defaultdict(dict)

    def add(self, metric: str, errors: int, trials: int, labels: Labels) -> None:
        for target in (self.metrics, *(self.by_label[k] for k in _label_keys(labels))):
            counts = target.setdefault(metric, [0, 0])
            counts[0] += errors
            counts[1] += trials

    def rates(self) -> tuple[dict[str, Rate], dict[str, dict[str, Rate]]]:
        def convert(counts: dict[str, list[int]]) -> dict[str, Rate]:
            return {m: Rate(e, t) for m, (e, t) in sorted(counts.items(), key=_metric_order)}

        return convert(self.metrics), {k: convert(v) for k, v in sorted(self.by_label.items())}


_ORDER = [apcer(s) for s in SPECIES] + [BPCER, FMR, FNMR, FTA]


def _metric_order(item: tuple[str, Any]) -> tuple[int, str]:
    """Known species first, other species next (alphabetically), then BPCER, FMR, FNMR, FTA."""
    name = item[0]
    if name in _ORDER:
        rank = _ORDER.index(name)
        return (rank if name.startswith("APCER/") else rank + 100, name)
    return (50, name)


@dataclass(frozen=True, slots=True)
class PadSummary:
    metrics: dict[str, Rate]
    by_label: dict[str, dict[str, Rate]]
    by_variant: dict[str, Rate]  # "<species>/<variant>" (synthetic sets)
    reasons: dict[str, dict[str, int]]  # per species: why presentations were rejected
    errors: dict[str, list[str]]  # per metric: the ids of the presentations decided wrongly


def pad_metrics(outcomes: Iterable[PadOutcome]) -> PadSummary:
    """APCER per attack species and BPCER from liveness decisions."""
    tally = _Tally()
    variants: dict[str, list[int]] = {}
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    wrong: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        metric = apcer(o.species) if o.species != BONA_FIDE else BPCER
        error = o.accepted if o.species != BONA_FIDE else not o.accepted
        tally.add(metric, int(error), 1, o.labels)
        if o.variant and o.species != BONA_FIDE:
            counts = variants.setdefault(f"{o.species}/{o.variant}", [0, 0])
            counts[0] += int(error)
            counts[1] += 1
        reasons[o.species]["accepted" if o.accepted else o.reason] += 1
        if error:
            wrong[metric].append(o.id)
    metrics, by_label = tally.rates()
    return PadSummary(
        metrics,
        by_label,
        {k: Rate(e, t) for k, (e, t) in sorted(variants.items())},
        {s: dict(sorted(c.items())) for s, c in sorted(reasons.items())},
        dict(wrong),
    )


@dataclass(frozen=True, slots=True)
class MatchSummary:
    metrics: dict[str, Rate]
    by_label: dict[str, dict[str, Rate]]
    distances: dict[str, dict[str, float]]  # mated / non_mated: min, median, max
    identities: int
    non_mated_identity_pairs: int  # distinct pairs of people behind the non-mated trials
    errors: dict[str, list[str]]
    fta_codes: dict[str, int]


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    return {
        "min": round(float(ordered[0]), 4),
        "p01": round(float(np.percentile(ordered, 1)), 4),
        "median": round(float(np.median(ordered)), 4),
        "p99": round(float(np.percentile(ordered, 99)), 4),
        "max": round(float(ordered[-1]), 4),
    }


def match_metrics(
    acquired: Sequence[Acquired],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    is_unrelated: Callable[[str, str], bool] | None = None,
    keep_errors: int = 50,
) -> MatchSummary:
    """FMR and FNMR at `threshold` over every mated pair (two pictures of one identity) and every
    non-mated pair (two identities `is_unrelated` names different people; by default any two),
    and FTA over the pictures."""
    unrelated = is_unrelated or (lambda a, b: a != b)
    tally = _Tally()
    fta_codes: Counter[str] = Counter()
    by_identity: dict[str, list[Acquired]] = defaultdict(list)
    for a in acquired:
        tally.add(FTA, int(a.embedding is None), 1, a.labels)
        if a.embedding is None:
            fta_codes[str(a.code)] += 1
        else:
            by_identity[a.identity].append(a)
    distances: dict[str, list[float]] = {"mated": [], "non_mated": []}
    wrong: dict[str, list[str]] = defaultdict(list)

    def block(xs: list[Acquired], ys: list[Acquired], mated: bool) -> None:
        a = np.stack([np.asarray(x.embedding) for x in xs])
        b = np.stack([np.asarray(y.embedding) for y in ys])
        d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
        if mated:  # one identity against itself: each unordered pair once
            rows, cols = np.triu_indices(len(xs), k=1)
        else:
            rows, cols = (m.ravel() for m in np.indices((len(xs), len(ys))))
        values = d[rows, cols]
        errors = values > threshold if mated else values <= threshold
        metric = FNMR if mated else FMR
        distances["mated" if mated else "non_mated"].extend(values.tolist())
        for r, c, e in zip(rows.tolist(), cols.tolist(), errors.tolist(), strict=True):
            labels = _merged_labels([xs[r].labels, ys[c].labels])
            tally.add(metric, int(e), 1, labels)
            if e and len(wrong[metric]) < keep_errors:
                wrong[metric].append(f"{xs[r].id}~{ys[c].id}")

    names = sorted(by_identity)
    for name in names:
        if len(by_identity[name]) >= 2:
            block(by_identity[name], by_identity[name], True)
    identity_pairs = 0
    for first, second in itertools.combinations(names, 2):
        if unrelated(first, second):
            identity_pairs += 1
            block(by_identity[first], by_identity[second], False)
    for metric in (FMR, FNMR):
        tally.metrics.setdefault(metric, [0, 0])
    metrics, by_label = tally.rates()
    return MatchSummary(
        metrics,
        by_label,
        {k: _summary(v) for k, v in distances.items()},
        len({a.identity for a in acquired}),
        identity_pairs,
        dict(wrong),
        dict(sorted(fta_codes.items())),
    )


@dataclass(frozen=True, slots=True, eq=False)
class Report:
    metrics: dict[str, Rate]
    by_label: dict[str, dict[str, Rate]]
    pad: PadSummary
    match: MatchSummary
    threshold: float
    model: str
    description: Mapping[str, Any]
    seconds: float

    def notes(self) -> list[str]:
        """What the figures can and cannot support, from the counts."""
        fmr = self.metrics.get(FMR, Rate(0, 0))
        pairs = self.match.non_mated_identity_pairs
        needed = trials_needed(TARGETS[FMR].limit)
        out = [
            f"{self.match.identities} identities; the {fmr.trials} non-mated trials come from "
            f"{pairs} distinct {'pair' if pairs == 1 else 'pairs'} of people. The 95 % bounds "
            "treat trials as independent; comparisons of the same two people are not, so the "
            "FMR bound is far too optimistic about other people.",
            f"FMR <= 1:10,000 at 95 % needs >= {needed:,} independent non-mated trials without "
            f"a false match, e.g. every pair of >= {people_needed(needed)} different people.",
            f"FNMR <= 1 % needs >= {trials_needed(TARGETS[FNMR].limit)} error-free mated trials.",
        ]
        if self.description.get("kind") == "synthetic":
            out.append(
                "Synthetic data: every picture of one identity is made from one photo, so mated "
                "pairs are easier than two real captures years apart, and the attacks are the "
                "project's own imitations of prints and screens (docs/biometrics.md)."
            )
        if VIDEO_REPLAY in self.pad.reasons:
            out.append(
                "video_replay measures a known limit: three still frames cannot tell a replayed "
                "recording of the person from the person (nor a virtual camera, BIO-4)."
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "harness": f"hawiya.identity.faces.evaluation {HARNESS_VERSION}",
            "description": dict(self.description),
            "threshold": self.threshold,
            "model": self.model,
            "metrics": {
                m: {**r.as_dict(), "target": _target_text(m), "verdict": verdict(m, r)}
                for m, r in self.metrics.items()
            },
            "by_label": {
                k: {m: r.as_dict() for m, r in v.items()} for k, v in self.by_label.items()
            },
            "by_variant": {k: r.as_dict() for k, r in self.pad.by_variant.items()},
            "rejections": self.pad.reasons,
            "distances": self.match.distances,
            "identities": self.match.identities,
            "non_mated_identity_pairs": self.match.non_mated_identity_pairs,
            "failures_to_acquire": self.match.fta_codes,
            "errors": {**self.pad.errors, **self.match.errors},
            "notes": self.notes(),
            "seconds": round(self.seconds, 1),
        }


def _target_text(metric: str) -> str:
    target = TARGETS.get(metric)
    return target.text if target else ""


def evaluate(
    data: LabelledSet,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run every presentation and face picture of `data` through the engine and count."""
    start = time.perf_counter()
    outcomes = []
    for n, presentation in enumerate(data.presentations, start=1):
        outcomes.append(run_presentation(presentation, threshold=threshold))
        if progress and n % 25 == 0:
            progress(f"liveness {n}/{len(data.presentations)}")
    pad = pad_metrics(outcomes)
    acquired = []
    for n, sample in enumerate(data.samples, start=1):
        acquired.append(acquire(sample))
        if progress and n % 50 == 0:
            progress(f"embedded {n}/{len(data.samples)}")
    match = match_metrics(acquired, threshold=threshold, is_unrelated=data.is_unrelated)
    metrics = dict(sorted({**pad.metrics, **match.metrics}.items(), key=_metric_order))
    labels = sorted(set(pad.by_label) | set(match.by_label))
    by_label = {
        k: dict(
            sorted(
                {**pad.by_label.get(k, {}), **match.by_label.get(k, {})}.items(),
                key=_metric_order,
            )
        )
        for k in labels
    }
    return Report(
        metrics,
        by_label,
        pad,
        match,
        threshold,
        liveness_model_version(),
        data.description,
        time.perf_counter() - start,
    )


# --------------------------------------------------------------------------------------------
# Baselines


@dataclass(frozen=True, slots=True)
class Regression:
    metric: str  # "FMR", "APCER/print", or "<label>: <metric>"
    baseline: Rate
    current: Rate | None
    why: str


def compare_rates(
    current: Mapping[str, Rate],
    baseline: Mapping[str, Rate],
    *,
    tolerance: int = 0,
    prefix: str = "",
) -> list[Regression]:
    """Metrics that got worse. With the same trials: more errors than the baseline plus
    `tolerance`. With other trials (another set size): an observed rate above the baseline's 95 %
    upper bound. A metric of the baseline missing now is a regression too; new metrics are not."""
    found: list[Regression] = []
    for metric, base in baseline.items():
        now = current.get(metric)
        name = f"{prefix}{metric}"
        if now is None:
            found.append(Regression(name, base, None, "missing from this run"))
        elif now.trials == base.trials:
            if now.errors > base.errors + tolerance:
                found.append(
                    Regression(
                        name,
                        base,
                        now,
                        f"{now.errors}/{now.trials} errors against {base.errors}/{base.trials}"
                        + (f" (+{tolerance} allowed)" if tolerance else ""),
                    )
                )
        elif now.rate is not None and base.trials and now.rate > base.upper:
            found.append(
                Regression(
                    name,
                    base,
                    now,
                    f"{now.errors}/{now.trials} is above the baseline's 95 % upper bound "
                    f"{base.upper:.4f} ({base.errors}/{base.trials})",
                )
            )
    return found


def rates_of(section: Mapping[str, Mapping[str, Any]]) -> dict[str, Rate]:
    return {m: Rate.from_dict(v) for m, v in section.items()}


def regressions(
    current: Mapping[str, Any], baseline: Mapping[str, Any], *, tolerance: int = 0
) -> list[Regression]:
    """Compare two `Report.as_dict()` outputs: the overall metrics and every label's."""
    found = compare_rates(
        rates_of(current["metrics"]), rates_of(baseline["metrics"]), tolerance=tolerance
    )
    now_labels = current.get("by_label", {})
    for label, section in baseline.get("by_label", {}).items():
        found += compare_rates(
            rates_of(now_labels.get(label, {})),
            rates_of(section),
            tolerance=tolerance,
            prefix=f"{label}: ",
        )
    return found


BASELINE_FORMAT = 1


def baseline_key(description: Mapping[str, Any], threshold: float) -> str:
    """The run a baseline entry stands for: the synthetic config (or directory) and threshold."""
    config = description.get("config")
    if config:
        what = " ".join(f"{k}={v}" for k, v in config.items())
    else:
        what = f"directory={description.get('path', '?')}"
    return f"{what} threshold={threshold:g}"


def read_baselines(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"format": BASELINE_FORMAT, "runs": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != BASELINE_FORMAT:
        raise ValueError(f"{path}: unknown baseline format {data.get('format')}")
    return data


def baseline_entry(report: Mapping[str, Any]) -> dict[str, Any]:
    """What a baseline keeps of a report: counts, not the per-trial error lists."""
    keep = ("harness", "description", "threshold", "model", "metrics", "by_label", "by_variant")
    entry = {k: report[k] for k in keep if k in report}
    entry["distances"] = report.get("distances", {})
    entry["identities"] = report.get("identities")
    entry["non_mated_identity_pairs"] = report.get("non_mated_identity_pairs")
    return entry


def write_baseline(path: Path, report: Mapping[str, Any]) -> str:
    """Store `report` in the baseline file under its key (other runs kept); returns the key."""
    data = read_baselines(path)
    key = baseline_key(report["description"], float(report["threshold"]))
    data["runs"][key] = baseline_entry(report)
    data["runs"] = dict(sorted(data["runs"].items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
    return key
