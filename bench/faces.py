"""Face detection, face match and liveness on one core, and the match decisions on generated pairs.

    .venv/bin/python bench/faces.py [--rounds 20] [--liveness-sets 12] [--cpu 0]

The process pins itself to one CPU (`--cpu`, via sched_setaffinity, which every thread it starts
inherits) and sets OMP_THREAD_LIMIT / OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to 1 and OpenCV to
one thread before any model library is imported, so each figure is what one worker process of
the pool does on one core. Models are loaded first (`warm_up`) and timed apart.

Timed (p50 / p95 / max over --rounds runs):
- detect + 5-point alignment + embedding of the one face in a 640 × 480 frame (`embed`), and the
  detector's first pass alone;
- a face match of two pictures (`match_images`: two embeds and the comparison);
- liveness of three 480 × 640 frames (`check_liveness`; target p50 ≤ 1.5 s), over --liveness-sets
  generated challenge sets.

Match decisions at the default threshold (0.6), on pairs generated from the two public-domain
portraits (`hawiya.identity.faces.synthetic`): mated pairs are each person's challenge frames
(blink, smile, head turns, new noise and framing, some resized, mirrored or rotated) against that
person's unchanged portrait (the "ID photo") and against each other; non-mated pairs are one
person's frames against the other's. FNMR and FMR with counts and the 95 % upper bound ("rule of
3" when there is no error), as checklist BIO-2 asks. With only two people, the FMR says little:
it is the margin of one pair of faces, not a population figure.

Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

ONE_THREAD = ("OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin(cpu: int) -> str:
    for name in ONE_THREAD:
        os.environ[name] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu} of {os.cpu_count()}"
    return "not pinned (no sched_setaffinity on this platform)"


def timed(fn: Callable[[], Any], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"  {label:<46} p50 {statistics.median(ordered) * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms   (n={len(ordered)})"
    )


def rate(errors: int, trials: int) -> str:
    """The observed rate and its 95 % upper bound (rule of 3 at zero errors)."""
    if trials == 0:
        return "no trials"
    if errors == 0:
        return f"0/{trials} = 0 % (95 % upper bound {300 / trials:.2f} %, rule of 3)"
    # Wilson score upper bound.
    z, p = 1.96, errors / trials
    upper = (
        p + z * z / (2 * trials) + z * ((p * (1 - p) + z * z / (4 * trials)) / trials) ** 0.5
    ) / (1 + z * z / trials)
    return f"{errors}/{trials} = {100 * p:.2f} % (95 % upper bound {100 * upper:.2f} %)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="timed runs of each call")
    parser.add_argument("--liveness-sets", type=int, default=12, help="challenge sets timed")
    parser.add_argument("--cpu", type=int, default=0, help="the one CPU to run on")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pinned = pin(args.cpu)

    import cv2
    from PIL import Image

    from hawiya.identity.faces import synthetic
    from hawiya.identity.faces.embedder import detect, embed
    from hawiya.identity.faces.liveness import check_liveness
    from hawiya.identity.faces.match import DEFAULT_THRESHOLD, compare, match_images
    from hawiya.identity.faces.models import liveness_model_version, warm_up

    cv2.setNumThreads(1)
    print(f"Hawiya faces benchmark: {platform.processor() or platform.machine()}, {pinned}")
    print(f"  {liveness_model_version()}; opencv {cv2.__version__}")
    print(f"  python {platform.python_version()}, numpy {metadata.version('numpy')}")

    start = time.perf_counter()
    warm_up()
    print(f"  models loaded (warm_up) in {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    people = {
        "astronaut": synthetic.prepare(synthetic.astronaut()),
        "hopper": synthetic.prepare(synthetic.grace_hopper()),
    }
    landscape = synthetic.prepare(synthetic.astronaut(), size=(640, 480)).image
    print(f"  portraits framed in {time.perf_counter() - start:.2f} s")
    print()

    print("Latency on one core")
    print(
        summary(
            "detect only, 640x480 (HOG, no upsampling)",
            timed(lambda: detect(landscape), args.rounds),
        )
    )
    print(summary("detect + align + embed, 640x480", timed(lambda: embed(landscape), args.rounds)))
    selfie = synthetic.challenge_frames(people["astronaut"], ("straight",), seed=1)[0]
    id_photo = people["astronaut"].image
    print(
        summary(
            "face match (two pictures: 2 embeds + compare)",
            timed(lambda: match_images(selfie, id_photo), args.rounds),
        )
    )
    a, b = embed(selfie).embedding, embed(id_photo).embedding
    print(summary("compare two embeddings", timed(lambda: compare(a, b), args.rounds)))

    sequences: list[tuple[synthetic.Challenge, ...]] = [
        ("blink", "turn_right", "smile"),
        ("straight", "smile", "blink"),
        ("turn_left", "straight", "turn_right"),
        ("smile", "turn_left", "blink"),
    ]
    sets = []
    for n in range(args.liveness_sets):
        portrait = people["astronaut" if n % 2 == 0 else "hopper"]
        sets.append(synthetic.challenge_frames(portrait, sequences[n % len(sequences)], seed=n))
    passed = 0
    live_times = []
    for liveness_set in sets:
        start = time.perf_counter()
        result = check_liveness(liveness_set)
        live_times.append(time.perf_counter() - start)
        passed += result.passed
    print(summary("liveness, three 480x640 frames", live_times))
    p50 = statistics.median(live_times)
    verdict = "within" if p50 <= 1.5 else "OVER"
    print(
        f"  liveness p50 {p50:.2f} s: {verdict} the 1.5 s target; {passed}/{len(sets)} sets passed"
    )
    print()

    print(f"Match decisions at threshold {DEFAULT_THRESHOLD} (distance; score 50)")
    start = time.perf_counter()
    shots_by_person: dict[str, list[Image.Image]] = {}
    for name, portrait in people.items():
        shots: list[Image.Image] = []
        for n, sequence in enumerate(sequences):
            shots += synthetic.challenge_frames(portrait, sequence, seed=100 + n)
        w, h = portrait.image.size
        shots.append(portrait.image.resize((w * 2 // 3, h * 2 // 3)).resize((w, h)))
        shots.append(portrait.image.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
        shots.append(portrait.image.rotate(7, resample=Image.Resampling.BILINEAR))
        shots_by_person[name] = shots
    embeddings = {
        name: [embed(f).embedding for f in shots] for name, shots in shots_by_person.items()
    }
    references = {name: embed(p.image).embedding for name, p in people.items()}
    mated = [
        compare(e, references[name]).distance for name, es in embeddings.items() for e in es
    ] + [
        compare(x, y).distance
        for es in embeddings.values()
        for x, y in itertools.combinations(es, 2)
    ]
    names = list(people)
    non_mated = [
        compare(x, y).distance
        for x in [*embeddings[names[0]], references[names[0]]]
        for y in [*embeddings[names[1]], references[names[1]]]
    ]
    false_non_matches = sum(d > DEFAULT_THRESHOLD for d in mated)
    false_matches = sum(d <= DEFAULT_THRESHOLD for d in non_mated)
    built = time.perf_counter() - start
    print(f"  {len(mated)} mated and {len(non_mated)} non-mated pairs ({built:.1f} s to build)")
    for label, values in (("mated", mated), ("non-mated", non_mated)):
        print(
            f"  {label + ' distance:':<20} min {min(values):.3f}"
            f"  median {statistics.median(values):.3f}  max {max(values):.3f}"
        )
    print(f"  margin: {min(non_mated) - DEFAULT_THRESHOLD:+.3f} above the threshold for non-mated,")
    print(f"          {DEFAULT_THRESHOLD - max(mated):+.3f} below it for mated pairs")
    print(f"  FNMR {rate(false_non_matches, len(mated))}")
    print(f"  FMR  {rate(false_matches, len(non_mated))}")
    correct = len(mated) - false_non_matches + len(non_mated) - false_matches
    total = len(mated) + len(non_mated)
    print(f"  decision accuracy {correct}/{total} = {100 * correct / total:.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
