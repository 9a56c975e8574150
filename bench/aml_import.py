"""AML list import speed: a generated FollowTheMoney JSON-lines file of N parties (default
1,000,000) imported as a global list on a fresh SQLite database, read back for screening, and
removed.

    .venv/bin/python bench/aml_import.py [--entries 1000000] [--database-url URL] [--no-read-back]

The file (about 250 bytes a line: a Person with a Latin name, an Arabic alias, a birth date, a
nationality and, for one in four, an ID number) and the SQLite database live in a temporary
directory that is deleted at the end. --database-url names another database instead, e.g. an
empty PostgreSQL database made for the purpose: it is migrated to head and the list is removed
at the end. It prints the file's size, the import's duration and rows per second, the process's
peak RSS after the import (and what it held before), the time and added RSS of reading the list
back as ListEntry objects (what a screening index is built from), and the time to remove the
list. It asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

from hawiya.datakeys.service import DataKeyring
from hawiya.db import migrate
from hawiya.db.session import Database, session_scope
from hawiya.identity.aml.store import import_list, iter_screening_entries, remove_list

FIRST = ["Ahmed", "Mohamed", "Mahmoud", "Omar", "Youssef", "Khaled", "Hassan", "Ali", "Mostafa",
         "Tarek", "Fatma", "Mona", "Nour", "Salma", "Heba", "Rania", "Dina", "Aya"]  # fmt: skip
LAST = ["Hassan", "Ibrahim", "El-Sayed", "Abdel Rahman", "Farouk", "Mansour", "Shawky", "Soliman",
        "Nasser", "Kamal", "Fathy", "Gamal", "Ragab", "Hamdy", "Zaki", "Saleh"]  # fmt: skip
ARABIC = ["أحمد", "محمد", "محمود", "عمر", "يوسف", "خالد", "حسن", "علي", "مصطفى", "طارق", "فاطمة",
          "منى", "نور", "سلمى", "هبة", "رانيا", "دينا", "آية"]  # fmt: skip


def rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def write_file(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            f, m, last = FIRST[i % 18], FIRST[(i // 18) % 18], LAST[(i // 324) % 16]
            props: dict[str, list[str]] = {
                "name": [f"{f} {m} {last} {i}"],
                "alias": [f"{ARABIC[i % 18]} {ARABIC[(i // 18) % 18]} {i}"],
                "birthDate": [f"{1940 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d}"],
                "nationality": ["eg"],
                "topics": ["sanction"],
            }
            if i % 4 == 0:
                props["idNumber"] = [f"2{i:013d}"]
            entity = {
                "id": f"bench-{i}",
                "schema": "Person",
                "properties": props,
                "datasets": ["bench_list"],
            }
            out.write(json.dumps(entity, ensure_ascii=False) + "\n")


async def bench(url: str, path: Path, read_back: bool) -> None:
    db = Database.connect(url)
    keyring = DataKeyring.build(secrets.token_bytes(32))
    try:
        before = current_rss_mib()
        started = time.perf_counter()
        report = await import_list(db.writer, keyring, "ftm", path, name="bench-ftm")
        took = time.perf_counter() - started
        print(
            f"import: {report.imported:,} entries of {report.read:,} read in {took:.1f} s "
            f"({report.read / took:,.0f} rows/s); {report.names:,} names, "
            f"{report.id_numbers:,} id numbers, {report.skipped_count} skipped"
        )
        print(f"peak RSS {rss_mib():.0f} MiB (before the import {before:.0f} MiB)")
        if read_back:
            tenant = uuid.uuid4()  # a tenant with no lists of its own: the global ones only
            rss0 = current_rss_mib()
            started = time.perf_counter()
            async with session_scope(db.reader) as session:
                held = [e async for e in iter_screening_entries(session, tenant, keyring=keyring)]
                count = len(held)
            took = time.perf_counter() - started
            print(
                f"read back: {count:,} ListEntry objects in {took:.1f} s; RSS "
                f"+{current_rss_mib() - rss0:.0f} MiB"
            )
            del held
        started = time.perf_counter()
        await remove_list(db.writer, report.list_id, tenant_id=None)
        print(f"remove: {time.perf_counter() - started:.1f} s")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--no-read-back", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="hawiya-aml-bench-") as tmp:
        path = Path(tmp) / "bench.ftm.json"
        started = time.perf_counter()
        write_file(path, args.entries)
        print(
            f"file: {args.entries:,} entities, {path.stat().st_size / 1e6:.0f} MB, written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        print(f"database: {url.split('@')[-1]}")
        asyncio.run(bench(url, path, not args.no_read_back))
        if url.startswith("sqlite:///"):
            print(f"database file after removal: {Path(url[10:]).stat().st_size / 1e6:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
