"""AML name screening: index build time and memory, search latency, and recall/precision on
labelled variants, at list sizes of 100,000 and 1,000,000 names.

    .venv/bin/python bench/aml.py [--sizes 100000,1000000] [--queries 2000] [--seed 1]

For each size it generates list entries with hawiya.identity.aml.variants.make_list until they
hold that many names (an entry has one to four: Latin renderings, sometimes an Arabic alias),
builds a NameIndex, and runs `--queries` labelled queries from make_labelled (variants of listed
names and decoys) through `search` one at a time on this one thread, timing each call with
time.perf_counter, after gc.freeze() (as a server would once its lists are loaded). Memory is
what tracemalloc sees allocated by the build (the index alone, not the entries it was given),
and the process's peak RSS. It prints figures and asserts nothing.

Recall: the share of variant queries whose listed entry is among the matches at or above the
threshold (all of them: each is an alert an analyst would review). Precision: the share of
queries with at least one such match (an alert) for which the alert is right, i.e. the query is
a variant and its entry is among the matches; an alert on a decoy, or one that misses the
query's entry, is a false alert.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict

from hawiya.identity.aml.matcher import DEFAULT_THRESHOLD, ListEntry, NameIndex
from hawiya.identity.aml.variants import LabelledQuery, make_labelled, make_list


def entries_for(names: int, rng: random.Random) -> list[ListEntry]:
    """Entries until they hold `names` names (the last one trimmed to fit)."""
    out: list[ListEntry] = []
    total = 0
    while total < names:
        batch = make_list(min(50_000, names - total), rng)
        for entry in batch:
            room = names - total
            if room <= 0:
                break
            if len(entry.names) > room:
                entry = ListEntry(
                    entry.entry_id, entry.names[:room], entry.id_numbers, entry.source,
                    entry.metadata,
                )  # fmt: skip
            out.append(
                ListEntry(f"{len(out):07d}-{entry.entry_id}", entry.names, entry.id_numbers,
                          entry.source, entry.metadata)
            )  # fmt: skip
            total += len(entry.names)
    return out


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


def run_size(names: int, queries: int, seed: int) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    entries = entries_for(names, rng)
    print(f"\n== {names:,} names ({len(entries):,} entries; generated in "
          f"{time.perf_counter() - started:.1f} s)")  # fmt: skip

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    index = NameIndex(entries)
    build = time.perf_counter() - started
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"build: {build:.1f} s (under tracemalloc, which slows allocation down)")
    print(f"index memory: {(after - before) / 2**20:,.0f} MiB retained, "
          f"{(peak - before) / 2**20:,.0f} MiB peak during the build")  # fmt: skip
    del index
    gc.collect()
    started = time.perf_counter()
    index = NameIndex(entries)
    print(f"build without tracemalloc: {time.perf_counter() - started:.1f} s")
    # What a server does once its lists are loaded: move them out of the garbage collector's
    # view, so that a full collection (over a million entries) does not land in a search.
    gc.collect()
    gc.freeze()

    labelled = make_labelled(entries, random.Random(seed + 1), count=queries)
    for q in labelled[:50]:  # warm the caches a real server would have warm
        index.search(q.name)
    latencies: list[float] = []
    results = []
    for q in labelled:
        t0 = time.perf_counter()
        matches = index.search(q.name, limit=1000)  # every alert an analyst would see
        latencies.append((time.perf_counter() - t0) * 1000)
        results.append((q, [m.entry_id for m in matches]))
    gc.unfreeze()
    latencies.sort()
    print(f"search over {len(labelled):,} queries: p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
          f"max {latencies[-1]:.1f} ms, mean {statistics.fmean(latencies):.1f} ms")  # fmt: skip
    report_quality(results)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS so far: {rss:,.0f} MiB")


def report_quality(results: list[tuple[LabelledQuery, list[str]]]) -> None:
    positives = [(q, ids) for q, ids in results if q.expected is not None]
    found = sum(q.expected in ids for q, ids in positives)
    alerts = [(q, ids) for q, ids in results if ids]
    right = sum(q.expected is not None and q.expected in ids for q, ids in alerts)
    decoys = [ids for q, ids in results if q.expected is None]
    top1 = sum(bool(ids) and ids[0] == q.expected for q, ids in positives)
    sizes = sorted(len(ids) for _, ids in alerts) or [0]
    print(f"threshold {DEFAULT_THRESHOLD:g}: recall {found / len(positives):.2%} "
          f"({found}/{len(positives)}), precision {right / max(len(alerts), 1):.2%} "
          f"({right}/{len(alerts)} alerts), decoys alerted {sum(map(bool, decoys))}/{len(decoys)}, "
          f"top-1 {top1 / len(positives):.2%}, matches per alert: median "
          f"{sizes[len(sizes) // 2]}, p95 {sizes[int(len(sizes) * 0.95)]}")  # fmt: skip
    by_tag: dict[str, list[bool]] = defaultdict(list)
    for q, ids in positives:
        for tag in q.tags:
            by_tag[tag].append(q.expected in ids)
    print("recall by variant: " + ", ".join(
        f"{tag} {sum(hits) / len(hits):.1%} ({len(hits)})" for tag, hits in sorted(by_tag.items())
    ))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"AML screening benchmark: Python {platform.python_version()} on {platform.machine()}, "
          f"one thread; threshold {DEFAULT_THRESHOLD:g}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        run_size(size, args.queries, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
