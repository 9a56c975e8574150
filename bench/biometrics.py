"""Biometric evaluation (checklist BIO-2): APCER per attack species, BPCER, FMR, FNMR and failures
to acquire at the deployed face-match threshold, with counts and 95 % upper bounds, compared with
the stored baseline. See docs/biometrics.md; the harness is `hawiya.identity.faces.evaluation`.

    .venv/bin/python bench/biometrics.py                    # the full synthetic set (minutes)
    .venv/bin/python bench/biometrics.py --preset ci        # the set the test suite runs
    .venv/bin/python bench/biometrics.py --data DIR         # an operator's own labelled set
    .venv/bin/python bench/biometrics.py --export DIR       # write the synthetic set to DIR

Options change the synthetic set (--seed, --bona-fide, --per-species, --samples-per-identity,
--lfw-faces), the threshold (--threshold, default the tenant setting faceMatchThreshold's default)
and the output (--json for the whole report, --write-baseline PATH to store this run's counts in
a baseline file under its own key, other runs kept).

Baseline: the run is compared with the entry of the same key (set and threshold) in --baseline
(bench/baselines/biometrics.json): a metric regresses when it has more errors in the same
trials than the baseline plus --tolerance (default 0: on one machine the pipeline is
deterministic). --baseline-key compares with another entry instead (another set size); a metric
then regresses when its observed rate is above that entry's 95 % upper bound.

The process pins itself to one CPU (--cpu) and one thread per library, like bench/faces.py.
Exit status 1 when something regressed, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = ROOT / "bench" / "baselines" / "biometrics.json"
ONE_THREAD = ("OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin(cpu: int | None) -> str:
    for name in ONE_THREAD:
        os.environ[name] = "1"
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu} of {os.cpu_count()}"
    return "not pinned"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=("full", "ci"), default="full")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--bona-fide", type=int, help="bona fide presentations")
    parser.add_argument("--per-species", type=int, help="presentations of each attack species")
    parser.add_argument("--samples-per-identity", type=int, help="face pictures per identity")
    parser.add_argument("--lfw-faces", type=int, help="low-resolution LFW identities (0-94)")
    parser.add_argument("--threshold", type=float, help="face-match distance threshold")
    parser.add_argument("--data", type=Path, help="evaluate this labelled directory instead")
    parser.add_argument("--export", type=Path, help="also write the synthetic set here")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    parser.add_argument("--baseline-key", help="compare with this entry of the baseline file")
    parser.add_argument("--write-baseline", type=Path, metavar="PATH")
    parser.add_argument("--tolerance", type=int, default=0, help="extra errors allowed")
    parser.add_argument("--cpu", type=int, default=0, help="the one CPU to run on (-1: any)")
    return parser.parse_args(argv)


def percent(value: float | None) -> str:
    if value is None:
        return "-"
    if value and value < 0.001:
        return f"{100 * value:.4f} %"
    return f"{100 * value:.2f} %"


def metric_table(metrics: dict[str, Any]) -> list[str]:
    lines = [
        f"  {'metric':<22} {'errors/trials':>14} {'rate':>9} {'95 % upper':>11}  "
        f"{'bound':<16}{'target':<19}verdict"
    ]
    for name, m in metrics.items():
        lines.append(
            f"  {name:<22} {str(m['errors']) + '/' + str(m['trials']):>14} "
            f"{percent(m['rate']):>9} {percent(m['upper95']):>11}  {m['bound']:<16}"
            f"{m.get('target', ''):<19}{m.get('verdict', '')}"
        )
    return lines


def label_table(by_label: dict[str, dict[str, Any]]) -> list[str]:
    if not by_label:
        return []
    labels = list(by_label)
    metrics: list[str] = []
    for section in by_label.values():
        metrics += [m for m in section if m not in metrics]
    width = max(24, *(len(label) + 2 for label in labels))
    lines = ["  " + f"{'metric':<22}" + "".join(f"{label:>{width}}" for label in labels)]
    for metric in metrics:
        cells = []
        for label in labels:
            m = by_label[label].get(metric)
            cells.append(f"{m['errors']}/{m['trials']} (<= {percent(m['upper95'])})" if m else "-")
        lines.append("  " + f"{metric:<22}" + "".join(f"{c:>{width}}" for c in cells))
    return lines


def render(report: dict[str, Any], header: list[str]) -> str:
    lines = [*header, ""]
    lines.append(f"At face-match threshold {report['threshold']:g} (distance)")
    lines += metric_table(report["metrics"])
    lines.append("")
    if report["by_label"]:
        lines.append("By label (errors/trials, 95 % upper bound)")
        lines += label_table(report["by_label"])
        lines.append("")
    if report["by_variant"]:
        lines.append("Attacks accepted, by how they were made")
        for name, m in report["by_variant"].items():
            lines.append(f"  {name:<40} {m['errors']}/{m['trials']}")
        lines.append("")
    lines.append("Decisions by species (accepted, or the checks that failed)")
    for species, reasons in report["rejections"].items():
        listed = ", ".join(f"{k} {v}" for k, v in reasons.items())
        lines.append(f"  {species:<16} {listed}")
    lines.append("")
    for kind, summary in report["distances"].items():
        if summary:
            listed = "  ".join(f"{k} {v:.3f}" for k, v in summary.items())
            lines.append(f"  {kind + ' distances:':<22} {listed}")
    if report["failures_to_acquire"]:
        listed = ", ".join(f"{k}: {v}" for k, v in report["failures_to_acquire"].items())
        lines.append(f"  failures to acquire by code: {listed}")
    for metric, ids in report["errors"].items():
        shown = ", ".join(ids[:8]) + (" ..." if len(ids) > 8 else "")
        lines.append(f"  {metric} errors: {shown}")
    lines.append("")
    lines.append("What the figures can and cannot support")
    lines += [f"  - {note}" for note in report["notes"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pinned = pin(None if args.cpu < 0 else args.cpu)

    import cv2

    from hawiya.identity.faces import evaluation, warm_up
    from hawiya.tenants.settings import TenantSettings

    cv2.setNumThreads(1)

    def progress(message: str) -> None:
        print(f"  ... {message}", file=sys.stderr, flush=True)

    threshold = args.threshold
    if threshold is None:
        threshold = float(TenantSettings.model_fields["faceMatchThreshold"].default)
    start = time.perf_counter()
    warm_up()
    if args.data:
        data = evaluation.load_directory(args.data)
        what = f"directory {args.data}"
    else:
        base = evaluation.CI_CONFIG if args.preset == "ci" else evaluation.FULL_CONFIG
        overrides = {
            "seed": args.seed,
            "bona_fide": args.bona_fide,
            "per_species": args.per_species,
            "samples_per_identity": args.samples_per_identity,
            "lfw_faces": args.lfw_faces,
        }
        config = evaluation.SetConfig(
            **{**base.as_dict(), **{k: v for k, v in overrides.items() if v is not None}}
        )
        data = evaluation.generate(config, progress=progress)
        what = f"synthetic, {config.key()}"
        if args.export:
            evaluation.save_directory(data, args.export)
            progress(f"set written to {args.export}")
    made = time.perf_counter() - start
    report = evaluation.evaluate(data, threshold=threshold, progress=progress).as_dict()
    header = [
        "Hawiya biometric evaluation (checklist BIO-2)",
        f"  set: {what}",
        f"  {len(data.presentations)} presentations, {len(data.samples)} face pictures; "
        f"{report['identities']} identities; made in {made:.0f} s, evaluated in "
        f"{report['seconds']:.0f} s ({pinned}, one thread)",
        f"  model: {report['model']}",
    ]

    status = 0
    key = evaluation.baseline_key(report["description"], threshold)
    comparison: list[str] = []
    baselines = evaluation.read_baselines(args.baseline)
    entry_key = args.baseline_key or key
    entry = baselines["runs"].get(entry_key)
    if entry is None:
        comparison.append(f"No baseline entry {entry_key!r} in {args.baseline}.")
    else:
        found = evaluation.regressions(report, entry, tolerance=args.tolerance)
        if entry.get("model") != report["model"]:
            comparison.append(f"Note: the baseline was made with {entry.get('model')}.")
        if found:
            status = 1
            comparison.append(f"REGRESSED against {args.baseline} [{entry_key}]:")
            comparison += [f"  {r.metric}: {r.why}" for r in found]
        else:
            comparison.append(f"No regression against {args.baseline} [{entry_key}].")
    if args.write_baseline:
        written = evaluation.write_baseline(args.write_baseline, report)
        comparison.append(f"Baseline written to {args.write_baseline} [{written}].")

    if args.json:
        print(json.dumps({**report, "comparison": comparison}, indent=1, ensure_ascii=False))
    else:
        print(render(report, header))
        print()
        print("\n".join(comparison))
    return status


if __name__ == "__main__":
    sys.exit(main())
