"""`hawiya aml import|lists|remove`: the sanctions and watch lists screening uses (docs/aml.md)."""

from __future__ import annotations

import getpass
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from hawiya.audit.service import Actor
from hawiya.cli.common import emit, fail, open_env, run
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.identity.aml import store
from hawiya.identity.aml.sources import FORMATS, SourceError
from hawiya.kit.ids import parse_uuid
from hawiya.secrets_store import load_master_secret
from hawiya.tenants import service as tenant_service

app = typer.Typer(help="Sanctions and watch lists for AML screening.", no_args_is_help=True)

FORMAT_HELP = "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values())


def _operator() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = None
    return Actor(kind="cli", id=user)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar of bytes read on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _ofac_csv_files(path: Path, alt: Path | None) -> tuple[Path, Path | None]:
    """ofac-csv accepts the directory holding sdn.csv (and alt.csv, used when present)."""
    if not path.is_dir():
        return path, alt
    files = {p.name.lower(): p for p in path.iterdir()}
    if "sdn.csv" not in files:
        fail(f"{path} holds no sdn.csv")
    return files["sdn.csv"], alt or files.get("alt.csv")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def _tally_lines(title: str, table: dict[str, Any]) -> list[str]:
    lines = []
    for reason, tally in table.items():
        examples = ", ".join(tally["examples"])
        lines.append(
            f"    {reason}: {tally['count']:,}" + (f" (e.g. {examples})" if examples else "")
        )
    return [f"  {title:<11} {sum(t['count'] for t in table.values()):,}", *lines] if lines else []


def report_lines(report: dict[str, Any]) -> list[str]:
    scope = f"tenant {report['tenant']}" if report.get("tenant") else "global"
    lines = [
        f"Imported {report['source']} list {report['name']!r} ({scope}) as {report['listId']}",
        f"  file        {report['file']}, {_megabytes(report['bytes'])}, "
        f"sha256 {report['fileSha256'][:16]}…",
    ]
    if report["published"]:
        lines.append(f"  published   {report['published']}")
    lines += [
        f"  read        {report['read']:,} records",
        f"  imported    {report['imported']:,} entries ({report['persons']:,} persons, "
        f"{report['entities']:,} organisations), {report['names']:,} names, "
        f"{report['idNumbers']:,} id numbers",
        *_tally_lines("skipped", report["skipped"]),
        *_tally_lines("warnings", report["warnings"]),
    ]
    if report["replaced"]:
        lines.append(f"  replaced    {report['replaced']}")
    lines.append(
        f"  took        {report['durationSeconds']:.1f} s ({report['rowsPerSecond']:,} records/s)"
    )
    return lines


@app.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP)],
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="the list file (ofac-csv: sdn.csv or its directory)"),
    ],
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="a tenant's own list (required for blacklist)")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="the list's name; importing the same source and name replaces it"
        ),
    ] = None,
    alt: Annotated[
        Path | None, typer.Option("--alt", help="ofac-csv: the alt.csv of aliases")
    ] = None,
    no_check_digit: Annotated[
        bool,
        typer.Option(
            "--no-check-digit", help="blacklist: accept national IDs whatever the check digit"
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a list; a list of the same source and name (and tenant) is replaced atomically."""
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}", code=2)
    if fmt == "ofac-csv":
        path, alt = _ofac_csv_files(path, alt)
    if not path.is_file():
        fail(f"no such file: {path}", code=2)

    async def body() -> dict[str, Any]:
        async with open_env() as env:
            tenant_id: uuid.UUID | None = None
            if tenant:
                async with session_scope(env.db.reader) as session:
                    tenant_id = (await tenant_service.get_tenant(session, tenant)).id
            keyring = DataKeyring.build(load_master_secret(env.settings))
            actor = _operator()
            with _progress(path.stat().st_size, f"{fmt} {path.name}") as on_read:
                report = await store.import_list(
                    env.db.writer,
                    keyring,
                    fmt,
                    path,
                    tenant_id=tenant_id,
                    name=name,
                    alt_path=alt,
                    imported_by=f"cli:{actor.id}" if actor.id else "cli",
                    actor=actor,
                    verify_check_digit=not no_check_digit,
                    on_read=on_read,
                )
        return {**report.as_dict(), "tenant": tenant, "file": str(path)}

    try:
        result = run(body)
    except (store.AmlListError, SourceError) as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None
    emit(result, as_json, report_lines)


def _list_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["no lists"]
    return [
        f"{r['id']} {r['scope']:<6} {r['source']:<9} {r['name']:<24} {r['status']:<9} "
        f"{r['entries']:>9,} entries  imported {str(r['importedAt'])[:19]}"
        for r in rows
    ]


@app.command("lists")
def lists(
    tenant: str | None = typer.Option(
        None, "--tenant", help="this tenant's own lists, with the global ones it also sees"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The imported lists: global ones, or what a tenant is screened against."""

    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            tenant_id = (await tenant_service.get_tenant(session, tenant)).id if tenant else None
            return [info.as_dict() for info in await store.list_lists(session, tenant_id)]

    emit(run(body), as_json, _list_lines)


@app.command("remove")
def remove(
    list_id: str = typer.Argument(..., metavar="LIST_ID"),
    tenant: str | None = typer.Option(
        None, "--tenant", help="the tenant whose own list it is (omit for a global list)"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Remove a list: screening stops using it at once, then its entries are deleted."""
    parsed = parse_uuid(list_id)
    if parsed is None:
        fail(f"not a list id: {list_id!r}", code=2)
        raise AssertionError("unreachable")

    async def body() -> dict[str, Any]:
        async with open_env() as env:
            tenant_id: uuid.UUID | None = None
            if tenant:
                async with session_scope(env.db.reader) as session:
                    tenant_id = (await tenant_service.get_tenant(session, tenant)).id
            info = await store.remove_list(
                env.db.writer, parsed, tenant_id=tenant_id, actor=_operator()
            )
            return info.as_dict()

    try:
        result = run(body)
    except store.AmlListError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None
    emit(
        result,
        as_json,
        lambda r: [f"removed {r['source']} list {r['name']!r} ({r['entries']:,} entries)"],
    )
