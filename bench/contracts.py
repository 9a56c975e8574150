"""Contract documents: how many contracts a second one core renders, makes into PDF and signs
(customer, then provider), with p50/p95 per contract and per stage.

    .venv/bin/python bench/contracts.py [--contracts 60] [--warmup 3] [--rows 12] [--cpu 0]

A contract is the example personal loan (hawiya.contracting.documents.examples) in Arabic and
in English: each language is rendered from its template (sandboxed Jinja2), made into a PDF/A-3b
with WeasyPrint, signed by the platform key with the customer's evidence (PAdES B-B), then
countersigned by the provider key, both from demo chains (ECDSA P-256) loaded from PKCS#12 once.
Validation of the result (both signatures, pyHanko) is timed apart and not counted in the rate.
The process is pinned to one CPU (`--cpu`, when the OS allows it) and runs one contract at a time.
Each contract gets different values (the instalment table's length varies around `--rows`) so
nothing is cached between contracts. It prints figures and asserts nothing but the signatures'
validity.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from hawiya.contracting.documents.examples import (
    LOAN_REQUEST,
    LOAN_TEMPLATE_AR,
    LOAN_TEMPLATE_EN,
    LOAN_TITLES,
    loan_fields,
)
from hawiya.contracting.documents.pdf import html_to_pdf
from hawiya.contracting.documents.render import Language, render_contract
from hawiya.contracting.documents.signing import (
    customer_evidence,
    load_certificates,
    load_pkcs12,
    make_demo_chain,
    sign_pdf,
)
from hawiya.contracting.documents.verify import verify_pdf

TEMPLATES: dict[Language, str] = {"ar": LOAN_TEMPLATE_AR, "en": LOAN_TEMPLATE_EN}


@contextmanager
def stage(stages: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    stages[name] = stages.get(name, 0.0) + time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rows", type=int, default=12, help="instalment rows (varied +-50%%)")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to (-1: do not pin)")
    args = parser.parse_args()
    if args.cpu >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})

    password = b"bench"
    platform_chain = make_demo_chain("Bench Co", password=password, purpose="platform signatures")
    provider_chain = make_demo_chain("Bench Co", password=password)
    platform_key = load_pkcs12(platform_chain.pkcs12, password)
    provider_key = load_pkcs12(provider_chain.pkcs12, password)
    roots = load_certificates(platform_chain.root_pem) + load_certificates(provider_chain.root_pem)

    per_contract: list[float] = []
    per_stage: dict[str, list[float]] = defaultdict(list)
    verify_times: list[float] = []
    sizes: list[int] = []
    total = args.warmup + args.contracts
    for i in range(total):
        rows = max(1, args.rows // 2 + i % (args.rows + 1))
        request = replace(LOAN_REQUEST, request_number=f"REQ-20261122-{i:04d}")
        stages: dict[str, float] = {}
        start = time.perf_counter()
        signed: list[bytes] = []
        for language, template in TEMPLATES.items():
            with stage(stages, "render"):
                doc = render_contract(
                    template,
                    language=language,
                    title=LOAN_TITLES[language],
                    fields=loan_fields(full_rows=rows),
                    request=request,
                )
            with stage(stages, "pdf"):
                pdf = html_to_pdf(doc.html)
            evidence = customer_evidence(
                otp_challenge_id=f"otp-{i}",
                contract_sha256=doc.sha256,
                geo_location="30.0444,31.2357",
                device_time="2026-11-22T09:30:00Z",
                client_address="203.0.113.7",
                liveness_transaction_id=f"tx-{i}",
            )
            with stage(stages, "customer signature"):
                once = sign_pdf(
                    pdf,
                    platform_key,
                    field_name="CustomerSignature",
                    reason="Signed by the customer with a one-time code",
                    location="30.0444,31.2357",
                    evidence=evidence,
                )
            with stage(stages, "provider signature"):
                twice = sign_pdf(
                    once,
                    provider_key,
                    field_name="ProviderSignature",
                    reason="Countersigned by the provider",
                    location="Cairo",
                    evidence={"kind": "provider-signature"},
                )
            signed.append(twice)
        elapsed = time.perf_counter() - start
        v_start = time.perf_counter()
        for pdf_bytes in signed:
            report = verify_pdf(pdf_bytes, roots)
            if not report.ok:
                print(f"contract {i}: signatures not valid: {report}", file=sys.stderr)
                return 1
        if i < args.warmup:
            continue
        verify_times.append(time.perf_counter() - v_start)
        per_contract.append(elapsed)
        for name, seconds in stages.items():
            per_stage[name].append(seconds)
        sizes += [len(b) for b in signed]

    busy = sum(per_contract)
    print(f"python {platform.python_version()} on {platform.machine()}, pinned to CPU {args.cpu}")
    print(
        f"{len(per_contract)} contracts (Arabic + English PDF each, customer + provider "
        f"signatures), {args.warmup} warm-up contracts not counted"
    )
    print(f"contracts per second (one core): {len(per_contract) / busy:.2f}")
    print(
        f"per contract: p50 {pct(per_contract, 0.5) * 1000:.0f} ms, "
        f"p95 {pct(per_contract, 0.95) * 1000:.0f} ms, max {max(per_contract) * 1000:.0f} ms"
    )
    for name, values in per_stage.items():
        print(
            f"  {name:<20} p50 {pct(values, 0.5) * 1000:6.1f} ms  "
            f"p95 {pct(values, 0.95) * 1000:6.1f} ms  (both languages)"
        )
    print(
        f"validation of both signed PDFs: p50 {pct(verify_times, 0.5) * 1000:.0f} ms, "
        f"p95 {pct(verify_times, 0.95) * 1000:.0f} ms (not in the rate)"
    )
    print(f"signed PDF size: median {statistics.median(sizes) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
